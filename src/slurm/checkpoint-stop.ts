/**
 * Why a checkpointing job stopped requeueing itself. The job script (templates/sbatch,
 * partials/checkpoint.njk) ends with a reserved exit code when, after the checkpoint signal, it
 * does not put the job back in the queue; sacct shows it as FAILED with ExitCode `9x:0`, exit.json
 * as `stop_reason`, checkpoints.jsonl as the last event's `reason_code`.
 */
import type { ExitStatus } from './job-record.js';

/** The stop reasons of the checkpoint-event contract (hpcbench.checkpoint-event/1). */
export type CheckpointStopReason = 'requeue-disabled' | 'requeue-failed' | 'max-restarts' | 'no-progress';

/** Every `reason_code` a checkpoint event can carry: a requeue, a stop, or a TERM. */
export type CheckpointReasonCode = 'requeued' | CheckpointStopReason | 'terminated';

export const CHECKPOINT_STOP_REASONS: readonly CheckpointStopReason[] = ['requeue-disabled', 'requeue-failed', 'max-restarts', 'no-progress'];

export const CHECKPOINT_REASON_CODES: readonly CheckpointReasonCode[] = ['requeued', ...CHECKPOINT_STOP_REASONS, 'terminated'];

/**
 * The exit code the job script ends with for each stop reason.
 */
const CHECKPOINT_STOP_EXIT_CODES: Readonly<Record<CheckpointStopReason, number>> = {
  'requeue-disabled': 90,
  'requeue-failed': 91,
  'max-restarts': 92,
  'no-progress': 93,
};

export function isCheckpointStopReason(value: unknown): value is CheckpointStopReason {
  return typeof value === 'string' && (CHECKPOINT_STOP_REASONS as readonly string[]).includes(value);
}

/**
 * The stop reason an exit status stands for (90–93, no signal), or undefined. Only meaningful
 * for a job rendered with `checkpoint:`: without it these are the workload's own exit codes.
 */
export function checkpointStopOfExit(exit: ExitStatus | undefined): CheckpointStopReason | undefined {
  if (exit === undefined || exit.signal !== 0) return undefined;
  return CHECKPOINT_STOP_REASONS.find((reason) => CHECKPOINT_STOP_EXIT_CODES[reason] === exit.code);
}

function assertNever(value: never): never {
  throw new Error(`unhandled checkpoint stop reason ${JSON.stringify(value)}`);
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

export interface CheckpointStopExplanation {
  /** What happened, in a few words. */
  title: string;
  /** Why, in plain words, and what to do. */
  advice: string;
}

/**
 * Plain words for a stop reason. `restarts` is the number of times the job had been requeued
 * when it stopped (SLURM_RESTART_COUNT of its last attempt), when known.
 */
export function explainCheckpointStop(reason: CheckpointStopReason, restarts?: number): CheckpointStopExplanation {
  const code = CHECKPOINT_STOP_EXIT_CODES[reason];
  switch (reason) {
    case 'requeue-disabled':
      return {
        title: `checkpointed and stopped (exit code ${code}, requeue: false)`,
        advice: 'checkpointed and stopped (requeue: false): resubmit to resume from the checkpoint, or set checkpoint.requeue: true to let the job requeue itself',
      };
    case 'requeue-failed':
      return {
        title: `scontrol requeue failed (exit code ${code})`,
        advice: 'scontrol requeue failed: the work done so far is in the checkpoint directory; resubmit to resume (the job\'s stderr says why SLURM refused)',
      };
    case 'max-restarts': {
      if (restarts === 0) {
        return {
          title: `stopped without restarting (exit code ${code}, checkpoint.max_restarts: 0)`,
          advice: 'stopped without restarting (checkpoint.max_restarts is 0): raise it, or give the job a longer --time',
        };
      }
      const after = restarts === undefined ? 'at its restart limit' : `after ${plural(restarts, 'restart', 'restarts')}`;
      return {
        title: `stopped ${after} (exit code ${code})`,
        advice: `stopped ${after} (checkpoint.max_restarts): raise it, or give the job a longer --time`,
      };
    }
    case 'no-progress': {
      const since = restarts === undefined ? 'in its last attempt' : `since restart ${restarts}`;
      return {
        title: `no progress ${since} (exit code ${code})`,
        advice: `no progress ${since}: the workload did not write a checkpoint into $HPCBENCH_CHECKPOINT_DIR — see docs/checkpointing.md`,
      };
    }
    default:
      return assertNever(reason);
  }
}
