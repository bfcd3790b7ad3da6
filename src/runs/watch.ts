/**
 * Following a run to the end: the poll loop of src/slurm fed by one squeue + at most one sacct
 * per cycle, every state change written to run.json as it is seen (so a killed watch resumes
 * where it stopped and reports only news), network faults and a restarting controller retried,
 * NODE_FAIL/BOOT_FAIL resubmitted when retries allow, and jobs pending too long cancelled.
 */
import { RemoteError, ConnectionLostError, SshConnectError, ControllerUnreachableError } from '../errors.js';
import {
  assessJob,
  buildScancelArgs,
  formatJobState,
  parseExitStatus,
  parseJobState,
  watchJobs,
  type JobFacts,
  type JobView,
  type PollEvent,
  type Sleep,
  type Verdict,
} from '../slurm/index.js';
import type { Transport } from '../transport/transport.js';
import { readExitFiles } from './exit-files.js';
import { readLiveManifestJobs, selectLiveTasks } from './live-tasks.js';
import type { PlannedWork } from './live-progress.js';
import { LiveWatcher, type LiveCounters, type LiveTaskStatus, type LiveThresholds, type LiveWarning } from './live-watch.js';
import { factsOfView, factsRecord, isViewFinal, queryJobs, taskFacts, taskStates, type QueryCounters } from './query.js';
import { readRunRecord, writeRunRecordMerged } from './registry.js';
import { checkpointAdvice, jobRestarts, taskRestarts } from './restarts.js';
import { addHistory, type RunJob, type RunRecord } from './run-record.js';
import { resubmitJob } from './submit.js';

/**
 * Lower poll floor for tests only: the schedule never goes below 1 s whatever is asked, and
 * real use keeps the 5 s default that protects slurmctld.
 */
const TEST_POLL_FLOOR_ENV = 'HPCBENCH_TEST_POLL_FLOOR_MS';

export interface WatchJobStatus {
  experiment: string;
  jobId: string;
  state: string;
  final: boolean;
  tasks?: Record<string, string>;
  /** Times SLURM requeued the job (an array: all its tasks), once known from sacct. */
  restarts?: number;
}

export type WatchEvent =
  | { kind: 'change'; experiment: string; jobId: string; from?: string; to: string; verdict: Verdict }
  | { kind: 'progress'; cycle: number; jobs: readonly WatchJobStatus[]; nextPollMs?: number }
  | { kind: 'retrying'; message: string; retryInMs: number; attempt: number }
  | { kind: 'resubmitted'; experiment: string; oldId: string; newId: string; exclude: readonly string[] }
  | { kind: 'cancelled-pending'; experiment: string; jobId: string; reason: string }
  /** Live: one per running task per cycle (progress, ETA, GPU, memory). */
  | ({ kind: 'task' } & LiveTaskStatus)
  /** Live: raised once (gpu-idle once per idle stretch). */
  | ({ kind: 'warning' } & LiveWarning)
  /** Live reads stopped (not a job problem): the watch goes on with job states only. */
  | { kind: 'live-off'; message: string };

/** Following running tasks' logs and GPU sidecars in the watch's poll cycle (docs/watch.md). */
export interface LiveWatchOptions {
  thresholds?: Partial<LiveThresholds>;
  counters?: LiveCounters;
  /** Bytes read from one file per cycle at most. */
  capBytes?: number;
  /** Trailing window of the rate estimate, ms. */
  windowMs?: number;
  /** Per experiment, the work's size from its `estimate:` block (the total when the logs give none). */
  planned?: Readonly<Record<string, PlannedWork>>;
}

export interface WatchRunOptions {
  transport: Transport;
  resultsDir: string;
  runId: string;
  signal?: AbortSignal;
  /** Poll floor in ms (default 5000; see TEST_POLL_FLOOR_ENV). */
  pollFloorMs?: number;
  pollCeilingMs?: number;
  /** Cancel a job pending longer than this, reporting its reason. */
  pendingLimitSeconds?: number;
  useAccounting?: boolean;
  now?: () => Date;
  sleep?: Sleep;
  onEvent?: (event: WatchEvent) => void;
  counters?: QueryCounters;
  /** Cycles a job may be missing from squeue and sacct before it is given up (default 3). */
  missingCycles?: number;
  /** Follow running tasks live (progress, ETA, GPU, memory, warnings); off when absent. */
  live?: LiveWatchOptions;
}

