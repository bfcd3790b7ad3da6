/**
 * The shape of hpcbench.yaml, as a zod schema. Keys are snake_case, as they are written in the file,
 * so a config path in an error message is exactly what the user typed.
 *
 * This schema checks shape and types only. Facts that need the whole document (does the partition
 * exist on that cluster, is the time under the partition's limit) are checked in validate.ts after
 * presets are merged.
 */
import * as z from 'zod';

const scalar = z.union([z.string(), z.number(), z.boolean()]);

/** A duration as SLURM writes it ("02:00:00", "1-12", "90"); a bare number means minutes, as in sbatch. */
const slurmTimeSchema = z.union([z.string().min(1), z.number().int().positive()]);

/** Memory as SLURM writes it ("64G", "512M", "1T"); a bare number means MiB, as in sbatch. */
const slurmMemorySchema = z.union([z.string().regex(/^\d+(\.\d+)?\s*[KMGT]i?B?$/i, 'memory like 64G, 512M or 1T'), z.number().int().positive()]);

export const partitionSchema = z.strictObject({
  kind: z.enum(['gpu', 'cpu']).optional(),
  description: z.string().optional(),
  gpus_per_node: z.number().int().min(0).optional(),
  gpu_type: z.string().optional(),
  /** How GPUs are asked for: `--gres=gpu:N` (most clusters) or `--gpus-per-node=N`. */
  gpu_request: z.enum(['gres', 'gpus-per-node']).optional(),
  cpus_per_node: z.number().int().positive().optional(),
  mem_per_node: slurmMemorySchema.optional(),
  max_time: slurmTimeSchema.optional(),
  default_time: slurmTimeSchema.optional(),
  max_nodes: z.number().int().positive().optional(),
  /** Nodes are shared between jobs: ask for a share of CPUs and memory rather than the whole node. */
  shared: z.boolean().optional(),
  /** The centre allocates and bills whole nodes: jobs get every CPU and `--mem=0` (all of the node's memory). */
  whole_node: z.boolean().optional(),
});

export const sshObjectSchema = z.strictObject({
  /** A Host alias from ~/.ssh/config or a host name. */
  host: z.string().min(1),
  user: z.string().min(1).optional(),
  port: z.number().int().min(1).max(65535).optional(),
  identity_file: z.string().optional(),
  known_hosts: z.string().optional(),
  proxy_jump: z.string().optional(),
  ssh_config: z.string().optional(),
});

/** How the centre charges: service units per GPU/CPU hour and money per unit, or a price per GPU-hour. */
export const ratesSchema = z.strictObject({
  su_per_gpu_hour: z.number().nonnegative().optional(),
  su_per_cpu_hour: z.number().nonnegative().optional(),
  currency_per_su: z.number().nonnegative().optional(),
  cost_per_gpu_hour: z.number().nonnegative().optional(),
  currency: z.string().optional(),
});

export const clusterSchema = z.strictObject({
  preset: z.string().optional(),
  description: z.string().optional(),
  transport: z.enum(['ssh', 'local']).optional(),
  /** "alias", "user@host:port", or an object. */
  ssh: z.union([z.string().min(1), sshObjectSchema]).optional(),
  /** Remote directory where runs are uploaded; `{project}` and `{user}` are substituted. */
  workdir: z.string().optional(),
  scratch: z.string().optional(),
  project: z.string().optional(),
  user: z.string().optional(),
  account: z.string().optional(),
  qos: z.string().optional(),
  require_account: z.boolean().optional(),
  partitions: z.record(z.string(), partitionSchema).optional(),
  default_partition: z.string().optional(),
  /** Shell lines run before the workload: `module load …`, `source venv/bin/activate`, `conda activate …`. */
  setup: z.array(z.string()).optional(),
  env: z.record(z.string(), scalar).optional(),
  hf_cache: z.string().optional(),
  max_time: slurmTimeSchema.optional(),
  rates: ratesSchema.optional(),
  /** sbatch options that must appear on every job (e.g. `--constraint`). */
  extra_directives: z.array(z.string()).optional(),
  source: z.string().optional(),
  checked: z.string().optional(),
});

const resourcesSchema = z.strictObject({
  time: slurmTimeSchema.optional(),
  nodes: z.number().int().positive().optional(),
  /** GPUs per node. */
  gpus: z.number().int().min(0).optional(),
  ntasks_per_node: z.number().int().positive().optional(),
  cpus_per_task: z.number().int().positive().optional(),
  mem: slurmMemorySchema.optional(),
  exclusive: z.boolean().optional(),
  constraint: z.string().optional(),
});

const extractorSchema = z.strictObject({
  /** A JavaScript regular expression with named groups; each group becomes a field. */
  pattern: z.string().min(1),
  flags: z.string().optional(),
  /** Names for unnamed groups, in order. */
  fields: z.array(z.string()).optional(),
  file: z.string().optional(),
});

const sloSchema = z.strictObject({
  ttft_ms: z.number().positive().optional(),
  tpot_ms: z.number().positive().optional(),
  e2e_ms: z.number().positive().optional(),
});

