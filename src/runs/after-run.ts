/**
 * `submit <experiment> --after <run>`: an earlier run's jobs stand in for the experiment's
 * dependencies, so a trained model is not trained again. The earlier jobs are asked of SLURM in
 * one squeue (and at most one sacct) call: completed ones satisfy the dependency outright, jobs
 * still queued or running become `afterok:<their ids>`, and a job that ended any other way
 * (FAILED, TIMEOUT, CANCELLED, one failed array task…) refuses the submission, since `afterok` on
 * it could never be satisfied.
 */
import type { ResolvedConfig } from '../config/index.js';
import { UsageError } from '../errors.js';
import { orderExperiments } from '../render/render-run.js';
import { formatJobState, isTerminal, type JobView } from '../slurm/index.js';
import type { Transport } from '../transport/transport.js';
import { queryJobs, type QueryCounters } from './query.js';
import { addHistory, type RunRecord } from './run-record.js';

type AfterRun = NonNullable<RunRecord['after']>;

export interface AfterRunPlan {
  /** The config with the satisfied dependencies removed, so render leaves those experiments out. */
  config: ResolvedConfig;
  /** Experiments of the chain the earlier run stands in for. */
  satisfied: string[];
  /** Experiment of the new run → satisfied dependencies it had (to wire `afterok` to the earlier ids). */
  dependsOnEarlier: Record<string, string[]>;
}

/**
 * Which dependencies of `experiment` the earlier run provides, and the config without them. The
 * experiment asked for is always submitted, even if the earlier run ran it too.
 */
export function planAfterRun(config: ResolvedConfig, experiment: string, earlier: RunRecord): AfterRunPlan {
  if (earlier.local === true) {
    throw new UsageError(`run ${earlier.run_id} ran on this machine (run --local); --after needs a run submitted to the cluster`, 'Name a run listed by `hpcbench runs` with a cluster phase (submitted).');
  }
  const chain = orderExperiments(config, experiment).map((e) => e.name).filter((name) => name !== experiment);
  const provided = new Set(earlier.jobs.filter((j) => j.job_id !== undefined).map((j) => j.experiment));
  const satisfied = chain.filter((name) => provided.has(name));
  if (satisfied.length === 0) {
    const wanted = config.experiments[experiment]?.depends_on ?? [];
    throw new UsageError(
      `run ${earlier.run_id} has no job for any dependency of ${experiment} (${chain.length > 0 ? chain.join(', ') : 'it depends on nothing'}); it ran ${[...provided].join(', ') || 'no job'}`,
      wanted.length > 0 ? `Name a run that submitted ${wanted.join(' or ')}, or submit ${experiment} without --after.` : `Submit ${experiment} without --after.`,
    );
  }
  const done = new Set(satisfied);
  const experiments: ResolvedConfig['experiments'] = {};
  const dependsOnEarlier: Record<string, string[]> = {};
  for (const [name, exp] of Object.entries(config.experiments)) {
    const earlierDeps = exp.depends_on.filter((d) => done.has(d));
    if (earlierDeps.length > 0) dependsOnEarlier[name] = earlierDeps;
    experiments[name] = { ...exp, depends_on: exp.depends_on.filter((d) => !done.has(d)) };
  }
  return { config: { ...config, experiments }, satisfied, dependsOnEarlier };
}

/** A view's tasks that ended other than COMPLETED, e.g. `FAILED (task 1)`; empty when none did. */
function failedParts(view: JobView): string[] {
  const out: string[] = [];
  for (const r of view.records) {
    if (r.arrayPendingRange || !isTerminal(r.state) || r.state.name === 'COMPLETED') continue;
    out.push(r.arrayTaskId === undefined ? formatJobState(r.state) : `${formatJobState(r.state)} (task ${r.arrayTaskId})`);
  }
  if (out.length === 0 && isTerminal(view.state) && view.state.name !== 'COMPLETED') out.push(formatJobState(view.state));
  return out;
}

export interface AfterRunJobs {
  after: AfterRun;
  /** Ids of the earlier jobs that have not ended yet: the new jobs wait for them with afterok. */
  waiting: Record<string, string>;
}

