/**
 * Cancelling a run: one scancel for every job of the run that can still change, by id (never by
 * user or name: hpcbench must not touch jobs it did not submit). Recorded in run.json.
 */
import { RemoteError, UsageError } from '../errors.js';
import { buildScancelArgs, checkControllerReachable } from '../slurm/index.js';
import type { Transport } from '../transport/transport.js';
import { toSlurmOutput } from './query.js';
import { writeRunRecord } from './registry.js';
import { addHistory, type RunRecord } from './run-record.js';

export interface CancelRunOptions {
  transport: Transport;
  resultsDir: string;
  record: RunRecord;
  /** Only these experiments (default all). */
  experiments?: readonly string[];
  now?: () => Date;
}

export interface CancelRunResult {
  cancelled: { experiment: string; jobId: string }[];
  /** Jobs already finished, left alone. */
  skipped: { experiment: string; jobId: string; state: string }[];
}

export async function cancelRun(options: CancelRunOptions): Promise<CancelRunResult> {
  const { record } = options;
  const now = options.now ?? (() => new Date());
  const wanted = options.experiments;
  if (wanted) {
    const unknown = wanted.filter((e) => !record.jobs.some((j) => j.experiment === e));
    if (unknown.length > 0) throw new UsageError(`run ${record.run_id} has no experiment ${unknown.join(', ')}`, `Its experiments: ${record.experiments.join(', ')}`);
  }
  const jobs = record.jobs.filter((j) => j.job_id !== undefined && (wanted === undefined || wanted.includes(j.experiment)));
  const live = jobs.filter((j) => !j.final);
  const result: CancelRunResult = {
    cancelled: live.map((j) => ({ experiment: j.experiment, jobId: j.job_id as string })),
    skipped: jobs.filter((j) => j.final).map((j) => ({ experiment: j.experiment, jobId: j.job_id as string, state: j.state ?? 'UNKNOWN' })),
  };
  if (live.length === 0) return result;
  const output = toSlurmOutput(await options.transport.exec(buildScancelArgs({ jobIds: result.cancelled.map((c) => c.jobId) })));
  const condition = checkControllerReachable(output);
  // scancel of a job that just ended says "already completed"; that is not a failure.
  if (output.exitCode !== 0 && !/already complet|invalid job id/i.test(output.stderr)) {
    throw new RemoteError(`scancel failed: ${condition?.message ?? output.stderr.trim()}`, { hint: 'run `scancel` by hand on the login node to see why' });
  }
  for (const c of result.cancelled) addHistory(record, { event: 'cancel', experiment: c.experiment, job_id: c.jobId, message: 'cancel requested' }, now());
  if (wanted === undefined) record.phase = 'cancelled';
  await writeRunRecord(options.resultsDir, record, now());
  return result;
}
