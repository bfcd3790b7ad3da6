/**
 * One status cycle for all jobs of a run: one squeue call, then at most one sacct call for the
 * jobs squeue no longer holds or reports finished. The commands run through an injected
 * `run` (the transport), so this file does no I/O itself and one poll cycle costs the
 * controller the same few RPCs whatever the number of jobs.
 */
import { buildSacctArgs, readSacctOutput } from './sacct.js';
import { buildSqueueArgs, readSqueueOutput } from './squeue.js';
import { idsNeedingAccounting, mergeJobViews, type JobView } from './merge.js';
import type { SlurmCommandOutput } from './errors.js';
import type { SlurmJobRecord } from './job-record.js';

export type RunSlurmCommand = (argv: readonly string[]) => Promise<SlurmCommandOutput>;

export interface FetchJobViewsOptions {
  /**
   * `auto` asks sacct when needed; `off` never does (set it after a cycle reported accounting
   * unavailable, so later cycles do not ask again).
   */
  accounting?: 'auto' | 'off';
  /**
   * sacct `--starttime`, e.g. the run's submission time in the cluster's local time
   * (`2026-11-24T06:00:00`): job ids restart when a cluster's state is wiped, and sacct would
   * then also return older jobs with the same ids.
   */
  since?: string;
}

export interface JobViewsResult {
  views: JobView[];
  /** `used`: sacct answered; `not-needed`: squeue had everything; `unavailable`: sacct cannot answer. */
  accounting: 'used' | 'not-needed' | 'unavailable' | 'off';
  /** Why accounting is unavailable, as sacct said it. */
  accountingMessage?: string;
  /** squeue said some listed ids are unknown to slurmctld (aged out). */
  agedOut: boolean;
  /** Commands run this cycle (1 or 2). */
  commands: number;
}

/**
 * Throws ControllerUnreachableError when slurmctld does not answer squeue (the poller retries
 * it); accounting being disabled or slurmdbd down is reported in the result, not thrown.
 */
export async function fetchJobViews(
  run: RunSlurmCommand,
  ids: readonly string[],
  options: FetchJobViewsOptions = {},
): Promise<JobViewsResult> {
  if (ids.length === 0) return { views: [], accounting: 'not-needed', agedOut: false, commands: 0 };
  const squeue = readSqueueOutput(await run(buildSqueueArgs({ jobIds: ids })));
  const needed = idsNeedingAccounting(squeue.records, ids);
  if (options.accounting === 'off' || needed.length === 0) {
    return {
      views: mergeJobViews(squeue.records, options.accounting === 'off' ? undefined : [], ids),
      accounting: options.accounting === 'off' ? 'off' : 'not-needed',
      agedOut: squeue.invalidJobId,
      commands: 1,
    };
  }
  // --duplicates: the same rows for the current attempts, plus one per earlier attempt of a requeued job (restarts).
  const sacct = readSacctOutput(await run(buildSacctArgs({ jobIds: needed, duplicates: true, ...(options.since === undefined ? {} : { startTime: options.since }) })), { duplicates: true });
  if (sacct.kind === 'unavailable') {
    return {
      views: mergeJobViews(squeue.records, undefined, ids),
      accounting: 'unavailable',
      accountingMessage: sacct.message,
      agedOut: squeue.invalidJobId,
      commands: 2,
    };
  }
  const accounted: SlurmJobRecord[] = sacct.jobs;
  return { views: mergeJobViews(squeue.records, accounted, ids), accounting: 'used', agedOut: squeue.invalidJobId, commands: 2 };
}
