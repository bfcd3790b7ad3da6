/**
 * Which tasks of a run are running right now, and where their logs are on the cluster: from the
 * squeue records the watch already has this cycle (no extra SLURM call) and the run's manifest.
 */
import { readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { manifestViewSchema, type ManifestView } from '../contracts/manifest.js';
import type { JobView } from '../slurm/index.js';
import type { PlannedWork } from './live-progress.js';
import type { LiveTask } from './live-watch.js';
import type { RunRecord } from './run-record.js';

type ManifestJobView = NonNullable<ManifestView['jobs']>[number];

/**
 * The jobs of the run's manifest.json, or undefined when there is none that reads (a run directory
 * assembled by hand): the watch then follows job states only, as before.
 */
export async function readLiveManifestJobs(resultsDir: string, runId: string): Promise<ManifestJobView[] | undefined> {
  try {
    const text = await readFile(join(resultsDir, runId, 'manifest.json'), 'utf8');
    const parsed = manifestViewSchema.safeParse(JSON.parse(text));
    return parsed.success ? (parsed.data.jobs ?? []) : undefined;
  } catch {
    return undefined;
  }
}

function remoteLog(outDir: string, log: string | undefined): string | undefined {
  if (log === undefined || log === '') return undefined;
  return log.startsWith('/') ? log : posix.join(outDir, log);
}

/** The running tasks among this cycle's views (one per array task), with their files. */
export function selectLiveTasks(views: readonly JobView[], record: RunRecord, manifestJobs: readonly ManifestJobView[], planned: Readonly<Record<string, PlannedWork>> = {}): LiveTask[] {
  const out: LiveTask[] = [];
  for (const view of views) {
    const job = record.jobs.find((j) => j.job_id === view.id);
    const mjob = job && manifestJobs.find((m) => m.experiment === job.experiment);
    if (!job || !mjob) continue;
    const outRoot = posix.join(record.remote_dir, mjob.out_dir ?? posix.join('out', job.experiment));
    for (const r of view.records) {
      if (r.state.name !== 'RUNNING' || r.arrayPendingRange) continue;
      const task = r.arrayTaskId ?? 'main';
      if (out.some((t) => t.experiment === job.experiment && t.task === task)) continue;
      const outDir = posix.join(outRoot, task);
      const live: LiveTask = {
        experiment: job.experiment,
        task,
        jobId: r.arrayTaskId === undefined ? view.id : `${r.arrayJobId ?? view.id}_${task}`,
        checkpointing: job.checkpoint === true,
        outDir,
        gpuFields: mjob.gpu_fields ?? [],
      };
      if (r.jobIdRaw !== undefined) live.rawJobId = r.jobIdRaw;
      const work = planned[job.experiment];
      if (work) live.planned = work;
      if (r.elapsedSeconds !== undefined) live.elapsedS = r.elapsedSeconds;
      if (r.timeLimitSeconds !== undefined) live.timeLimitS = r.timeLimitSeconds;
      const training = remoteLog(outDir, mjob.training_log);
      const inference = remoteLog(outDir, mjob.inference_log);
      if (training !== undefined) live.trainingLog = training;
      if (inference !== undefined) live.inferenceLog = inference;
      out.push(live);
    }
  }
  return out;
}
