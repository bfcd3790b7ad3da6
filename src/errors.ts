/**
 * The one error module: every error class hpcbench defines lives here. Library code throws
 * these; only src/cli maps them to exit codes and decides whether a stack trace is shown
 * (--verbose). Recognising SLURM's stderr stays in src/slurm/errors.ts, which only builds them.
 */
import type { SlurmCommandOutput, SlurmCondition } from './slurm/errors.js';

export const ExitCode = {
  ok: 0,
  /** A job or a check failed (job FAILED/TIMEOUT/OOM, regression, --strict rejected lines). */
  failed: 1,
  /** Usage or configuration error: bad flags, bad hpcbench.yaml, bad input file. */
  usage: 2,
  /** Remote or connection error: SSH, host key, controller unreachable. */
  remote: 3,
  /**
   * Stopped by Ctrl-C (128 + SIGINT, as shells report it), so that `hpcbench watch && hpcbench
   * fetch` does not go on as if the jobs had completed. Jobs on a cluster keep running.
   */
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export class HpcbenchError extends Error {
  readonly exitCode: ExitCode;
  /** What the user should do next. */
  readonly hint: string | undefined;

  constructor(message: string, options: { exitCode?: ExitCode; hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = options.exitCode ?? ExitCode.usage;
    this.hint = options.hint;
  }
}

/** Wrong flags or arguments. */
export class UsageError extends HpcbenchError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: ExitCode.usage, hint });
  }
}

/** One problem found in a configuration file, located as precisely as the file allows. */
export interface ConfigIssue {
  /** Dotted config path, e.g. `experiments.lora.resources.time`. Empty for the document root. */
  path: string;
  message: string;
  file?: string;
  line?: number;
  column?: number;
}

export function formatIssue(issue: ConfigIssue): string {
  const where = issue.file
    ? `${issue.file}${issue.line !== undefined ? `:${issue.line}:${issue.column ?? 1}` : ''}`
    : '';
  const path = issue.path ? `${issue.path}: ` : '';
  return `${where ? `${where}: ` : ''}${path}${issue.message}`;
}

/** A configuration file with one or more problems; all of them are reported at once. */
export class ConfigError extends HpcbenchError {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[], hint?: string) {
    const head = issues.length === 1 ? 'invalid configuration' : `invalid configuration (${issues.length} problems)`;
    super(`${head}:\n${issues.map((i) => `  ${formatIssue(i)}`).join('\n')}`, {
      exitCode: ExitCode.usage,
      hint,
    });
    this.issues = issues;
  }
}

/** An input file (log, CSV, JSON) that cannot be used; names the file and line. */
export class InputError extends HpcbenchError {
  readonly file: string | undefined;
  readonly line: number | undefined;

  constructor(message: string, options: { file?: string; line?: number; hint?: string; cause?: unknown } = {}) {
    const where = options.file ? `${options.file}${options.line !== undefined ? `:${options.line}` : ''}: ` : '';
    super(`${where}${message}`, { exitCode: ExitCode.usage, hint: options.hint, cause: options.cause });
    this.file = options.file;
    this.line = options.line;
  }
}

/**
 * A local path hpcbench was asked to write is not something it may replace: a symlink (never
 * followed, so a planted link cannot redirect a write), a directory, a socket. Names the path.
 */
export class UnsafeWriteError extends HpcbenchError {
  readonly file: string;

  constructor(file: string, message: string, hint?: string) {
    super(`${file}: ${message}`, { exitCode: ExitCode.usage, hint });
    this.file = file;
  }
}

/**
 * Another process is changing the run (its lock file names it). Exit 2: nothing was done, and the
 * user decides whether to wait or remove a lock left by a process that no longer exists.
 */
export class RunLockedError extends HpcbenchError {
  readonly lockFile: string;

  constructor(message: string, lockFile: string, hint: string) {
    super(message, { exitCode: ExitCode.usage, hint });
    this.lockFile = lockFile;
  }
}

/** SSH, SFTP, host keys, an unreachable controller, a remote command that timed out. */
export class RemoteError extends HpcbenchError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, { exitCode: ExitCode.remote, hint: options.hint, cause: options.cause });
  }
}

