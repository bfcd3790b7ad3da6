/**
 * The one error module. Library code throws these; only src/cli maps them to exit codes
 * and decides whether a stack trace is shown (--verbose).
 */

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

export function isHpcbenchError(error: unknown): error is HpcbenchError {
  return error instanceof HpcbenchError;
}
