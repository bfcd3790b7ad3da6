/**
 * manifest.json: what render wrote, for submit, fetch, run --local, profile and report. The
 * one schema of the file, and its one type (Manifest, which render writes: src/render/manifest.ts);
 * submit reads it whole, profile and report through the partial view below, which checks
 * the type of every field that is present.
 */
import * as z from 'zod';
import { runIdSchema } from './run-id.js';
import { MAX_ARRAY_TASKS } from '../slurm/array-spec.js';

export const MANIFEST_SCHEMA_ID = 'hpcbench.manifest/1';


const RELATIVE_EXPECTED = "a relative path inside the run directory (no leading '/', no '..', no NUL)";

/** Paths inside the run directory: submit uploads them and profile reads them, so none may lead out of it. */
const runRelativePathSchema = z
  .string({ error: RELATIVE_EXPECTED })
  .min(1, RELATIVE_EXPECTED)
  .refine((p) => !p.startsWith('/') && !p.includes('\0') && !p.includes('\\') && !p.split('/').includes('..'), RELATIVE_EXPECTED);

const EXPERIMENT_EXPECTED = "an experiment name (letters, digits, '.', '_' and '-', starting with a letter or digit)";

const scalar = z.union([z.string(), z.number(), z.boolean()], { error: 'a string, number or boolean' });

/** As the config allows them (they name out/<experiment>/ and the job): never a path. */
const experimentNameSchema = z.string({ error: EXPERIMENT_EXPECTED }).regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, EXPERIMENT_EXPECTED);

const manifestJobSchema = z.object({
  experiment: experimentNameSchema,
  cluster: z.string().min(1),
  partition: z.string(),
  template: z.string().optional(),
  /** Relative to the run directory, e.g. scripts/lora.sbatch. */
  script: runRelativePathSchema,
  /** sha256 of the script's bytes, hex. */
  sha256: z.string(),
  job_name: z.string().min(1),
  /** out/<experiment>; each task writes into out/<experiment>/<task>/ (task = "main" or the array index). */
  out_dir: runRelativePathSchema,
  /** Experiment names; submit adds --dependency=afterok:<their job ids> on the sbatch command line. */
  depends_on: z.array(z.string()).default([]),
  array: z
    .object({
      /** Number of array tasks (task ids 0..size-1). */
      size: z.number().int().positive().max(MAX_ARRAY_TASKS),
      /** The `--array` value, e.g. "0-5%2". */
      spec: z.string().min(1),
      /** TSV beside the script: header of names, one line per task. */
      sweep_file: runRelativePathSchema.optional(),
      /** JSONL beside the script: each task's full parameter object (HPCBENCH_PARAMS_JSON). */
      params_file: runRelativePathSchema.optional(),
      /** The swept values of each task, index = task id (fixed parameters are in `parameters`). */
      points: z.array(z.record(z.string(), scalar)).max(MAX_ARRAY_TASKS).optional(),
    })
    .optional(),
  /** Fixed parameters (sweep parameters are in array.points). */
  parameters: z.record(z.string(), scalar).default({}),
  /** nvidia-smi fields logged into nvidia-smi.csv, in column order; empty when the job has no sidecar. */
  gpu_fields: z.array(z.string()).default([]),
  /** Sidecar sampling interval in milliseconds (absent when the job has no sidecar). */
  gpu_interval_ms: z.number().positive().optional(),
  /** Relative to the task's out dir (or absolute), as exported in HPCBENCH_INFERENCE_LOG / HPCBENCH_TRAINING_LOG. */
  inference_log: z.string().optional(),
  training_log: z.string().optional(),
  /** Set when the job checkpoints (relative to the run directory, or absolute: it may live on the cluster's scratch). */
  checkpoint_dir: z.string().optional(),
  /** Seconds the job waits for the workload after SIGTERM, when checkpointing (checked against KillWait). */
  term_grace_s: z.number().int().nonnegative().optional(),
  /** Task output directories the job's #SBATCH --output needs to exist before it starts. */
  task_dirs: z.array(runRelativePathSchema).optional(),
  /** Partitions that allocate and bill whole nodes: the node's size and a shared partition to suggest. */
  billing: z
    .object({ whole_node: z.literal(true), node_gpus: z.number().int().nonnegative(), node_cpus: z.number().int().positive().optional(), shared_alternative: z.string().optional() })
    .optional(),
});

export const manifestSchema = z.object({
  schema: z.literal(MANIFEST_SCHEMA_ID),
  run_id: runIdSchema,
  /** ISO time of rendering (the only time-dependent field; scripts carry none). */
  created_at: z.string(),
  config_file: z.string().default(''),
  /** Topological order: dependencies first. */
  experiments: z.array(experimentNameSchema).min(1),
  jobs: z.array(manifestJobSchema).min(1),
  /** Workload files: `local` as written in hpcbench.yaml (relative to the config's directory, or absolute), `path` in the run directory. */
  files: z.array(z.object({ local: z.string(), path: runRelativePathSchema })).default([]),
  /** The Hugging Face prefetch script, when the run names models or datasets. */
  prefetch_script: runRelativePathSchema.optional(),
  /** The project's git commit and dirty state at render time (absent outside a git checkout). */
  git: z.object({ commit: z.string().regex(/^[0-9a-f]{40,64}$/), dirty: z.boolean() }).optional(),
});

/**
 * The same fields for readers that need only some (profile, report), as run directories
 * assembled by hand often have: every field optional but `jobs[].experiment`, each still typed.
 */
export const manifestViewSchema = manifestSchema.partial().extend({
  jobs: z.array(manifestJobSchema.partial().required({ experiment: true })).optional(),
});

export type Manifest = z.output<typeof manifestSchema>;
export type ManifestJobRecord = Manifest['jobs'][number];
export type ManifestView = z.output<typeof manifestViewSchema>;

export const MANIFEST_INFO = {
  expected: `a ${MANIFEST_SCHEMA_ID} document written by hpcbench render`,
  fix: 'render the run again (`hpcbench render`), or restore the file',
};