/**
 * The state of the earlier run's jobs for `satisfied`, from one squeue and at most one sacct call.
 * Throws a UsageError (exit 2) naming the job when one did not complete.
 */
export async function checkAfterRunJobs(
  transport: Transport,
  earlier: RunRecord,
  satisfied: readonly string[],
  options: { counters?: QueryCounters } = {},
): Promise<AfterRunJobs> {
  const jobs = satisfied.map((name) => {
    const job = earlier.jobs.find((j) => j.experiment === name);
    if (job?.job_id === undefined) throw new UsageError(`run ${earlier.run_id} has no job id for ${name}`);
    return { job, id: job.job_id };
  });
  const ids = jobs.map((j) => j.id);
  // sacct is asked even for jobs squeue still shows: an array may have a failed task beside running ones.
  const { views } = await queryJobs(transport, ids, { restartIds: ids, ...(options.counters ? { counters: options.counters } : {}) });
  const after: AfterRun = { run_id: earlier.run_id, remote_dir: earlier.remote_dir, jobs: [] };
  const waiting: Record<string, string> = {};
  const refused: string[] = [];
  for (const { job, id } of jobs) {
    const view = views.find((v) => v.id === id);
    const known = view !== undefined && view.source !== 'none' && view.state.name !== 'UNKNOWN';
    if (!known) {
      // Aged out of squeue and not in accounting: only a completion run.json already saw is trusted.
      if (job.final && job.state === 'COMPLETED') {
        after.jobs.push({ experiment: job.experiment, job_id: id, state: 'COMPLETED' });
        continue;
      }
      refused.push(`${job.experiment} (job ${id}): SLURM no longer knows it and run.json has no completion for it`);
      continue;
    }
    const failed = failedParts(view);
    if (failed.length > 0) {
      refused.push(`${job.experiment} (job ${id}) ended ${failed.join(', ')}`);
      continue;
    }
    const state = formatJobState(view.state);
    after.jobs.push({ experiment: job.experiment, job_id: id, state });
    if (!isTerminal(view.state)) waiting[job.experiment] = id;
  }
  if (refused.length > 0) {
    throw new UsageError(
      `cannot build on run ${earlier.run_id}: ${refused.join('; ')}`,
      `Resubmit what did not complete with \`hpcbench resubmit ${earlier.run_id}\` (then --after it again), or submit without --after to run the chain anew.`,
    );
  }
  return { after, waiting };
}

/** What submitRun needs of `--after`: the earlier run, and which new jobs wait for which earlier ones. */
export interface SubmitAfter {
  after: NonNullable<RunRecord['after']>;
  /** Earlier experiment → its job id, for the jobs not ended yet. */
  waiting: Readonly<Record<string, string>>;
  /** New experiment → the earlier experiments it depended on. */
  dependsOnEarlier: Readonly<Record<string, readonly string[]>>;
}

/** Records `--after` in a fresh run.json: the earlier run, and afterok ids for the jobs still running there. */
export function applyAfterRun(record: RunRecord, plan: SubmitAfter, now: Date): void {
  record.after = { ...plan.after, jobs: plan.after.jobs.map((j) => ({ ...j })) };
  for (const job of record.jobs) {
    const ids = (plan.dependsOnEarlier[job.experiment] ?? []).flatMap((name) => {
      const id = plan.waiting[name];
      return id === undefined ? [] : [id];
    });
    if (ids.length > 0) job.after_job_ids = [...new Set(ids)];
  }
  const states = plan.after.jobs.map((j) => `${j.experiment} ${j.job_id} ${j.state}`).join(', ');
  addHistory(record, { event: 'note', message: `built on run ${plan.after.run_id} (${states}); those jobs are not submitted again` }, now);
}

/** `--after`: the job learns where the earlier run lives, e.g. to load the adapter it trained. */
export function afterExports(record: RunRecord): Record<string, string> | undefined {
  if (!record.after || record.after.remote_dir.includes(',')) return undefined;
  return { HPCBENCH_AFTER_RUN: record.after.run_id, HPCBENCH_AFTER_DIR: record.after.remote_dir };
}
