/**
 * Where a run's logs are: the tasks of a run directory (from manifest.json, plus any output
 * directory it does not list), the kind of each file in a task's directory, and the SLURM facts
 * (sacct record, job id) that belong to a task.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseJsonText, readJsonDocumentSync, readJsonText, validateDocument } from '../contracts/json-file.js';
import { MANIFEST_INFO, manifestViewSchema, type ManifestView } from '../contracts/manifest.js';
import { METADATA_INFO, metadataSchema } from '../contracts/metadata.js';
import { RUN_INFO, runViewSchema, type RunView } from '../contracts/run.js';
import type { SacctJob } from '../slurm/sacct.js';
import type { AccountingRecord } from './accounting/accounting.js';
import type { TaskBilling } from './metrics-document.js';
import { detectLogKind, type LogKind } from './detect-kind.js';

export interface TaskFiles {
  experiment: string;
  task: string;
  dir: string;
  params: Record<string, string | number | boolean | null>;
  gpuFields: readonly string[] | undefined;
  files: { file: string; kind: LogKind }[];
  /** job.out and `*.log` files of no recognised kind: where profiling.extractors look for records. */
  textLogs?: string[];
  /** From the manifest: the job ran on a partition that bills whole nodes. */
  billing?: TaskBilling;
}

const KNOWN_NAMES: Record<string, LogKind> = {
  'nvidia-smi.csv': 'nvidia-smi',
  'nvidia-smi-dmon.log': 'dmon',
  'dmon.log': 'dmon',
  'compute-apps.csv': 'compute-apps',
  'inference.jsonl': 'inference',
  'train.jsonl': 'training',
  'training.jsonl': 'training',
  'metadata.json': 'metadata',
  'process.json': 'process',
  'checkpoints.jsonl': 'checkpoints',
  'exit.json': 'exit',
};

/** A node's nvidia-smi query log in a multinode job's task directory. */
const NODE_GPU_LOG = /^nvidia-smi-.+\.csv$/;

/** The kind a file's name alone tells (the run layout's names, per-node GPU logs), if any. */
export function kindByName(name: string): LogKind | undefined {
  return KNOWN_NAMES[name] ?? (NODE_GPU_LOG.test(name) ? 'nvidia-smi' : undefined);
}

/** manifest.json checked against the manifest contract (the fields present must have their type); undefined when absent. */
export function readManifestView(file: string): ManifestView | undefined {
  if (!existsSync(file)) return undefined;
  return readJsonDocumentSync(manifestViewSchema, file, MANIFEST_INFO);
}

/** run.json checked against the run contract (the fields present must have their type); undefined when absent. */
export function readRunView(file: string): RunView | undefined {
  if (!existsSync(file)) return undefined;
  return readJsonDocumentSync(runViewSchema, file, RUN_INFO);
}

/** A task's metadata.json checked against its contract: an object whose known keys have their type. */
export function readMetadata(file: string): Record<string, unknown> {
  const value = parseJsonText(readJsonText(file, METADATA_INFO), file, METADATA_INFO);
  validateDocument(metadataSchema, value, file, METADATA_INFO);
  // The object as the job wrote it (zod's copy reorders keys; reports list them in the job's order).
  return value as Record<string, unknown>;
}

/** Larger than any snapshot a job writes; a bigger file is not one of ours. */
const MAX_ENVIRONMENT_BYTES = 1024 * 1024;

/**
 * The environment snapshot a job wrote before its workload (environment.json), with the name of
 * pip-freeze.txt beside it when present. Best effort: it documents a run and never blocks its
 * profile, so a missing, oversized or broken file gives undefined.
 */
export function readEnvironmentSnapshot(taskDir: string): Record<string, unknown> | undefined {
  const file = join(taskDir, 'environment.json');
  try {
    const stat = statSync(file);
    if (!stat.isFile() || stat.size > MAX_ENVIRONMENT_BYTES) return undefined;
    const value: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    const snapshot = value as Record<string, unknown>;
    const freeze = join(taskDir, 'pip-freeze.txt');
    const hasFreeze = existsSync(freeze) && statSync(freeze).isFile();
    return { ...snapshot, pip_freeze: hasFreeze ? 'pip-freeze.txt' : null };
  } catch {
    return undefined;
  }
}

async function classifyTaskDir(dir: string): Promise<{ files: { file: string; kind: LogKind }[]; textLogs: string[] }> {
  const found: { file: string; kind: LogKind }[] = [];
  const textLogs: string[] = [];
  let jobOutTraining: string | undefined;
  for (const name of readdirSync(dir).sort()) {
    const file = join(dir, name);
    if (!statSync(file).isFile() || statSync(file).size === 0) continue;
    // Multinode jobs write one query log per node (nvidia-smi-<host>.csv); GPUs are keyed by uuid.
    const known = kindByName(name);
    if (known) found.push({ file, kind: known });
    else if (name === 'job.out') {
      // A Trainer run prints its loss dicts to stdout: job.out is its training log when there is no other.
      if ((await detectLogKind(file)) === 'training') jobOutTraining = file;
      else textLogs.push(file);
    } else if (/\.(jsonl|json|csv|log)$/.test(name) && !/^job\.err$|^exit\.json$/.test(name)) {
      const kind = await detectLogKind(file);
      if (kind !== 'unknown') found.push({ file, kind });
      else if (name.endsWith('.log')) textLogs.push(file);
    }
  }
  if (jobOutTraining !== undefined) {
    if (found.some((f) => f.kind === 'training')) textLogs.unshift(jobOutTraining);
    else found.push({ file: jobOutTraining, kind: 'training' });
  }
  const state = latestTrainerState(dir);
  if (state !== undefined && !found.some((f) => f.kind === 'training')) found.push({ file: state, kind: 'training' });
  return { files: found, textLogs };
}

