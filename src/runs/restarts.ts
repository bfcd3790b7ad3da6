/**
 * Restarts of a run's jobs and why a checkpointing job stopped requeueing itself, from what
 * run.json knows (sacct `--duplicates` facts, or exit.json when SLURM forgot the job), worded for
 * `status` and `watch`. Pure functions: no I/O here.
 */
import { checkpointStopOfExit, explainCheckpointStop, parseExitStatus, parseJobState } from '../slurm/index.js';
import type { RunJob } from './run-record.js';

/** Restarts per array task, for the tasks whose count is known. */
export function taskRestarts(job: RunJob): Record<string, number> | undefined {
  const out: Record<string, number> = {};
  for (const [task, facts] of Object.entries(job.task_facts ?? {})) {
    if (facts.restarts !== undefined) out[task] = facts.restarts;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The job's restarts when known: its own count, or for an array the sum over its tasks. */
export function jobRestarts(job: RunJob): number | undefined {
  if (job.array) {
    const tasks = taskRestarts(job);
    return tasks === undefined ? job.facts?.restarts : Object.values(tasks).reduce((a, b) => a + b, 0);
  }
  return job.facts?.restarts;
}

const LISTED_TASKS = 6;

/**
 * `2`, or for an array `3 (task 1: 2, 4: 1)` listing the tasks that restarted; '' when unknown.
 * `perTask` is given for arrays only.
 */
export function describeRestarts(total: number | null | undefined, perTask?: Readonly<Record<string, number>>): string {
  if (total === undefined || total === null) return '';
  const tasks = Object.entries(perTask ?? {})
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => byTaskId(a, b));
  if (tasks.length === 0) return String(total);
  const shown = tasks.slice(0, LISTED_TASKS).map(([task, n]) => `${task}: ${n}`);
  const more = tasks.length > LISTED_TASKS ? `, +${tasks.length - LISTED_TASKS} more` : '';
  return `${total} (task ${shown.join(', ')}${more})`;
}

/** describeRestarts for a job of run.json. */
export function formatRestarts(job: RunJob): string {
  return describeRestarts(jobRestarts(job), job.array ? taskRestarts(job) : undefined);
}

/** Sorts array task ids numerically where they are numbers. */
function byTaskId(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  return Number.isFinite(na) && Number.isFinite(nb) ? na - nb : a.localeCompare(b);
}

/**
 * One line per way a checkpointing job (or its array tasks) stopped requeueing itself: why in
 * plain words and what to do. Empty for jobs rendered without `checkpoint:` (there 90–93 are the
 * workload's own exit codes) and for jobs that did not end FAILED with 90–93.
 */
export function checkpointAdvice(job: RunJob): string[] {
  if (job.checkpoint !== true) return [];
  if (!job.array) {
    if (parseJobState(job.state ?? 'UNKNOWN').name !== 'FAILED') return [];
    const stop = checkpointStopOfExit(parseExitStatus(job.facts?.exit_code));
    return stop === undefined ? [] : [explainCheckpointStop(stop, job.facts?.restarts).advice];
  }
  // Tasks that stopped for the same reason after the same number of restarts share one line.
  const byAdvice = new Map<string, string[]>();
  for (const [task, facts] of Object.entries(job.task_facts ?? {})) {
    const state = job.tasks?.[task];
    if (state !== undefined && parseJobState(state).name !== 'FAILED') continue;
    const stop = checkpointStopOfExit(parseExitStatus(facts.exit_code));
    if (stop === undefined) continue;
    const advice = explainCheckpointStop(stop, facts.restarts).advice;
    byAdvice.set(advice, [...(byAdvice.get(advice) ?? []), task]);
  }
  return [...byAdvice.entries()].map(([advice, tasks]) => {
    const sorted = tasks.sort(byTaskId);
    const shown = sorted.slice(0, LISTED_TASKS).join(', ') + (sorted.length > LISTED_TASKS ? `, +${sorted.length - LISTED_TASKS} more` : '');
    return `${sorted.length === 1 ? 'task' : 'tasks'} ${shown}: ${advice}`;
  });
}
