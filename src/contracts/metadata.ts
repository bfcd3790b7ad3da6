/**
 * metadata.json: what a job script writes at start (templates/sbatch/partials/functions.njk,
 * `hpcb_write_metadata`). Jobs and people add keys, so unknown keys are kept; the keys that
 * hpcbench reads (job ids, restart count, GPUs, SLURM variables) must have their type.
 */
import * as z from 'zod';

export const METADATA_SCHEMA_ID = 'hpcbench.metadata/1';

const DIGITS_EXPECTED = 'a SLURM id (digits, as a string or a number) or null';
const slurmIdSchema = z.union([z.string().regex(/^\d*$/, DIGITS_EXPECTED), z.number().int().nonnegative(), z.null()], { error: DIGITS_EXPECTED });

const slurmValueSchema = z.union([z.string(), z.number(), z.boolean(), z.null()], { error: 'a string, number, boolean or null' });

export const metadataSchema = z.looseObject({
  schema: z.literal(METADATA_SCHEMA_ID).optional(),
  run_id: z.string().nullable().optional(),
  experiment: z.string().nullable().optional(),
  task: z.string().nullable().optional(),
  job_id: slurmIdSchema.optional(),
  array_job_id: slurmIdSchema.optional(),
  array_task_id: slurmIdSchema.optional(),
  restart_count: z.union([z.number().int().nonnegative(), z.string().regex(/^\d*$/), z.null()], { error: 'a count of restarts (a whole number) or null' }).optional(),
  hostname: z.string().nullable().optional(),
  gpus: z.array(z.looseObject({})).nullable().optional(),
  slurm: z.record(z.string(), slurmValueSchema).nullable().optional(),
});

export type MetadataDocument = z.output<typeof metadataSchema>;

export const METADATA_INFO = {
  expected: `a JSON object (${METADATA_SCHEMA_ID}) as the job script writes it`,
  fix: 'the job writes it at start: fetch the run again, or remove the file to profile without it',
};
