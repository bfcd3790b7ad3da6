/**
 * The run manifest: what render wrote, for submit, fetch, run --local, profile and report.
 * The shape is a shared contract (see README "Run directory"); add fields, never rename them.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { WholeNodeBilling } from './preflight-whole-node.js';
import type { ProjectGit } from './project-git.js';
import type { ParamRecord } from './sweep.js';

export const MANIFEST_SCHEMA = 'hpcbench.manifest/1';

export interface ManifestArray {
  /** Number of array tasks (task ids 0..size-1). */
  size: number;
  /** The `--array` value, e.g. "0-5%2". */
  spec: string;
  /** TSV beside the script: header of names, one line per task. */
  sweep_file: string;
  /** JSONL beside the script: each task's full parameter object (HPCBENCH_PARAMS_JSON). */
  params_file: string;
  /** The swept values of each task, index = task id (fixed parameters are in `parameters`). */
  points: ParamRecord[];
}

export interface ManifestJob {
  experiment: string;
  cluster: string;
  partition: string;
  template: string;
  /** Relative to the run directory, e.g. scripts/lora.sbatch. */
  script: string;
  /** sha256 of the script's bytes, hex. */
  sha256: string;
  job_name: string;
  /** out/<experiment>; each task writes into out/<experiment>/<task>/ (task = "main" or the array index). */
  out_dir: string;
  /** Experiment names; submit adds --dependency=afterok:<their job ids> on the sbatch command line. */
  depends_on: string[];
  array?: ManifestArray;
  /** Fixed parameters (sweep parameters are in array.points). */
  parameters: ParamRecord;
  /** nvidia-smi fields logged into nvidia-smi.csv, in column order; empty when the job has no sidecar. */
  gpu_fields: string[];
  /** Sidecar sampling interval in milliseconds (absent when the job has no sidecar). */
  gpu_interval_ms?: number;
  /** Relative to the task's out dir (or absolute), as exported in HPCBENCH_INFERENCE_LOG / HPCBENCH_TRAINING_LOG. */
  inference_log: string;
  training_log: string;
  /** Checkpoint directory relative to the run dir (per task: <dir>/<experiment>/<task>), when checkpointing. */
  checkpoint_dir?: string;
  /** Seconds the job waits for the workload after SIGTERM, when checkpointing (checked against KillWait). */
  term_grace_s?: number;
  /** Task output directories the job's #SBATCH --output needs to exist before it starts. */
  task_dirs: string[];
  /** Set on partitions that allocate and bill whole nodes, for the report's advice. */
  billing?: WholeNodeBilling;
}

export interface ManifestFile {
  /** As written in hpcbench.yaml: relative to the config's directory, or absolute. */
  local: string;
  /** Relative to the run directory. */
  path: string;
}

export interface RunManifest {
  schema: typeof MANIFEST_SCHEMA;
  run_id: string;
  /** ISO time of rendering (the only time-dependent field; scripts carry none). */
  created_at: string;
  config_file: string;
  /** Topological order: dependencies first. */
  experiments: string[];
  jobs: ManifestJob[];
  files: ManifestFile[];
  /** Relative path of the Hugging Face prefetch script, when the run names models or datasets. */
  prefetch_script?: string;
  /** The project's git commit and dirty state at render time; absent outside a git checkout. */
  git?: ProjectGit;
}

// One definition, shared with the readers that validate run.json and manifest.json.
export { RUN_ID_PATTERN } from '../contracts/run-id.js';

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** `YYYYMMDD-HHMMSS-<experiment>-<4 hex>` in UTC. */
export function createRunId(firstExperiment: string, now: Date = new Date(), random: () => string = () => randomBytes(2).toString('hex')): string {
  const stamp = `${now.getUTCFullYear()}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())}-${pad(now.getUTCHours())}${pad(now.getUTCMinutes())}${pad(now.getUTCSeconds())}`;
  return `${stamp}-${firstExperiment}-${random()}`;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
