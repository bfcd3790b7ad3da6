/**
 * `hpcbench resubmit <run>`: submits again only what did not complete. An array gets one sbatch
 * with `--array=<the failed task ids>`, the same ids, so each task writes to the same
 * out/<experiment>/<task>/ and the results of completed tasks stay where they are. The earlier
 * job ids and every attempt stay in run.json (previous_job_ids, attempts, history).
 *
 * Dependents: a job that never ran because its dependency failed (CANCELLED by
 * --kill-on-invalid-dep) did not complete, so it is resubmitted too, waiting (afterok) for the new
 * ids; one still pending (DependencyNeverSatisfied, kept by --retries) has its dependency pointed
 * at the new ids with `scontrol update`. A resubmitted job waits only for dependencies that are
 * resubmitted or still running: the completed ones are already satisfied.
 */
import { UsageError } from '../errors.js';
import { formatJobState, isTerminal, parseJobState, type Dependency, type JobState, type JobView } from '../slurm/index.js';
import type { Transport } from '../transport/transport.js';
import { expandArraySpec } from '../slurm/array-spec.js';
import { queryJobs, type QueryCounters } from './query.js';
import { writeRunRecord } from './registry.js';
import { addHistory, findJob, type RunJob, type RunRecord } from './run-record.js';
import { makeSubmitter, submitJob, type SubmitEvent, type SubmitRunOptions } from './submit.js';

interface TaskSplit {
  /** Task id (or `main`) → the state it ended in, for the tasks that did not complete. */
  failed: Map<string, string>;
  live: string[];
  completed: string[];
}

/** The tasks of the job's current submission: the last resubmitted `--array`, else the rendered one. */
function currentTasks(job: RunJob): string[] {
  const resent = [...job.attempts].reverse().find((a) => a.job_id === job.job_id && a.array !== undefined)?.array;
  const spec = resent ?? job.array?.spec;
  return spec === undefined ? ['main'] : expandArraySpec(spec, 'run.json');
}

function splitTasks(job: RunJob, view: JobView | undefined): TaskSplit {
  const split: TaskSplit = { failed: new Map(), live: [], completed: [] };
  const add = (task: string, state: JobState): void => {
    if (state.name === 'COMPLETED') split.completed.push(task);
    else if (isTerminal(state)) split.failed.set(task, formatJobState(state));
    else split.live.push(task);
  };
  const known = view !== undefined && view.source !== 'none' && view.state.name !== 'UNKNOWN';
  if (!known) {
    // SLURM no longer knows the job: what run.json last saw, if it saw the end.
    if (!job.final) return split;
    if (job.tasks && job.array) {
      for (const [task, state] of Object.entries(job.tasks)) if (!task.startsWith('[')) add(task, parseJobState(state));
    } else if (job.state !== undefined) {
      for (const task of currentTasks(job)) add(task, parseJobState(job.state));
    }
    return split;
  }
  const tasks = view.records.filter((r) => r.arrayTaskId !== undefined);
  if (!job.array || tasks.length === 0) {
    for (const task of currentTasks(job)) add(task, view.state);
    return split;
  }
  for (const r of tasks) {
    const ids = r.arrayPendingRange ? expandArraySpec(r.arrayTaskId ?? '', 'squeue') : [r.arrayTaskId ?? ''];
    for (const id of ids) add(id, r.state);
  }
  return split;
}

/** `1,3` with the rendered spec's `%N` kept, so a resubmission is no wider than the original. */
function arraySpecFor(job: RunJob, tasks: readonly string[]): string {
  const limit = job.array?.spec.split('%')[1];
  const sorted = [...tasks].sort((a, b) => Number(a) - Number(b));
  return limit === undefined ? sorted.join(',') : `${sorted.join(',')}%${limit}`;
}

export interface PlannedResubmission {
  experiment: string;
  /** The id being replaced. */
  job_id: string;
  /** Array task ids, or ['main'] for a plain job. */
  tasks: string[];
  /** Task → state it ended in. */
  states: Record<string, string>;
  /** `--array` for an array job. */
  array?: string;
  /** Experiments it will wait for (resubmitted now or still running). */
  waits_for: string[];
  /** Jobs of the run it was built on (`--after`) still running: waited for again. */
  after_job_ids: string[];
}

export interface ResubmitPlan {
  run_id: string;
  resubmit: PlannedResubmission[];
  /** Pending dependents whose dependency is pointed at the new ids (scontrol update). */
  update_dependency: { experiment: string; job_id: string; waits_for: string[] }[];
  /** Jobs still queued or running with nothing failed: left alone. */
  running: { experiment: string; job_id: string; tasks: number }[];
  /** Jobs never submitted (use submit --resume). */
  unsubmitted: string[];
  completed: string[];
}

export interface ResubmitOptions extends Pick<SubmitRunOptions, 'now' | 'sleep' | 'onEvent' | 'counters'> {
  transport: Transport;
  resultsDir: string;
  dryRun?: boolean;
}

export interface ResubmitResult {
  plan: ResubmitPlan;
  /** Experiment → new job id (empty for a dry run). */
  submitted: Record<string, string>;
  record: RunRecord;
}

function assertResubmittable(record: RunRecord): void {
  if (record.local === true) {
    throw new UsageError(`run ${record.run_id} ran on this machine (run --local); there is nothing to resubmit to a cluster`, 'Run it again with `hpcbench run --local <experiment>`.');
  }
  if (record.phase === 'rendered' || record.phase === 'submitting') {
    throw new UsageError(`run ${record.run_id} was not completely submitted (phase ${record.phase})`, `Finish the submission first: \`hpcbench submit --resume ${record.run_id}\`.`);
  }
}

