/**
 * The state of every job of a run from ONE squeue call and AT MOST ONE sacct call, whatever the
 * number of jobs: slurmctld serves every user of the cluster, and one call per job per poll is
 * what gets people's scripts banned from login nodes.
 */
import {
  buildSacctArgs,
  buildSqueueArgs,
  findBatchStep,
  formatJobState,
  idsNeedingAccounting,
  isTerminal,
  mergeJobViews,
  readSacctOutput,
  readSqueueOutput,
  type JobFacts,
  type JobView,
  type SacctFieldSet,
  type SacctJob,
  type SlurmCommandOutput,
  type SlurmJobRecord,
} from '../slurm/index.js';
import type { ExecResult, Transport } from '../transport/transport.js';
import type { JobFactsRecord, TaskFactsRecord } from './run-record.js';

/** Counts the SLURM commands a caller ran, for tests and the benchmark. */
export interface QueryCounters {
  squeue: number;
  sacct: number;
}

export interface JobQueryOptions {
  signal?: AbortSignal;
  /** false: never ask sacct (accounting known to be off). */
  useAccounting?: boolean;
  counters?: QueryCounters;
  timeoutMs?: number;
  /**
   * Jobs asked of sacct even while squeue still shows them: checkpointing jobs, whose restart
   * count only sacct --duplicates gives (squeue's -o format has none). Still one sacct call.
   */
  restartIds?: readonly string[];
  /**
   * When the run was created (run.json `created_at`): sacct is asked only about jobs since then
   * (`--starttime`). Job ids restart when a cluster's state is wiped, and with `--duplicates`
   * sacct would also return the older jobs that had the same ids, as if they were earlier attempts.
   */
  runCreatedAt?: string;
  /**
   * Ask sacct about every job at the same time as squeue, over the same connection: one round
   * trip instead of two when a job has finished (what `hpcbench status` is mostly asked about).
   * Still at most one sacct call; its answer is used only for the jobs squeue says need it, so the
   * views are those of the sequential path. Costs a sacct call when every job is still live.
   */
  accountingAlongside?: boolean;
}

/**
 * Slack on top of the time since the run was created: covers the seconds between reading the
 * local clock and sacct reading the cluster's, and sacct's whole-minute resolution.
 */
const STARTTIME_SLACK_MINUTES = 2;

/**
 * sacct `--starttime` for jobs submitted at or after `createdAt`. Relative to the cluster's own
 * `now`: SLURM reads absolute times in the cluster's local time zone, which hpcbench does not
 * know, and the elapsed time measured on this machine's clock holds whatever either clock says.
 * Undefined when `createdAt` is not a time (sacct is then asked without a start time).
 */
export function formatAccountingStartTime(createdAt: string, now: Date): string | undefined {
  const created = Date.parse(createdAt);
  if (!Number.isFinite(created)) return undefined;
  const minutes = Math.max(0, Math.ceil((now.getTime() - created) / 60_000)) + STARTTIME_SLACK_MINUTES;
  return `now-${minutes}minutes`;
}

export interface JobQueryResult {
  views: JobView[];
  /** `unavailable` when sacct answered that accounting is disabled or slurmdbd is down. */
  accounting: 'ok' | 'unavailable' | 'not-asked';
  accountingMessage?: string;
}

export function toSlurmOutput(result: ExecResult): SlurmCommandOutput {
  return { stdout: result.stdout, stderr: result.stderr, exitCode: result.code };
}

/** The sacct columns asked for and read back: no TRES field, which costs slurmdbd a call each poll. */
const FOLLOW: SacctFieldSet = 'follow';

export async function queryJobs(transport: Transport, ids: readonly string[], options: JobQueryOptions = {}): Promise<JobQueryResult> {
  if (ids.length === 0) return { views: [], accounting: 'not-asked' };
  const execOptions = {
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  };
  // --duplicates adds a row per earlier attempt of a requeued job: the restart count, at no extra call.
  const askSacct = (jobIds: readonly string[]): Promise<ExecResult> => {
    if (options.counters) options.counters.sacct += 1;
    const startTime = options.runCreatedAt === undefined ? undefined : formatAccountingStartTime(options.runCreatedAt, new Date());
    return transport.exec(buildSacctArgs({ jobIds, duplicates: true, fields: FOLLOW, ...(startTime === undefined ? {} : { startTime }) }), execOptions);
  };
  const early = options.accountingAlongside === true && options.useAccounting !== false ? askSacct(ids) : undefined;
  // Settled here so that a failed squeue does not leave the early sacct's failure unhandled.
  const earlyResult = early?.then((result) => ({ result }), (error: unknown) => ({ error }));
  if (options.counters) options.counters.squeue += 1;
  const squeue = readSqueueOutput(toSlurmOutput(await transport.exec(buildSqueueArgs({ jobIds: ids }), execOptions)));
  const needing = [...new Set([...idsNeedingAccounting(squeue.records, ids), ...(options.restartIds ?? []).filter((id) => ids.includes(id))])];
  if (needing.length === 0 || options.useAccounting === false) {
    await earlyResult;
    return { views: mergeJobViews(squeue.records, undefined, ids), accounting: 'not-asked' };
  }
  const settled = earlyResult === undefined ? { result: await askSacct(needing) } : await earlyResult;
  if ('error' in settled) throw settled.error;
  const sacct = readSacctOutput(toSlurmOutput(settled.result), { duplicates: true, fields: FOLLOW });
  if (sacct.kind === 'unavailable') {
    return { views: mergeJobViews(squeue.records, undefined, ids), accounting: 'unavailable', accountingMessage: sacct.message };
  }
  if (earlyResult === undefined) return { views: mergeJobViews(squeue.records, sacct.jobs, ids), accounting: 'ok' };
  // sacct was asked about every job: its records count only for the jobs that needed them.
  const views = ids.map((id) => mergeJobViews(squeue.records, needing.includes(id) ? sacct.jobs : undefined, [id])[0] as JobView);
  return { views, accounting: 'ok' };
}

