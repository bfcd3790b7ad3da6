/**
 * Conditions SLURM commands report on stderr, recognised from their text so callers can fall
 * back (sacct → squeue/scontrol) or retry (controller restarting) instead of failing a job.
 */
import { ControllerUnreachableError } from '../errors.js';

/** What the transport gives back for one command; structurally compatible with any runner. */
export interface SlurmCommandOutput {
  stdout: string;
  stderr: string;
  /** null when the process was killed by a signal. */
  exitCode: number | null;
}

type SlurmConditionKind =
  | 'controller-unreachable'
  | 'accounting-disabled'
  | 'database-unreachable'
  | 'invalid-job-id'
  | 'submission-rejected'
  | 'permission-denied'
  | 'other';

export interface SlurmCondition {
  kind: SlurmConditionKind;
  /** The first relevant stderr line, trimmed. */
  message: string;
}

const PATTERNS: readonly [SlurmConditionKind, RegExp][] = [
  ['accounting-disabled', /accounting storage is disabled/i],
  [
    'controller-unreachable',
    /unable to contact slurm controller|socket timed out on send\/recv|connection refused.*slurmctld|slurmctld.*(?:not responding|connection refused)|zero bytes were transmitted or received|communication connection failure|could not establish a configuration source|unable to establish.*controller/i,
  ],
  // The summary line first: it says more than the connection detail printed before it.
  ['database-unreachable', /problem talking to the database/i],
  [
    'database-unreachable',
    /slurm_persist_conn_open|unable to connect to (?:the )?database|slurmdbd.*(?:connection refused|not responding)/i,
  ],
  ['invalid-job-id', /invalid job id specified|job id .* not found|invalid job id/i],
  ['permission-denied', /access\/permission denied|access denied|not authorized|permission denied/i],
  ['submission-rejected', /batch job submission failed|allocation failure|sbatch: error:/i],
];

/**
 * Classifies a command's stderr; `undefined` when there is nothing on it worth reporting.
 */
function classifySlurmStderr(stderr: string): SlurmCondition | undefined {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  if (lines.length === 0) return undefined;
  for (const [kind, pattern] of PATTERNS) {
    const line = lines.find((l) => pattern.test(l));
    if (line !== undefined) return { kind, message: line };
  }
  const errorLine = lines.find((l) => /error|fatal/i.test(l));
  return errorLine === undefined ? undefined : { kind: 'other', message: errorLine };
}

/**
 * Throws the typed error for conditions that every caller handles the same way (controller
 * unreachable) and returns the condition otherwise, so each command decides about the rest.
 */
export function checkControllerReachable(output: SlurmCommandOutput): SlurmCondition | undefined {
  const condition = classifySlurmStderr(output.stderr);
  if (condition?.kind === 'controller-unreachable') throw new ControllerUnreachableError(condition.message);
  return condition;
}