/** What would be resubmitted, from one squeue and one sacct call for every job of the run. */
export async function planResubmit(transport: Transport, record: RunRecord, counters?: QueryCounters): Promise<ResubmitPlan> {
  assertResubmittable(record);
  const ids = [...new Set(record.jobs.flatMap((j) => [...(j.job_id === undefined ? [] : [j.job_id]), ...(j.after_job_ids ?? [])]))];
  // sacct is asked for every job, even those squeue still shows: an array may have failed tasks beside running ones.
  const { views } = await queryJobs(transport, ids, { restartIds: ids, runCreatedAt: record.created_at, ...(counters ? { counters } : {}) });
  const viewOf = (id: string): JobView | undefined => views.find((v) => v.id === id);
  const plan: ResubmitPlan = { run_id: record.run_id, resubmit: [], update_dependency: [], running: [], unsubmitted: [], completed: [] };
  const resent = new Set<string>();
  const liveIds = new Set(ids.filter((id) => {
    const view = viewOf(id);
    return view !== undefined && view.source !== 'none' && !isTerminal(view.state);
  }));
  // Dependencies worth waiting for: resubmitted now, or not ended yet.
  const waitsFor = (job: RunJob): string[] => job.depends_on.filter((name) => resent.has(name) || (findJob(record, name)?.job_id !== undefined && liveIds.has(findJob(record, name)?.job_id ?? '')));
  for (const job of record.jobs) {
    if (job.job_id === undefined) {
      plan.unsubmitted.push(job.experiment);
      continue;
    }
    const split = splitTasks(job, viewOf(job.job_id));
    if (split.failed.size > 0) {
      const tasks = [...split.failed.keys()];
      resent.add(job.experiment);
      plan.resubmit.push({
        experiment: job.experiment,
        job_id: job.job_id,
        tasks,
        states: Object.fromEntries(split.failed),
        ...(job.array ? { array: arraySpecFor(job, tasks) } : {}),
        waits_for: waitsFor(job),
        after_job_ids: (job.after_job_ids ?? []).filter((id) => liveIds.has(id)),
      });
      continue;
    }
    if (split.live.length > 0) {
      if (job.depends_on.some((d) => resent.has(d))) plan.update_dependency.push({ experiment: job.experiment, job_id: job.job_id, waits_for: waitsFor(job) });
      else plan.running.push({ experiment: job.experiment, job_id: job.job_id, tasks: split.live.length });
      continue;
    }
    if (split.completed.length > 0) plan.completed.push(job.experiment);
  }
  return plan;
}

function dependencyOn(record: RunRecord, job: RunJob, waits: readonly string[], liveAfter: readonly string[]): Dependency | null {
  const ids = [...waits.map((name) => findJob(record, name)?.job_id ?? ''), ...liveAfter].filter((id) => id !== '');
  return ids.length === 0 ? null : { all: [{ type: 'afterok', jobIds: ids }] };
}

/** Describes one planned resubmission for people: `train 812: tasks 1 (FAILED) → sbatch --array=1`. */
export function describeResubmission(p: PlannedResubmission): string {
  const what = p.array === undefined ? `ended ${p.states.main ?? '?'}` : `tasks ${p.tasks.map((t) => `${t} (${p.states[t] ?? '?'})`).join(', ')}`;
  return `${p.experiment} job ${p.job_id}: ${what} → sbatch${p.array === undefined ? '' : ` --array=${p.array}`}${p.waits_for.length > 0 ? ` after ${p.waits_for.join(', ')}` : ''}`;
}

/**
 * Resubmits what did not complete and records it; the caller holds the run lock. A dry run
 * returns the plan and changes nothing.
 */
export async function resubmitRun(record: RunRecord, options: ResubmitOptions): Promise<ResubmitResult> {
  const plan = await planResubmit(options.transport, record, options.counters);
  const submitted: Record<string, string> = {};
  if (options.dryRun || (plan.resubmit.length === 0 && plan.update_dependency.length === 0)) return { plan, submitted, record };
  const s = makeSubmitter({ ...options, onEvent: options.onEvent ?? ((_: SubmitEvent) => undefined) }, record);
  if (record.phase === 'cancelled') record.phase = 'submitted';
  const resentNames = new Set(plan.resubmit.map((p) => p.experiment));
  for (const job of record.jobs) {
    const p = plan.resubmit.find((r) => r.experiment === job.experiment);
    if (p) {
      const dependency = dependencyOn(record, job, p.waits_for, p.after_job_ids);
      await submitJob(s, job, true, { dependency, ...(p.array === undefined ? {} : { array: p.array }) });
      const fresh = job.job_id ?? '?';
      submitted[job.experiment] = fresh;
      const kept = p.array === undefined ? '' : `; the other tasks keep their results under job ${p.job_id}`;
      addHistory(record, { event: 'resubmitted', experiment: job.experiment, job_id: fresh, message: `hpcbench resubmit: ${describeResubmission(p)}, replaces ${p.job_id}${kept}` }, s.now());
      continue;
    }
    const u = plan.update_dependency.find((d) => d.experiment === job.experiment);
    if (u && job.job_id !== undefined && u.waits_for.some((w) => resentNames.has(w))) {
      const dependency = dependencyOn(record, job, u.waits_for, []);
      if (dependency === null || !('all' in dependency)) continue;
      const ids = dependency.all.flatMap((c) => c.jobIds);
      await s.transport.exec(['scontrol', 'update', `JobId=${job.job_id}`, `Dependency=afterok:${ids.join(':')}`]);
      addHistory(record, { event: 'note', experiment: job.experiment, job_id: job.job_id, message: `hpcbench resubmit: dependency now afterok:${ids.join(':')}` }, s.now());
    }
  }
  await writeRunRecord(options.resultsDir, record, s.now());
  return { plan, submitted, record };
}