/**
 * The Trainer saves trainer_state.json in each checkpoint-<step>/ of its output_dir; the one of the
 * highest step holds the whole log_history. Used when the task has no other training log.
 */
function latestTrainerState(dir: string): string | undefined {
  let best: { step: number; file: string } | undefined;
  for (const name of readdirSync(dir)) {
    const match = /^checkpoint-(\d+)$/.exec(name);
    const file = join(dir, name, 'trainer_state.json');
    if (match === null || !existsSync(file)) continue;
    const step = Number(match[1]);
    if (best === undefined || step > best.step) best = { step, file };
  }
  return best?.file;
}

export async function discoverTasks(runDir: string, manifest: ManifestView | undefined): Promise<TaskFiles[]> {
  const outRoot = join(runDir, 'out');
  const tasks: TaskFiles[] = [];
  const seen = new Set<string>();
  for (const job of manifest?.jobs ?? []) {
    const outDir = join(runDir, job.out_dir ?? join('out', job.experiment));
    const names = job.array ? Array.from({ length: job.array.size }, (_, i) => String(i)) : ['main'];
    for (const task of names) {
      const dir = join(outDir, task);
      seen.add(dir);
      const point = job.array?.points?.[Number(task)];
      tasks.push({
        experiment: job.experiment,
        task,
        dir,
        params: { ...(job.parameters ?? {}), ...(point ?? {}) },
        gpuFields: job.gpu_fields,
        ...(job.billing ? { billing: job.billing } : {}),
        ...(existsSync(dir) ? await classifyTaskDir(dir) : { files: [], textLogs: [] }),
      });
    }
  }
  // Output directories the manifest does not list (a run directory assembled by hand).
  if (existsSync(outRoot)) {
    for (const experiment of readdirSync(outRoot).sort()) {
      const expDir = join(outRoot, experiment);
      if (!statSync(expDir).isDirectory()) continue;
      for (const task of readdirSync(expDir).sort()) {
        const dir = join(expDir, task);
        if (seen.has(dir) || !statSync(dir).isDirectory()) continue;
        tasks.push({ experiment, task, dir, params: {}, gpuFields: undefined, ...(await classifyTaskDir(dir)) });
      }
    }
  }
  return tasks;
}

export function sacctToRecord(job: SacctJob): AccountingRecord {
  // Unknown counts stay null, so CPU- and GPU-hours are unknown rather than 0.
  const cpus = job.cpus ?? job.allocTres?.cpus ?? null;
  const nodes = job.nodeCount ?? job.allocTres?.nodes ?? 1;
  let reqMemMiB: number | undefined;
  if (job.reqMem && !(job.reqMem.per === 'cpu' && cpus === null)) reqMemMiB = job.reqMem.per === 'cpu' ? job.reqMem.mib * (cpus ?? 0) : job.reqMem.per === 'node' ? job.reqMem.mib * nodes : job.reqMem.mib;
  const date = (text: string | undefined): Date | undefined => {
    if (!text) return undefined;
    const d = new Date(text);
    return Number.isNaN(d.getTime()) ? undefined : d;
  };
  const exit = job.exitCode ? `${job.exitCode.code}:${job.exitCode.signal}` : '0:0';
  return {
    jobId: job.jobId,
    state: job.state.name === 'CANCELLED' && job.state.by !== undefined ? `CANCELLED by ${job.state.by}` : job.state.name,
    exitCode: exit,
    submit: date(job.submitTime),
    start: date(job.startTime),
    end: date(job.endTime),
    // Absent Elapsed stays unknown (null): a 0 here became 0 CPU-hours and a 0:00 run in reports.
    elapsedSeconds: job.elapsedSeconds ?? null,
    totalCpuSeconds: job.totalCpuSeconds,
    ncpus: cpus,
    maxRssMiB: job.maxRssMiB,
    reqMemMiB,
    gpus: job.allocTres === undefined ? null : (job.allocTres.gpus ?? 0),
    nodes,
    partition: job.partition ?? '',
  };
}

/** The job id a task's metadata names (`123` or `123_4` for an array task). */
export function jobIdOf(metadata: Record<string, unknown> | undefined): string | undefined {
  if (!metadata) return undefined;
  const pick = (...keys: string[]): string | undefined => {
    for (const key of keys) {
      const value = metadata[key] ?? (metadata.slurm as Record<string, unknown> | undefined)?.[key];
      // Only a string or number is a job id; a mapping or list there would print as [object Object].
      if ((typeof value === 'string' && value !== '') || typeof value === 'number') return String(value);
    }
    return undefined;
  };
  const arrayJob = pick('array_job_id', 'SLURM_ARRAY_JOB_ID');
  const arrayTask = pick('array_task_id', 'SLURM_ARRAY_TASK_ID');
  if (arrayJob && arrayTask) return `${arrayJob}_${arrayTask}`;
  return pick('job_id', 'SLURM_JOB_ID');
}
