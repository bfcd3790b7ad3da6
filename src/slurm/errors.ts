/**
 * Conditions SLURM commands report on stderr, recognised from their text so callers can fall
 * back (sacct → squeue/scontrol) or retry (controller restarting) instead of failing a job.
 */
import { RemoteError } from '../errors.js';

/** What the transport gives back for one command; structurally compatible with any runner. */
export interface SlurmCommandOutput {
  stdout: string;
  stderr: string;
  /** null when the process was killed by a signal. */
  exitCode: number | null;
}

/**
 * A value that is not a valid SLURM duration or memory size. A plain Error (not an
 * HpcbenchError) on purpose: the config loader turns it into a ConfigIssue with file and line.
 */
export class SlurmFormatError extends Error {
  readonly text: string;
  readonly expected: string;

  constructor(what: string, text: string, expected: string) {
    super(`${what} ${JSON.stringify(text)} is not valid: expected ${expected}`);
    this.name = 'SlurmFormatError';
    this.text = text;
    this.expected = expected;
  }
}

export type SlurmConditionKind =
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

/** Classifies a command's stderr; `undefined` when there is nothing on it worth reporting. */
export function classifySlurmStderr(stderr: string): SlurmCondition | undefined {
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
 * slurmctld cannot be reached (restarting, network fault). Thrown by the caller that ran
 * squeue/sacct/scontrol; the poller retries it with backoff and never turns it into a job failure.
 */
export class ControllerUnreachableError extends RemoteError {
  readonly detail: string;

  constructor(detail: string, options: { cause?: unknown } = {}) {
    super(`SLURM controller unreachable: ${detail}`, {
      hint: 'slurmctld may be restarting or the network is down; hpcbench retries by itself. If it persists, ask the cluster admins (`scontrol ping`).',
      cause: options.cause,
    });
    this.detail = detail;
  }
}

/** sacct cannot answer: accounting storage is disabled or slurmdbd is down. */
export class AccountingUnavailableError extends RemoteError {
  readonly kind: 'accounting-disabled' | 'database-unreachable';

  constructor(kind: 'accounting-disabled' | 'database-unreachable', detail: string) {
    super(`sacct cannot be used: ${detail}`, {
      hint:
        kind === 'accounting-disabled'
          ? 'the cluster has no job accounting; hpcbench falls back to squeue/scontrol, which forget jobs a few minutes after they end (MinJobAge).'
          : 'slurmdbd is not answering; retry later or ask the cluster admins.',
    });
    this.kind = kind;
  }
}

/** A SLURM command failed for a reason that is not one of the recognised conditions. */
export class SlurmCommandError extends RemoteError {
  readonly command: string;
  readonly condition: SlurmCondition | undefined;

  constructor(command: string, output: SlurmCommandOutput, condition = classifySlurmStderr(output.stderr)) {
    const detail = condition?.message ?? (output.stderr.trim() || `exit code ${String(output.exitCode)}`);
    super(`${command} failed: ${detail}`, {
      hint: `Run \`${command}\` on the login node by hand to see the full message.`,
    });
    this.command = command;
    this.condition = condition;
  }
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
