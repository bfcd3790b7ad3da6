/**
 * run.json: what hpcbench knows about one run, so every later command (status, watch, fetch,
 * cancel, a watch resumed after a kill) works from the file alone, without the config. The one
 * schema the registry writes and every reader validates against.
 */
import * as z from 'zod';
import { sshObjectSchema } from '../config/schema.js';
import { jobIdSchema } from './job-id.js';
import { runIdSchema } from './run-id.js';

export const RUN_RECORD_SCHEMA = 'hpcbench.run/1';

// The cluster's ssh: settings as hpcbench.yaml has them (copied at submission).
const sshSettingsSchema = sshObjectSchema;

const clusterSchema = z.object({
  name: z.string(),
  transport: z.enum(['ssh', 'local']),
  ssh: sshSettingsSchema.optional(),
  workdir: z.string(),
});

const attemptSchema = z.object({
  at: z.string(),
  /**
   * `sending`: written before sbatch is run, so a crash right after leaves a trace that the
   * next submit looks up instead of submitting again. `ambiguous`: the connection dropped after
   * sbatch was sent. `recovered`: an ambiguous submission was found by its tag.
   */
  outcome: z.enum(['sending', 'submitted', 'recovered', 'ambiguous', 'rejected', 'failed']),
  job_id: jobIdSchema.optional(),
  exclude: z.array(z.string()).optional(),
  /** `hpcbench resubmit` of some tasks of an array: the `--array` it sent (the same task ids). */
  array: z.string().optional(),
  message: z.string().optional(),
});

const factsSchema = z.object({
  reason: z.string().optional(),
  elapsed_s: z.number().optional(),
  time_limit_s: z.number().optional(),
  nodes: z.string().optional(),
  exit_code: z.string().optional(),
  max_rss_mib: z.number().optional(),
  req_mem_mib: z.number().optional(),
  batch_state: z.string().optional(),
  /** Times SLURM requeued the job under the same id (sacct --duplicates, or exit.json's restart_count). */
  restarts: z.number().int().nonnegative().optional(),
  source: z.string().optional(),
});

/** What is known of one array task besides its state (run.json `tasks`). */
const taskFactsSchema = z.object({
  exit_code: z.string().optional(),
  restarts: z.number().int().nonnegative().optional(),
});

const jobSchema = z.object({
  experiment: z.string(),
  job_name: z.string(),
  script: z.string(),
  sha256: z.string(),
  depends_on: z.array(z.string()),
  array: z.object({ spec: z.string(), size: z.number().int() }).optional(),
  job_id: jobIdSchema.optional(),
  /** Earlier ids of this job (replaced by a resubmission after NODE_FAIL/BOOT_FAIL). */
  previous_job_ids: z.array(jobIdSchema).default([]),
  attempts: z.array(attemptSchema).default([]),
  retries_left: z.number().int().default(0),
  exclude: z.array(z.string()).default([]),
  /** Last known state as sacct prints it; `final` once it cannot change any more. */
  state: z.string().optional(),
  final: z.boolean().default(false),
  /** Array tasks: task id → state. */
  tasks: z.record(z.string(), z.string()).optional(),
  /** Array tasks: task id → exit code and restarts, for the tasks SLURM reported them for. */
  task_facts: z.record(z.string(), taskFactsSchema).optional(),
  facts: factsSchema.optional(),
  /**
   * Rendered with `checkpoint:` (the manifest names a checkpoint directory): its script requeues
   * itself and ends with 90–93 when it stops doing so. Absent in runs submitted before it was recorded.
   */
  checkpoint: z.boolean().optional(),
  submitted_at: z.string().optional(),
  /** `submit --after`: jobs of the earlier run this job waits for (afterok), as they were still running at submission. */
  after_job_ids: z.array(jobIdSchema).optional(),
});

const historySchema = z.object({
  at: z.string(),
  event: z.enum(['rendered', 'preflight', 'uploaded', 'submitted', 'state', 'cancel', 'resubmitted', 'note']),
  experiment: z.string().optional(),
  job_id: jobIdSchema.optional(),
  state: z.string().optional(),
  message: z.string().optional(),
});

export const runRecordSchema = z.object({
  schema: z.literal(RUN_RECORD_SCHEMA),
  run_id: runIdSchema,
  created_at: z.string(),
  updated_at: z.string(),
  config_file: z.string().optional(),
  experiments: z.array(z.string()),
  cluster: clusterSchema,
  remote_dir: z.string(),
  /**
   * `submitted` once every job has an id; `submitting` while sbatch calls are under way. A run on
   * this machine (`run --local`) is `running`, then `completed`, `failed` or `interrupted`.
   */
  phase: z.enum(['rendered', 'submitting', 'submitted', 'cancelled', 'running', 'completed', 'failed', 'interrupted']),
  /** Set by `run --local`: the jobs ran here under bash, there is nothing for SLURM to follow. */
  local: z.boolean().optional(),
  /**
   * `submit <experiment> --after <run>`: the earlier run whose jobs stand in for this run's
   * dependencies (not resubmitted), with their job ids and their state when this run was submitted.
   */
  after: z
    .object({
      run_id: runIdSchema,
      remote_dir: z.string(),
      jobs: z.array(z.object({ experiment: z.string(), job_id: jobIdSchema, state: z.string() })),
    })
    .optional(),
  jobs: z.array(jobSchema),
  history: z.array(historySchema).default([]),
});

/**
 * The same fields for readers that need only some (profile asks whether the run ran here), as
 * run directories assembled by hand may have: every field optional, each still typed.
 */
export const runViewSchema = runRecordSchema.partial();

export const RUN_INFO = {
  expected: `a ${RUN_RECORD_SCHEMA} document written by hpcbench submit`,
  fix: 'run.json is written atomically by hpcbench; if it was edited by hand, restore it or remove the run directory',
};

export type RunRecord = z.infer<typeof runRecordSchema>;
export type RunView = z.output<typeof runViewSchema>;
export type RunJob = RunRecord['jobs'][number];
export type RunCluster = RunRecord['cluster'];
export type RunSshSettings = NonNullable<RunCluster['ssh']>;
export type SubmissionAttempt = RunJob['attempts'][number];
export type HistoryEntry = RunRecord['history'][number];
export type JobFactsRecord = NonNullable<RunJob['facts']>;
export type TaskFactsRecord = z.infer<typeof taskFactsSchema>;
