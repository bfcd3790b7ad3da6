/**
 * metrics.json: everything `hpcbench profile` learned about a run, in one versioned document.
 * The report and compare commands read only this (plus the run directory for reproduction
 * details), never the raw logs.
 */
import type { RejectedLinesReport } from './lines.js';
import type { GpuMetrics } from './gpu/metrics.js';
import type { InferenceMetrics } from './inference/metrics.js';
import type { TrainingMetrics } from './training/metrics.js';
import type { AccountingMetrics } from './accounting/accounting.js';
import type { ProcessUsageSummary } from './process-sampler.js';
import type { CheckpointMetrics } from './training/checkpoint-log.js';
import type { ComputeAppsSummary } from './gpu/nvidia-smi-apps.js';
import type { ManifestJobRecord } from '../contracts/manifest.js';
import type { ProfileWarning } from '../report/i18n/profile-warnings.js';

/** On disk, metrics.json of this version has snake_case keys (src/contracts/metrics-keys.ts); the in-memory names below are the code's. */
export const METRICS_SCHEMA = 'hpcbench.metrics/2';
/** The first version: keys on disk as in memory. Documents read from such a file keep its id, which reports quote. */
export const METRICS_SCHEMA_V1 = 'hpcbench.metrics/1';
export const MAX_KEPT_SAMPLES = 100_000;

export type SourceKind = 'nvidia-smi' | 'dmon' | 'compute-apps' | 'inference' | 'vllm' | 'training' | 'sacct' | 'process' | 'metadata' | 'checkpoints';

export interface SourceFile {
  file: string;
  kind: SourceKind;
  task: string | undefined;
  rejected: RejectedLinesReport | undefined;
}

/** A downsampled time series for charts: at most a few hundred points per GPU. */
export interface GpuSeries {
  gpu: string;
  /** Seconds since the first sample of the task. */
  t: number[];
  utilization: (number | null)[];
  memoryUsedMiB: (number | null)[];
  powerW: (number | null)[];
}

/** What one job, or one array task, measured. */
export interface TaskMetrics {
  experiment: string;
  /** "main" for a plain job, the array task id for a sweep point, or the file stem for loose files. */
  task: string;
  /** Sweep point or parameters of the task. */
  params: Record<string, string | number | boolean | null>;
  job_id: string | undefined;
  gpu: GpuMetrics | undefined;
  gpu_series: GpuSeries[];
  inference: InferenceMetrics | undefined;
  /**
   * Per-record end-to-end latencies (seconds, after warm-up, completed records only), kept so that
   * reports can draw the distribution and `compare` can bootstrap differences. At most
   * MAX_KEPT_SAMPLES values: beyond that, an evenly strided subsample (flagged by `latency_samples_strided`).
   */
  latency_samples_s: number[];
  latency_samples_strided: boolean;
  /** Per-record output tokens/s of the same records, for throughput comparisons. */
  throughput_samples: number[];
  training: TrainingMetrics | undefined;
  accounting: AccountingMetrics | undefined;
  process: ProcessUsageSummary | undefined;
  /** Job metadata written at start by the job script (node, GPU names, driver, CUDA, SLURM vars). */
  metadata: Record<string, unknown> | undefined;
  /** environment.json: modules, python and package versions, driver; absent when the job wrote none. */
  environment?: Record<string, unknown>;
  /** Set when the job's partition allocates and bills whole nodes (from manifest.json). */
  billing?: TaskBilling;
  /**
   * Restarts and the checkpoint signals the job script handled (checkpoints.jsonl, exit.json,
   * sacct); absent when the task neither checkpointed nor restarted, and in documents from before it.
   */
  checkpoints?: CheckpointMetrics;
  /** Processes on the GPUs and their memory (nvidia-smi --query-compute-apps); absent without such a log. */
  gpu_processes?: ComputeAppsSummary;
  /** Sections that could not be filled, each with the reason ("no nvidia-smi log: the job ran on a CPU partition"). */
  missing: MissingSection[];
}

/** Why a section is empty, as a code reports translate; `where` is the task's directory, `job` its job id. */
export type MissingCode =
  | 'no-metadata'
  | 'no-gpu-log'
  | 'no-inference-log'
  | 'no-training-log'
  | 'no-process-samples'
  | 'process-job-too-short'
  | 'local-no-accounting'
  | 'no-sacct-record'
  | 'no-job-id';