function isSacctJob(record: SlurmJobRecord): record is SacctJob {
  return record.source === 'sacct' && Array.isArray((record as SacctJob).steps);
}

/**
 * The record that speaks for a view: for an array, the task in the summarised state (the worst
 * finished one, or a live one); sacct records preferred for finished jobs (exit code, MaxRSS).
 */
function representativeRecord(view: JobView): SlurmJobRecord | undefined {
  const wanted = formatJobState(view.state);
  const matching = view.records.filter((r) => formatJobState(r.state) === wanted);
  const pool = matching.length > 0 ? matching : view.records;
  return pool.find(isSacctJob) ?? pool[0];
}

/** What the policy needs about a job, from its view. */
export function factsOfView(view: JobView, now?: Date): JobFacts {
  const record = representativeRecord(view);
  const facts: JobFacts = { state: view.state };
  if (!record) return facts;
  if (record.exitCode) facts.exitCode = record.exitCode;
  if (record.elapsedSeconds !== undefined) facts.elapsedSeconds = record.elapsedSeconds;
  if (record.timeLimitSeconds !== undefined) facts.timeLimitSeconds = record.timeLimitSeconds;
  if (record.nodes !== undefined) facts.nodes = record.nodes;
  if (record.reason !== undefined) facts.reason = record.reason;
  if (record.restarts !== undefined) facts.restarts = record.restarts;
  if (isSacctJob(record)) {
    if (record.maxRssMiB !== undefined) facts.maxRssMiB = record.maxRssMiB;
    const req = record.reqMem;
    if (req !== undefined) {
      const cpus = record.cpus ?? 1;
      const nodes = record.nodeCount ?? 1;
      facts.reqMemMiB = req.per === 'cpu' ? req.mib * cpus : req.per === 'node' ? req.mib * nodes : req.mib;
    }
    const batch = findBatchStep(record);
    if (batch) facts.batchStepState = batch.state;
  }
  if (now !== undefined && record.submitTime !== undefined && view.state.name === 'PENDING') {
    const submitted = Date.parse(record.submitTime);
    if (Number.isFinite(submitted)) facts.pendingSeconds = Math.max(0, Math.round((now.getTime() - submitted) / 1000));
  }
  return facts;
}

/** The facts as run.json stores them. */
export function factsRecord(view: JobView): JobFactsRecord {
  const f = factsOfView(view);
  const out: JobFactsRecord = { source: view.source };
  if (f.reason !== undefined) out.reason = f.reason;
  if (f.elapsedSeconds !== undefined) out.elapsed_s = f.elapsedSeconds;
  if (f.timeLimitSeconds !== undefined) out.time_limit_s = f.timeLimitSeconds;
  if (f.nodes !== undefined) out.nodes = f.nodes;
  if (f.exitCode !== undefined) out.exit_code = `${f.exitCode.code}:${f.exitCode.signal}`;
  if (f.maxRssMiB !== undefined) out.max_rss_mib = f.maxRssMiB;
  if (f.reqMemMiB !== undefined) out.req_mem_mib = f.reqMemMiB;
  if (f.batchStepState !== undefined) out.batch_state = formatJobState(f.batchStepState);
  if (f.restarts !== undefined) out.restarts = f.restarts;
  return out;
}

function taskKey(record: SlurmJobRecord): string {
  return record.arrayPendingRange ? `[${record.arrayTaskId ?? ''}]` : (record.arrayTaskId ?? '');
}

/**
 * Array task id → exit code and restarts, for the tasks SLURM reported either for (sacct);
 * undefined for plain jobs and when no task has any.
 */
export function taskFacts(view: JobView): Record<string, TaskFactsRecord> | undefined {
  const out: Record<string, TaskFactsRecord> = {};
  for (const r of view.records) {
    if (r.arrayTaskId === undefined || r.arrayPendingRange) continue;
    const facts: TaskFactsRecord = {};
    if (r.exitCode !== undefined) facts.exit_code = `${r.exitCode.code}:${r.exitCode.signal}`;
    if (r.restarts !== undefined) facts.restarts = r.restarts;
    if (Object.keys(facts).length > 0) out[taskKey(r)] = facts;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Array task id → state, for arrays; undefined for plain jobs. */
export function taskStates(view: JobView): Record<string, string> | undefined {
  const tasks = view.records.filter((r) => r.arrayTaskId !== undefined);
  if (tasks.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const r of tasks) out[taskKey(r)] = formatJobState(r.state);
  return out;
}

/**
 * A view is final when nothing about it can change: terminal, and for an array every task
 * terminal with no pending range left.
 */
export function isViewFinal(view: JobView): boolean {
  if (!isTerminal(view.state)) return false;
  if (view.records.length === 0) return false;
  return view.records.every((r) => !r.arrayPendingRange && isTerminal(r.state));
}

