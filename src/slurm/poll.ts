/**
 * The watch loop, free of I/O: one injected `fetchStates()` per cycle returns ALL jobs (the
 * caller runs one squeue and at most one sacct), an injected `sleep` waits, an AbortSignal stops
 * watching (never the jobs). A controller that cannot be reached is retried with backoff and
 * reported as such, never as a job failure.
 */
import { ControllerUnreachableError } from '../errors.js';
import { setTimeout as delay } from 'node:timers/promises';
import { formatJobState, isTerminal, type JobState } from './job-state.js';
import { createPollSchedule, type PollSchedule, type PollScheduleOptions } from './poll-schedule.js';

export interface PolledJob {
  id: string;
  state: JobState;
}

interface StateChange<T extends PolledJob> {
  id: string;
  /** Undefined the first time the job is seen (and not known from a previous watch). */
  from?: JobState;
  to: JobState;
  job: T;
}

export type PollEvent<T extends PolledJob> =
  /** One successful cycle; `changes` is empty when nothing moved. */
  | { kind: 'update'; cycle: number; jobs: readonly T[]; changes: readonly StateChange<T>[]; nextPollMs?: number }
  /** The fetch failed with a retryable error; the loop sleeps and tries again. */
  | { kind: 'retrying'; cycle: number; attempt: number; message: string; retryInMs: number; error: unknown }
  /** Every job is terminal (or given up on, listed in `unresolved`); the loop ends. */
  | { kind: 'done'; cycle: number; jobs: readonly T[]; unresolved: readonly string[] }
  /** The signal was aborted; the loop ends, the jobs keep running. */
  | { kind: 'aborted'; cycle: number; jobs: readonly T[] | undefined };

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface PollOptions<T extends PolledJob> {
  fetchStates: (signal?: AbortSignal) => Promise<readonly T[]>;
  sleep?: Sleep;
  signal?: AbortSignal;
  schedule?: PollSchedule | PollScheduleOptions;
  /** A job needs no more polling (default: its state is terminal). */
  isDone?: (job: T) => boolean;
  /** States known before this watch (from run.json), so a resumed watch reports only news. */
  knownStates?: ReadonlyMap<string, JobState>;
  /** Errors worth retrying (default: ControllerUnreachableError). */
  isRetryable?: (error: unknown) => boolean;
  /** Give up after this many failed cycles in a row and rethrow (default: never). */
  maxConsecutiveFailures?: number;
  /**
   * Stop waiting for a job that stays UNKNOWN (found nowhere, e.g. the cluster's state was
   * wiped) for this many successful cycles in a row; it is listed in `unresolved`. Default: never.
   */
  giveUpOnUnknownAfter?: number;
}

/**
 * Default sleep: a timer that an abort ends early without throwing.
 */
const sleepWithSignal: Sleep = async (ms, signal) => {
  try {
    await delay(ms, undefined, signal === undefined ? undefined : { signal });
  } catch (error) {
    if (!signal?.aborted) throw error;
  }
};

function isSchedule(value: PollSchedule | PollScheduleOptions | undefined): value is PollSchedule {
  return value !== undefined && typeof (value as PollSchedule).next === 'function';
}

function retryMessage(error: unknown): string {
  if (error instanceof ControllerUnreachableError) return `controller unreachable, retrying (${error.detail})`;
  return `${error instanceof Error ? error.message : String(error)}, retrying`;
}

/**
 * Polls until every job is done or the signal aborts, yielding an event per cycle.
 * Non-retryable errors from fetchStates propagate to the caller.
 */
async function* pollJobs<T extends PolledJob>(options: PollOptions<T>): AsyncGenerator<PollEvent<T>, void> {
  const sleep = options.sleep ?? sleepWithSignal;
  const schedule = isSchedule(options.schedule) ? options.schedule : createPollSchedule(options.schedule);
  const isDone = options.isDone ?? ((job: T) => isTerminal(job.state));
  const isRetryable = options.isRetryable ?? ((error: unknown) => error instanceof ControllerUnreachableError);
  const maxFailures = options.maxConsecutiveFailures ?? Number.POSITIVE_INFINITY;
  const signal = options.signal;
  const last = new Map<string, string>();
  const lastState = new Map<string, JobState>(options.knownStates ?? []);
  for (const [id, state] of lastState) last.set(id, formatJobState(state));
  const unknownCycles = new Map<string, number>();
  const giveUp = options.giveUpOnUnknownAfter ?? Number.POSITIVE_INFINITY;
  let jobs: readonly T[] | undefined;
  let failures = 0;
  for (let cycle = 1; ; cycle++) {
    if (signal?.aborted) {
      yield { kind: 'aborted', cycle, jobs };
      return;
    }
    try {
      jobs = await options.fetchStates(signal);
      failures = 0;
    } catch (error) {
      if (signal?.aborted) {
        yield { kind: 'aborted', cycle, jobs };
        return;
      }
      failures++;
      if (!isRetryable(error) || failures >= maxFailures) throw error;
      const retryInMs = schedule.next();
      yield { kind: 'retrying', cycle, attempt: failures, message: retryMessage(error), retryInMs, error };
      await sleep(retryInMs, signal);
      continue;
    }
    const changes: StateChange<T>[] = [];
    for (const job of jobs) {
      const text = formatJobState(job.state);
      if (last.get(job.id) === text) continue;
      const from = lastState.get(job.id);
      changes.push(from === undefined ? { id: job.id, to: job.state, job } : { id: job.id, from, to: job.state, job });
      last.set(job.id, text);
      lastState.set(job.id, job.state);
    }
    for (const job of jobs) {
      unknownCycles.set(job.id, job.state.name === 'UNKNOWN' ? (unknownCycles.get(job.id) ?? 0) + 1 : 0);
    }
    const unresolved = jobs.filter((job) => !isDone(job) && (unknownCycles.get(job.id) ?? 0) >= giveUp).map((j) => j.id);
    if (jobs.every((job) => isDone(job) || unresolved.includes(job.id))) {
      yield { kind: 'update', cycle, jobs, changes };
      yield { kind: 'done', cycle, jobs, unresolved };
      return;
    }
    if (changes.length > 0) schedule.reset();
    const wait = schedule.next();
    yield { kind: 'update', cycle, jobs, changes, nextPollMs: wait };
    await sleep(wait, signal);
  }
}

/** Callback form of pollJobs: resolves with the last jobs seen (undefined if aborted before any). */
export async function watchJobs<T extends PolledJob>(
  options: PollOptions<T>,
  onEvent: (event: PollEvent<T>) => void | Promise<void>,
): Promise<{ outcome: 'done' | 'aborted'; jobs: readonly T[] | undefined }> {
  for await (const event of pollJobs(options)) {
    await onEvent(event);
    if (event.kind === 'done') return { outcome: 'done', jobs: event.jobs };
    if (event.kind === 'aborted') return { outcome: 'aborted', jobs: event.jobs };
  }
  return { outcome: 'aborted', jobs: undefined };
}
