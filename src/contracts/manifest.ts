/**
 * manifest.json: what render wrote, for submit, fetch, run --local, profile and report. The
 * one schema of the file (src/render/manifest.ts documents each field of the writer's type);
 * submit reads it whole, profile and report through the partial view below, which checks
 * the type of every field that is present.
 */
import { z } from 'zod';
import { runIdSchema } from './run-id.js';

export const MANIFEST_SCHEMA_ID = 'hpcbench.manifest/1';

/** SLURM's own ceiling on MaxArraySize; a larger array cannot have been rendered for a cluster. */
export const MAX_ARRAY_TASKS = 4_000_001;

const RELATIVE_EXPECTED = "a relative path inside the run directory (no leading '/', no '..', no NUL)";

/** Paths inside the run directory: submit uploads them and profile reads them, so none may lead out of it. */
export const runRelativePathSchema = z
  .string({ error: RELATIVE_EXPECTED })
  .min(1, RELATIVE_EXPECTED)
  .refine((p) => !p.startsWith('/') && !p.includes('\0') && !p.includes('\\') && !p.split('/').includes('..'), RELATIVE_EXPECTED);

const EXPERIMENT_EXPECTED = "an experiment name (letters, digits, '.', '_' and '-', starting with a letter or digit)";

const scalar = z.union([z.string(), z.number(), z.boolean()], { error: 'a string, number or boolean' });

/** As the config allows them (they name out/<experiment>/ and the job): never a path. */
const experimentNameSchema = z.string({ error: EXPERIMENT_EXPECTED }).regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, EXPERIMENT_EXPECTED);

export const manifestJobSchema = z.object({
  experiment: experimentNameSchema,
  cluster: z.string().min(1),
  partition: z.string(),
  template: z.string().optional(),
  script: runRelativePathSchema,
  sha256: z.string(),
  job_name: z.string().min(1),
  out_dir: runRelativePathSchema,
  depends_on: z.array(z.string()).default([]),
  array: z
    .object({
      size: z.number().int().positive().max(MAX_ARRAY_TASKS),
      spec: z.string().min(1),
      sweep_file: runRelativePathSchema.optional(),
      params_file: runRelativePathSchema.optional(),
      points: z.array(z.record(z.string(), scalar)).max(MAX_ARRAY_TASKS).optional(),
    })
    .optional(),
  parameters: z.record(z.string(), scalar).default({}),
  gpu_fields: z.array(z.string()).default([]),
  gpu_interval_ms: z.number().positive().optional(),
  inference_log: z.string().optional(),
  training_log: z.string().optional(),
  /** Set when the job checkpoints (relative to the run directory, or absolute: it may live on the cluster's scratch). */
  checkpoint_dir: z.string().optional(),
  term_grace_s: z.number().int().nonnegative().optional(),
  task_dirs: z.array(runRelativePathSchema).optional(),
  /** Partitions that allocate and bill whole nodes: the node's size and a shared partition to suggest. */
  billing: z
    .object({ whole_node: z.literal(true), node_gpus: z.number().int().nonnegative(), node_cpus: z.number().int().positive().optional(), shared_alternative: z.string().optional() })
    .optional(),
});

export const manifestSchema = z.object({
  schema: z.literal(MANIFEST_SCHEMA_ID),
  run_id: runIdSchema,
  created_at: z.string(),
  config_file: z.string().default(''),
  experiments: z.array(experimentNameSchema).min(1),
  jobs: z.array(manifestJobSchema).min(1),
  files: z.array(z.object({ local: z.string(), path: runRelativePathSchema })).default([]),
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
