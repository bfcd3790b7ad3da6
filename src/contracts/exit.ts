/**
 * exit.json: how a job script ended, written by its EXIT trap into out/<experiment>/<task>/
 * (templates/sbatch/partials/functions.njk, `hpcb_on_exit`). The trap writes all six fields
 * through a temp file and a rename, so a job that is still running has no exit.json, or the one
 * of its previous attempt; a killed job (SIGKILL after KillWait) leaves none. Scripts rendered
 * before checkpointing had no `stop_reason`, and some older files carry `signal` as a number, so
 * every field but `exit_code` may be missing. Unknown keys are dropped: a newer script may add some.
 */
import * as z from 'zod';
import { InputError } from '../errors.js';
import { CHECKPOINT_STOP_REASONS } from '../slurm/checkpoint-stop.js';
import { parseJsonDocument, type ContractInfo } from './json-file.js';

/** A bash exit status: what `$?` holds in the trap. */
const STATUS_EXPECTED = 'an exit status (a whole number from 0 to 255)';
const statusSchema = z.number({ error: STATUS_EXPECTED }).int({ error: STATUS_EXPECTED }).min(0, { error: STATUS_EXPECTED }).max(255, { error: STATUS_EXPECTED });
const COUNT_EXPECTED = 'a count of restarts (a whole number)';
const SIGNAL_EXPECTED = 'a signal name such as "USR1" or "TERM", a signal number, or null';

export const exitSchema = z.object({
  exit_code: statusSchema,
  /** UTC, from bash's own clock; empty where that clock failed (bash before 4.2). */
  end_time: z.string().regex(/^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)?$/, 'a UTC time such as "2026-12-01T14:47:51Z"').nullable().optional(),
  /** SLURM_RESTART_COUNT of the attempt that wrote the file. */
  restart_count: z.number({ error: COUNT_EXPECTED }).int({ error: COUNT_EXPECTED }).nonnegative({ error: COUNT_EXPECTED }).optional(),
  /** The signal the script handled ("USR1"… for a checkpoint, "TERM" for scancel or the time limit), a number in older files. */
  signal: z.union([z.string().regex(/^[A-Z][A-Z0-9]{0,15}$/, SIGNAL_EXPECTED), z.number().int().min(0).max(255), z.null()], { error: SIGNAL_EXPECTED }).optional(),
  /** Whether the script put the job back in the queue after the checkpoint signal. */
  requeued: z.boolean().optional(),
  /** Why a checkpointing job did not requeue itself, else null. */
  stop_reason: z.enum(CHECKPOINT_STOP_REASONS).nullable().optional(),
});

export type ExitDocument = z.output<typeof exitSchema>;

const EXIT_INFO: ContractInfo = {
  expected: 'a JSON object as the job script writes it when it ends (exit_code, end_time, restart_count, signal, requeued, stop_reason)',
  fix: 'the job script writes it when the job ends: wait for the job to end and fetch the run again, or remove the file',
};

/**
 * exit.json text checked against its contract; an InputError names the file and the field.
 */
export function parseExitDocument(text: string, file: string): ExitDocument {
  return parseJsonDocument(exitSchema, text, file, EXIT_INFO);
}

/**
 * parseExitDocument for the readers that follow a job which may still be running (status/watch,
 * profile): a refused file is as good as none, undefined, and nothing is known of the job's end.
 */
export function parseExitDocumentIfValid(text: string, file: string): ExitDocument | undefined {
  try {
    return parseExitDocument(text, file);
  } catch (error) {
    if (error instanceof InputError) return undefined;
    throw error;
  }
}
