/**
 * The one door to a cluster. Every remote operation (SLURM commands, uploads, fetching logs)
 * goes through a Transport, so the same code runs over SSH from a laptop and locally on a
 * login node, and unit tests can substitute a fake.
 */

export interface ExecResult {
  stdout: string;
  stderr: string;
  /** Exit status; null when the command ended by a signal or the channel closed without one. */
  code: number | null;
  signal?: string;
}

export interface ExecOptions {
  /** Hard limit for the whole command; default {@link DEFAULT_EXEC_TIMEOUT_MS}. */
  timeoutMs?: number;
  /** Written to the command's standard input, which is then closed. */
  stdin?: string;
  /** Working directory on the target. */
  cwd?: string;
  /** Aborting stops waiting for the command and closes its channel; the promise rejects with the reason. */
  signal?: AbortSignal;
}

export interface RemoteStat {
  size: number;
  mtimeMs: number;
  isDirectory: boolean;
}

export interface RemoteDirEntry extends RemoteStat {
  name: string;
  /**
   * A symbolic link, listed as itself and never followed (its size and times are the link's own,
   * isDirectory is false): a link in a job's output may point at ~/.ssh or at itself.
   */
  isSymbolicLink?: boolean;
}

export interface DownloadResult {
  /** Bytes transferred by this call (0 when skipped). */
  bytes: number;
  /** True when the local copy was already complete and nothing was transferred. */
  skipped: boolean;
  /** Offset a partial download was resumed from, when one was. */
  resumedFrom?: number;
}

export interface DownloadOptions {
  /** Refuse (DownloadRefusedError, nothing transferred) a remote file larger than this many bytes. */
  maxBytes?: number;
  /** Refuse a remote path that is a symbolic link instead of copying what it points at. */
  noFollow?: boolean;
}

export interface FileWriteOptions {
  /** Permission bits of the created file, e.g. 0o755 for scripts. */
  mode?: number;
}

export type TransportKind = 'ssh' | 'local';

export interface Transport {
  readonly kind: TransportKind;
  /** Human-readable destination for messages, e.g. `alice@login.sdumont:22`. */
  readonly target: string;
  /**
   * Open the connection now rather than at the first command: to fail early on host keys or
   * authentication, or to let the handshake's network waits overlap other work. Nothing for a
   * local transport.
   */
  connect(): Promise<void>;
  /** Run one command; argv is quoted with `shellCommand`, so no element is ever interpreted by a shell. */
  exec(argv: readonly string[], opts?: ExecOptions): Promise<ExecResult>;
  /** Run an already-quoted command line (it reaches a POSIX shell as is). */
  execShell(script: string, opts?: ExecOptions): Promise<ExecResult>;
  /** Copy a local file to the target atomically (temporary name, then rename). */
  upload(localPath: string, remotePath: string, opts?: FileWriteOptions): Promise<void>;
  /**
   * Copy a remote file here, resumably: a local copy with the same size and mtime is skipped; an
   * interrupted download (left as `<localPath>.part`) continues from its length. The local file and
   * its `.part` are never written through a symlink, device or FIFO (DownloadRefusedError).
   */
  download(remotePath: string, localPath: string, opts?: DownloadOptions): Promise<DownloadResult>;
  mkdirp(remotePath: string): Promise<void>;
  /** Follows symbolic links; undefined when the path does not exist. */
  stat(remotePath: string): Promise<RemoteStat | undefined>;
  /** Entries of a directory sorted by name, without `.` and `..`; symbolic links are not followed. */
  list(remoteDir: string): Promise<RemoteDirEntry[]>;
  /** Write a whole file atomically (temporary name, then rename). */
  writeFile(remotePath: string, content: string | Buffer, opts?: FileWriteOptions): Promise<void>;
  readFile(remotePath: string): Promise<Buffer>;
  close(): Promise<void>;
}

export const DEFAULT_EXEC_TIMEOUT_MS = 60_000;

/** Seconds with one decimal when useful, for messages. */
export function formatDuration(ms: number): string {
  const s = ms / 1000;
  return Number.isInteger(s) ? `${s} s` : `${s.toFixed(1)} s`;
}

/** A command as shown in messages: long scripts are cut, so an error stays readable. */
export function abbreviateCommand(command: string, max = 200): string {
  const oneLine = command.replace(/\s*\n\s*/g, ' \u21b5 ');
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 1)}\u2026`;
}

/** Prefix a command line with a `cd` that fails loudly instead of running in the wrong place. */
export function withCwd(command: string, cwd: string | undefined, quote: (v: string) => string): string {
  return cwd === undefined ? command : `cd -- ${quote(cwd)} && ${command}`;
}

/** A name next to `finalPath` for a temporary file, unique enough for concurrent writers. */
export function temporarySibling(finalPath: string): string {
  const nonce = `${process.pid}.${Date.now().toString(36)}.${Math.random().toString(36).slice(2, 8)}`;
  return `${finalPath}.tmp-${nonce}`;
}