const profilingSchema = z.strictObject({
  nvidia_smi: z.boolean().optional(),
  interval_ms: z.number().int().min(50).max(3_600_000).optional(),
  gpu_fields: z.array(z.string().regex(/^[a-z][a-zA-Z0-9_.]*$/, 'an nvidia-smi field name such as utilization.gpu')).optional(),
  warmup: z.number().int().min(0).optional(),
  percentile_method: z.enum(['linear', 'nearest-rank']).optional(),
  slo: sloSchema.optional(),
  latency_slo_ms: z.number().positive().optional(),
  extractors: z.array(extractorSchema).optional(),
  inference_log: z.string().optional(),
  training_log: z.string().optional(),
  sample_processes: z.boolean().optional(),
  /** The --format list of headerless sacct output (`sacct -n`), e.g. `JobID,JobName%20,State,Elapsed`. */
  /** A GPU sample counts as busy when its utilization is strictly above this percent (default 0). */
  gpu_busy_threshold_pct: z.number().min(0).max(100).optional(),
  sacct_fields: z.string().regex(/^[A-Za-z]+(%-?\d+)?(,[A-Za-z]+(%-?\d+)?)*$/, 'a sacct --format list such as JobID,JobName%20,State,Elapsed,TotalCPU,NCPUS').optional(),
});

const checkpointSchema = z.strictObject({
  enabled: z.boolean().optional(),
  /** TERM and INT are refused with a reason when the experiment is resolved. */
  signal: z.enum(['USR1', 'USR2', 'TERM', 'INT']).optional(),
  /** Seconds before the time limit at which SLURM sends the signal. */
  seconds_before: z.number().int().min(10).max(86_400).optional(),
  requeue: z.boolean().optional(),
  /** Directory (relative to the job's run directory unless absolute) exported as HPCBENCH_CHECKPOINT_DIR. */
  dir: z.string().optional(),
  /** Seconds the trap waits for the workload to write its checkpoint. */
  grace_seconds: z.number().int().min(1).max(3600).optional(),
  /** Seconds the TERM trap waits for the workload (scancel, time limit); keep it below the cluster's KillWait. */
  term_grace_seconds: z.number().int().min(0).max(600).optional(),
  /** At most this many requeues; then the job ends FAILED with exit code 92. */
  max_restarts: z.number().int().min(0).max(1000).optional(),
});

/** `hpcbench estimate`: the size of the full work (one of steps, epochs × steps_per_epoch, or items) and the --time margin. */
export const estimateSchema = z.strictObject({
  steps: z.number().int().positive().optional(),
  epochs: z.number().positive().optional(),
  steps_per_epoch: z.number().int().positive().optional(),
  items: z.number().int().positive().optional(),
  margin_pct: z.number().min(0).max(500).optional(),
});

const referenceSchema = z.strictObject({
  value: z.number(),
  tolerance_pct: z.number().nonnegative().optional(),
  direction: z.enum(['higher', 'lower']).optional(),
});

const sweepSchema = z.strictObject({
  matrix: z.record(z.string(), z.array(scalar).min(1)),
  /** At most this many array tasks run at once (`--array=0-N%max_parallel`). */
  max_parallel: z.number().int().positive().optional(),
  exclude: z.array(z.record(z.string(), scalar)).optional(),
});

export const experimentSchema = z.strictObject({
  description: z.string().optional(),
  template: z.string().min(1).optional(),
  cluster: z.string().optional(),
  partition: z.string().optional(),
  job_name: z.string().optional(),
  resources: resourcesSchema.optional(),
  /** The workload command line, run from the job's run directory. */
  command: z.string().optional(),
  /** Local files or folders uploaded with the run (workload scripts, data). */
  files: z.array(z.string()).optional(),
  parameters: z.record(z.string(), scalar).optional(),
  sweep: sweepSchema.optional(),
  profiling: profilingSchema.optional(),
  depends_on: z.array(z.string()).optional(),
  /** Hugging Face model or dataset ids the job reads from the offline cache. */
  models: z.array(z.string()).optional(),
  datasets: z.array(z.string()).optional(),
  checkpoint: checkpointSchema.optional(),
  references: z.record(z.string(), referenceSchema).optional(),
  estimate: estimateSchema.optional(),
  env: z.record(z.string(), scalar).optional(),
  setup: z.array(z.string()).optional(),
  extra_directives: z.array(z.string()).optional(),
});

export const configSchema = z.strictObject({
  version: z.literal(1).optional(),
  project: z.string().optional(),
  /**
   * The project directory, relative to this file (default: the file's own directory): `files:`,
   * a project templates/ directory and results/ are found there.
   */
  root: z.string().min(1).optional(),
  clusters: z.record(z.string(), clusterSchema),
  experiments: z.record(z.string(), experimentSchema).optional(),
  defaults: z
    .strictObject({
      cluster: z.string().optional(),
      profiling: profilingSchema.optional(),
    })
    .optional(),
  /** `hpcbench fetch`: files bigger than max_file_mb (MiB, default 2048) are reported and not downloaded. */
  fetch: z.strictObject({ max_file_mb: z.number().positive().optional() }).optional(),
  /** `hpcbench watch`: when its live view warns (docs/watch.md). */
  watch: z
    .strictObject({
      gpu_idle_minutes: z.number().positive().optional(),
      gpu_idle_threshold_pct: z.number().min(0).max(100).optional(),
      memory_warn_fraction: z.number().gt(0).max(1).optional(),
      sstat: z.boolean().optional(),
    })
    .optional(),
});

export type RawConfig = z.infer<typeof configSchema>;
export type RawCluster = z.infer<typeof clusterSchema>;
export type RawPartition = z.infer<typeof partitionSchema>;
export type RawExperiment = z.infer<typeof experimentSchema>;
export type SshSettings = z.infer<typeof sshObjectSchema>;
export type Rates = z.infer<typeof ratesSchema>;
export type Scalar = z.infer<typeof scalar>;
export type RawEstimate = z.infer<typeof estimateSchema>;