export interface JobOutcome {
  experiment: string;
  jobId: string;
  state: string;
  verdict: Verdict;
  /** Times SLURM requeued the job (an array: all its tasks), when known. */
  restarts?: number;
  /** Array tasks: restarts per task, where known. */
  taskRestarts?: Record<string, number>;
  /**
   * Why a checkpointing job, or each of its array tasks, stopped requeueing itself and what to
   * do (absent when none did); for an array these say per task what `verdict` says for one.
   */
  checkpointAdvice?: string[];
}

export interface WatchRunResult {
  outcome: 'done' | 'aborted';
  record: RunRecord;
  jobs: JobOutcome[];
  /** 0 every job completed; 1 any failed, timed out, ran out of memory or was cancelled. */
  exitCode: 0 | 1;
}

/** Faults that say nothing about the jobs: retried, never reported as a job failure. */
function isTransientFault(error: unknown): boolean {
  if (error instanceof ControllerUnreachableError || error instanceof ConnectionLostError) return true;
  if (error instanceof SshConnectError) return error.transient;
  return error instanceof RemoteError && /timed out|connection .* (?:lost|closed)|not connected/i.test(error.message);
}

function describeFault(error: unknown): string {
  const detail = error instanceof Error ? error.message : String(error);
  if (error instanceof ControllerUnreachableError) return `controller unreachable, retrying (${error.detail})`;
  return `connection lost, reconnecting (${detail})`;
}

/** The facts of a job as run.json keeps them, for the policy. */
function factsOfRunJob(job: RunJob): JobFacts {
  const facts: JobFacts = { state: parseJobState(job.state ?? 'UNKNOWN') };
  const f = job.facts;
  if (!f) return facts;
  const exit = parseExitStatus(f.exit_code);
  if (exit) facts.exitCode = exit;
  if (f.elapsed_s !== undefined) facts.elapsedSeconds = f.elapsed_s;
  if (f.time_limit_s !== undefined) facts.timeLimitSeconds = f.time_limit_s;
  if (f.max_rss_mib !== undefined) facts.maxRssMiB = f.max_rss_mib;
  if (f.req_mem_mib !== undefined) facts.reqMemMiB = f.req_mem_mib;
  if (f.nodes !== undefined) facts.nodes = f.nodes;
  if (f.reason !== undefined) facts.reason = f.reason;
  if (f.batch_state !== undefined) facts.batchStepState = parseJobState(f.batch_state);
  if (f.restarts !== undefined) facts.restarts = f.restarts;
  return facts;
}

/** The verdict on a job from what run.json knows about it. */
function assessRunJob(job: RunJob): Verdict {
  return assessJob(factsOfRunJob(job), { retriesLeft: job.retries_left, checkpointing: job.checkpoint === true });
}

function outcomesOf(record: RunRecord): JobOutcome[] {
  return record.jobs
    .filter((j) => j.job_id !== undefined)
    .map((j) => {
      const outcome: JobOutcome = { experiment: j.experiment, jobId: j.job_id as string, state: j.state ?? 'UNKNOWN', verdict: assessRunJob(j) };
      const restarts = jobRestarts(j);
      if (restarts !== undefined) outcome.restarts = restarts;
      const perTask = j.array ? taskRestarts(j) : undefined;
      if (perTask) outcome.taskRestarts = perTask;
      const advice = checkpointAdvice(j);
      if (advice.length > 0) outcome.checkpointAdvice = advice;
      return outcome;
    });
}

function exitCodeOf(outcomes: readonly JobOutcome[]): 0 | 1 {
  return outcomes.every((o) => o.verdict.outcome === 'success') ? 0 : 1;
}

interface Polled {
  id: string;
  state: JobView['state'];
  final: boolean;
}