/** A job or a check failed: the command worked, the outcome is bad. */
export class CheckFailedError extends HpcbenchError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: ExitCode.failed, hint });
  }
}

/** The user stopped the command (Ctrl-C or SIGTERM) before it had an outcome. */
export class InterruptedError extends HpcbenchError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: ExitCode.interrupted, hint });
  }
}


// Rendering.

/** A value that cannot be placed in a script safely, or a template that failed to render. */
export class RenderError extends HpcbenchError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: ExitCode.usage, hint });
  }
}

// SLURM commands.

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

  /** `condition`: what classifySlurmStderr (src/slurm/errors.ts) recognised on its stderr, if anything. */
  constructor(command: string, output: SlurmCommandOutput, condition: SlurmCondition | undefined) {
    const detail = condition?.message ?? (output.stderr.trim() || `exit code ${String(output.exitCode)}`);
    super(`${command} failed: ${detail}`, {
      hint: `Run \`${command}\` on the login node by hand to see the full message.`,
    });
    this.command = command;
    this.condition = condition;
  }
}

/** sbatch refused the script (bad partition, time over the limit, invalid account...). */
export class SbatchRejectedError extends CheckFailedError {
  readonly errors: readonly string[];

  constructor(script: string, errors: readonly string[]) {
    super(
      `sbatch rejected ${script}: ${errors.join('; ')}`,
      'Fix the resources in hpcbench.yaml (partition, time, memory, GPUs, account) and try `hpcbench submit --test-only` again.',
    );
    this.errors = errors;
  }
}

// Connections and file transfers.

/** A failure to connect, and whether trying again later may help (sshd restarting, network blip). */
export class SshConnectError extends RemoteError {
  readonly transient: boolean;
  constructor(message: string, options: { hint?: string; cause?: unknown; transient: boolean }) {
    super(message, { hint: options.hint, cause: options.cause });
    this.transient = options.transient;
  }
}

/** The connection went away around a command; `commandSent` says whether it may have run. */
export class ConnectionLostError extends RemoteError {
  /** True when the command reached the server, so running it again could run it twice. */
  readonly commandSent: boolean;
  constructor(message: string, options: { commandSent: boolean; hint?: string; cause?: unknown }) {
    super(message, { hint: options.hint, cause: options.cause });
    this.commandSent = options.commandSent;
  }
}

/**
 * A download refused before anything was written: what the server offers or what lies at the
 * local path is not something hpcbench may copy or write through. It concerns one file, so
 * `fetch` reports it and goes on with the others.
 */
export type DownloadRefusalReason =
  /** The remote path is a symbolic link and the caller asked not to follow links. */
  | 'symlink'
  /** The remote file is bigger than the caller's cap. */
  | 'too-large'
  /** The remote path is not a regular file (a directory, a device, a socket). */
  | 'not-a-file'
  /** The local file, its `.part`, or a directory on the way is a symlink, device, FIFO or directory. */
  | 'unsafe-local-path';

/** See DownloadRefusalReason; exit 1 (the command worked, a file was refused). */
export class DownloadRefusedError extends HpcbenchError {
  readonly reason: DownloadRefusalReason;
  /** Size the server reported, for 'too-large'. */
  readonly size: number | undefined;

  constructor(reason: DownloadRefusalReason, message: string, options: { hint?: string; size?: number } = {}) {
    super(message, { exitCode: ExitCode.failed, ...(options.hint === undefined ? {} : { hint: options.hint }) });
    this.reason = reason;
    this.size = options.size;
  }
}

// Parser-internal signals: caught inside src/profile, never reach the CLI.

/** A field of a training log record present with a value the record cannot use: the line is rejected, not the file. */
export class FieldError extends Error {}

/** Why a range of a log parsed in a worker failed, as plain data that crosses the worker boundary. */
export interface RangeFailureDetail {
  message: string;
  line: number | undefined;
  hint: string | undefined;
  input: boolean;
}

/** A range's parse failed; `detail.input` says it was an InputError (bad file, not a bug). */
export class RangeFailure extends Error {
  constructor(readonly detail: RangeFailureDetail) {
    super(detail.message);
  }
}

export function isHpcbenchError(error: unknown): error is HpcbenchError {
  return error instanceof HpcbenchError;
}