export interface MissingSection {
  section: 'gpu' | 'inference' | 'training' | 'accounting' | 'process' | 'metadata';
  /** The reason in English, for people and tools reading metrics.json. */
  reason: string;
  /** The same reason as a code and values, so that reports can say it in their own language (absent in documents from before it). */
  code?: MissingCode;
  values?: { where?: string; job?: string };
}

/** English wording of each missing-section code; reports in other languages translate the code. */
export const MISSING_REASONS_EN: Record<MissingCode, string> = {
  'no-metadata': 'no metadata.json in {where}',
  'no-gpu-log': 'no nvidia-smi log in {where} (a CPU job, or nvidia-smi was absent on the node)',
  'no-inference-log': 'no inference log in {where}',
  'no-training-log': 'no training log in {where}',
  'no-process-samples': 'no process samples in {where} (they are taken by run --local)',
  'process-job-too-short': 'no process samples in {where}: the job ended before the sampler took its first one',
  'local-no-accounting': 'a local run has no SLURM accounting; the process section has CPU and memory use',
  'no-sacct-record': 'no sacct record for job {job} (run `hpcbench fetch` after the job ends)',
  'no-job-id': 'no SLURM job id (a local run, or no metadata.json)',
};

/** Fills `{name}` placeholders from `values`, leaving unknown ones as they are. */
function fillPlaceholders(template: string, values: Readonly<Record<string, string | undefined>>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
}

/** A missing-section entry with its English reason spelled out. */
export function missingSection(section: MissingSection['section'], code: MissingCode, values: MissingSection['values'] = {}): MissingSection {
  return { section, reason: fillPlaceholders(MISSING_REASONS_EN[code], values), code, values };
}

/** A task with nothing measured yet; the profiler fills it section by section. */
export function createTaskMetrics(experiment: string, task: string, params: TaskMetrics['params'] = {}): TaskMetrics {
  return {
    experiment,
    task,
    params,
    job_id: undefined,
    gpu: undefined,
    gpu_series: [],
    inference: undefined,
    latency_samples_s: [],
    latency_samples_strided: false,
    throughput_samples: [],
    training: undefined,
    accounting: undefined,
    process: undefined,
    metadata: undefined,
    missing: [],
  };
}

/** The run's experiments, else (a document of loose log files names none) those of its tasks. */
export function listDocumentExperiments(doc: MetricsDocument): string[] {
  return doc.run.experiments.length > 0 ? doc.run.experiments : [...new Set(doc.tasks.map((t) => t.experiment))];
}

/** One row of a sweep table: a sweep point with its headline metrics. */
export interface SweepPoint {
  experiment: string;
  task: string;
  params: Record<string, string | number | boolean | null>;
  /** null: the result file does not say how many requests its figures cover. */
  requests: number | null;
  output_tokens_per_s: number | null;
  request_throughput: number | null;
  latency_p50_s: number | null;
  latency_p95_s: number | null;
  ttft_p95_s: number | null;
  gpu_utilization_mean: number | null;
  energy_j: number | null;
}

/** A partition that allocates and bills whole nodes: the node's size, and a shared partition beside it (as manifest.json has it). */
export type TaskBilling = NonNullable<ManifestJobRecord['billing']>;

export interface MetricsDocument {
  schema: typeof METRICS_SCHEMA | typeof METRICS_SCHEMA_V1;
  generated_at: string;
  tool: { name: 'hpcbench'; version: string };
  run: {
    run_id: string | undefined;
    experiments: string[];
    cluster: string | undefined;
    partition: string | undefined;
    /** Where the inputs were read from (a run directory, or loose files). */
    root: string;
    /** The project's git commit and dirty state when the run was rendered (from manifest.json). */
    git?: { commit: string; dirty: boolean };
  };
  method: {
    percentile_method: 'linear' | 'nearest-rank';
    /** Records dropped at the start of each inference log (besides flagged ones). */
    warmup_records: number;
    /** Set when experiments of the run use different warm-up counts (from their profiling: settings). */
    warmup_by_experiment?: Record<string, number>;
    bootstrap: { iterations: number; confidence: number; seed: number };
    std: 'sample (ddof=1)';
  };
  sources: SourceFile[];
  tasks: TaskMetrics[];
  sweep: SweepPoint[];
  warnings: string[];
  /** The same warnings as codes and values, parallel to `warnings` (absent in documents from before them). */
  warning_codes?: ProfileWarning[];
}