export async function watchRun(options: WatchRunOptions): Promise<WatchRunResult> {
  const now = options.now ?? (() => new Date());
  const emit = options.onEvent ?? (() => undefined);
  const record = await readRunRecord(options.resultsDir, options.runId);
  const missing = new Map<string, number>();
  const preempted = new Map<string, number>();
  const missingLimit = options.missingCycles ?? 3;
  const active = (): RunJob[] => record.jobs.filter((j) => j.job_id !== undefined && !j.final);
  const byId = (id: string): RunJob | undefined => record.jobs.find((j) => j.job_id === id);
  const save = (): Promise<void> => writeRunRecordMerged(options.resultsDir, record, now());

  if (active().length === 0) {
    const jobs = outcomesOf(record);
    return { outcome: 'done', record, jobs, exitCode: exitCodeOf(jobs) };
  }

  const applyView = async (view: JobView): Promise<Polled> => {
    const job = byId(view.id);
    if (!job) return { id: view.id, state: view.state, final: true };
    const at = now();
    let final = isViewFinal(view);
    if (final && view.state.name === 'PREEMPTED') {
      // Where the partition requeues preempted jobs, the job comes back as PENDING: keep
      // looking for a few cycles before taking PREEMPTED as the end.
      const count = (preempted.get(view.id) ?? 0) + 1;
      preempted.set(view.id, count);
      final = count >= missingLimit;
    }
    if (view.source === 'none') {
      const count = (missing.get(view.id) ?? 0) + 1;
      missing.set(view.id, count);
      // A job SLURM no longer knows (aged out, accounting off) cannot change any more.
      final = count >= missingLimit && job.state !== undefined;
      if (!final) return { id: view.id, state: parseJobState(job.state ?? 'PENDING'), final: false };
      // The job's own exit.json files say how it ended when SLURM cannot any more.
      const fromFiles = await readExitFiles(options.transport, record, job);
      const message = fromFiles
        ? `state ${fromFiles.state} read from exit.json: SLURM no longer knows the job (${view.note ?? 'not found'})`
        : `${view.note ?? 'not found'}; no exit.json either, last known state kept`;
      addHistory(record, { event: 'note', experiment: job.experiment, job_id: view.id, message }, at);
      job.final = true;
      if (fromFiles) {
        const previous = job.state;
        job.state = fromFiles.state;
        job.facts = { ...(job.facts ?? {}), exit_code: fromFiles.exitCode, source: 'exit.json', ...(fromFiles.restarts === undefined ? {} : { restarts: fromFiles.restarts }) };
        if (job.array) {
          job.tasks = fromFiles.tasks;
          job.task_facts = fromFiles.taskFacts;
        }
        addHistory(record, { event: 'state', experiment: job.experiment, job_id: view.id, state: fromFiles.state }, at);
        const verdict = assessRunJob(job);
        emit({ kind: 'change', experiment: job.experiment, jobId: view.id, ...(previous === undefined ? {} : { from: previous }), to: fromFiles.state, verdict });
      }
      return { id: view.id, state: parseJobState(job.state ?? 'UNKNOWN'), final: true };
    }
    missing.delete(view.id);
    const text = formatJobState(view.state);
    const previous = job.state;
    job.facts = factsRecord(view);
    const tasks = taskStates(view);
    if (tasks) job.tasks = tasks;
    const perTask = taskFacts(view);
    if (perTask) job.task_facts = { ...(job.task_facts ?? {}), ...perTask };
    job.final = final;
    if (previous !== text) {
      job.state = text;
      addHistory(record, { event: 'state', experiment: job.experiment, job_id: view.id, state: text }, at);
      const verdict = assessRunJob(job);
      emit({ kind: 'change', experiment: job.experiment, jobId: view.id, ...(previous === undefined ? {} : { from: previous }), to: text, verdict });
    }
    const facts = factsOfView(view, at);
    // SLURM prints submit times in the cluster's local time without a zone; the time recorded
    // at submission is exact wherever hpcbench runs.
    const submittedAt = job.submitted_at === undefined ? Number.NaN : Date.parse(job.submitted_at);
    if (facts.pendingSeconds !== undefined && Number.isFinite(submittedAt)) {
      facts.pendingSeconds = Math.max(0, Math.round((at.getTime() - submittedAt) / 1000));
    }
    const verdict = assessJob(facts, {
      retriesLeft: job.retries_left,
      excludedNodes: job.exclude,
      checkpointing: job.checkpoint === true,
      ...(options.pendingLimitSeconds === undefined ? {} : { pendingLimitSeconds: options.pendingLimitSeconds }),
    });
    if (final && verdict.resubmit && job.retries_left > 0) {
      const old = view.id;
      const newId = await resubmitJob({ transport: options.transport, resultsDir: options.resultsDir, now, ...(options.counters ? { counters: options.counters } : {}) }, record, job.experiment, verdict.excludeNodes ?? []);
      emit({ kind: 'resubmitted', experiment: job.experiment, oldId: old, newId, exclude: job.exclude });
      return { id: old, state: view.state, final: true };
    }
    if (!final && verdict.action === 'cancel' && options.pendingLimitSeconds !== undefined && facts.pendingSeconds !== undefined && facts.pendingSeconds > options.pendingLimitSeconds) {
      await options.transport.exec(buildScancelArgs({ jobIds: [view.id] }));
      addHistory(record, { event: 'cancel', experiment: job.experiment, job_id: view.id, message: verdict.title }, at);
      emit({ kind: 'cancelled-pending', experiment: job.experiment, jobId: view.id, reason: verdict.title });
    }
    return { id: view.id, state: view.state, final };
  };

  const fetchStates = async (signal?: AbortSignal): Promise<Polled[]> => {
    const ids = active().map((j) => j.job_id as string);
    const result = await queryJobs(options.transport, ids, {
      ...(signal === undefined ? {} : { signal }),
      ...(options.useAccounting === undefined ? {} : { useAccounting: options.useAccounting }),
      ...(options.counters ? { counters: options.counters } : {}),
      restartIds: active().flatMap((j) => (j.checkpoint === true ? [j.job_id as string] : [])),
      runCreatedAt: record.created_at,
    });
    const polled: Polled[] = [];
    for (const view of result.views) polled.push(await applyView(view));
    await pollLive(result.views, signal);
    // Resubmitted jobs are polled from the next cycle on.
    for (const job of active()) {
      if (!polled.some((p) => p.id === job.job_id)) polled.push({ id: job.job_id as string, state: parseJobState(job.state ?? 'PENDING'), final: false });
    }
    await save();
    return polled;
  };

  const liveJobs = options.live ? await readLiveManifestJobs(options.resultsDir, options.runId) : undefined;
  let liveWatcher = options.live && liveJobs ? new LiveWatcher({ transport: options.transport, ...options.live }) : undefined;
  // One remote command for every running task, after the squeue of the same cycle. A fault here
  // never fails the watch: a lost connection shows up in the next squeue, anything else turns
  // the live view off with one message.
  const pollLive = async (views: readonly JobView[], signal?: AbortSignal): Promise<void> => {
    if (!liveWatcher || !liveJobs) return;
    const tasks = selectLiveTasks(views, record, liveJobs, options.live?.planned);
    liveWatcher.retain(tasks);
    if (tasks.length === 0) return;
    try {
      const cycle = await liveWatcher.poll(tasks, now().getTime(), signal);
      for (const status of cycle.tasks) emit({ kind: 'task', ...status });
      for (const warning of cycle.warnings) emit({ kind: 'warning', ...warning });
    } catch (error) {
      if (signal?.aborted) throw error;
      if (isTransientFault(error)) return;
      liveWatcher = undefined;
      emit({ kind: 'live-off', message: `live progress stopped: ${error instanceof Error ? error.message : String(error)}` });
    }
  };

  const envFloor = Number(process.env[TEST_POLL_FLOOR_ENV]);
  const floorMs = options.pollFloorMs ?? (Number.isFinite(envFloor) && envFloor > 0 ? envFloor : undefined);
  const knownStates = new Map(active().map((j) => [j.job_id as string, parseJobState(j.state ?? 'PENDING')]));
  const { outcome } = await watchJobs<Polled>(
    {
      fetchStates,
      isDone: (job) => job.final,
      knownStates,
      isRetryable: isTransientFault,
      schedule: {
        ...(floorMs === undefined ? {} : { floorMs }),
        ...(options.pollCeilingMs === undefined ? {} : { ceilingMs: options.pollCeilingMs }),
      },
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.sleep === undefined ? {} : { sleep: options.sleep }),
    },
    (event: PollEvent<Polled>) => {
      if (event.kind === 'retrying') {
        emit({ kind: 'retrying', message: describeFault(event.error), retryInMs: event.retryInMs, attempt: event.attempt });
      } else if (event.kind === 'update') {
        const jobs = record.jobs
          .filter((j) => j.job_id !== undefined)
          .map((j) => {
            const restarts = jobRestarts(j);
            return { experiment: j.experiment, jobId: j.job_id as string, state: j.state ?? 'UNKNOWN', final: j.final, ...(j.tasks ? { tasks: j.tasks } : {}), ...(restarts === undefined ? {} : { restarts }) };
          });
        emit({ kind: 'progress', cycle: event.cycle, jobs, ...(event.nextPollMs === undefined ? {} : { nextPollMs: event.nextPollMs }) });
      }
    },
  );
  const jobs = outcomesOf(record);
  return { outcome, record, jobs, exitCode: exitCodeOf(jobs) };
}
