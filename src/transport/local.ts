/**
 * Transport for running on the cluster itself (a login node): commands through bash, files
 * through fs. Commands go through the same quoting as over SSH, so what works here works there.
 */
import { spawn } from 'node:child_process';
import { constants, createReadStream, openSync } from 'node:fs';
import { chmod, copyFile, lstat, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RemoteError } from '../errors.js';
import { quoteShell, shellCommand } from '../shell-quote.js';
import { downloadResumable } from './resume.js';
import {
  abbreviateCommand,
  DEFAULT_EXEC_TIMEOUT_MS,
  formatDuration,
  temporarySibling,
  withCwd,
  type DownloadOptions,
  type DownloadResult,
  type ExecOptions,
  type ExecResult,
  type FileWriteOptions,
  type RemoteDirEntry,
  type RemoteStat,
  type Transport,
} from './transport.js';

export interface LocalTransportOptions {
  /** Default timeout of every command. */
  execTimeoutMs?: number;
  /** Shell used for commands; bash, as on the clusters this tool targets. */
  shell?: string;
}

export class LocalTransport implements Transport {
  readonly kind = 'local' as const;
  readonly target = 'localhost';
  private readonly timeoutMs: number;
  private readonly shell: string;

  constructor(options: LocalTransportOptions = {}) {
    this.timeoutMs = options.execTimeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS;
    this.shell = options.shell ?? 'bash';
  }

  /** There is nothing to open. */
  async connect(): Promise<void> {}

  async exec(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    if (argv.length === 0) throw new RemoteError('exec needs a command; got an empty argv');
    return this.execShell(shellCommand(argv), opts);
  }

  execShell(script: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const command = withCwd(script, opts.cwd, quoteShell);
    const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
    return new Promise<ExecResult>((resolve, reject) => {
      opts.signal?.throwIfAborted();
      // detached: the command gets its own process group, so a timeout ends its children too.
      const child = spawn(this.shell, ['-c', command], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      let failure: unknown;
      const killGroup = (): void => {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      };
      const timer = setTimeout(() => {
        failure = new RemoteError(`command timed out after ${formatDuration(timeoutMs)} on ${this.target}: ${abbreviateCommand(command)}`, {
          hint: 'the command was killed; raise the timeout if it is expected to take this long',
        });
        killGroup();
      }, timeoutMs);
      const onAbort = (): void => {
        failure = opts.signal?.reason;
        killGroup();
      };
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
      child.stdin.on('error', () => {
        // the command may exit without reading its input; that is its business
      });
      child.on('error', (error) => {
        failure ??= new RemoteError(`cannot start ${this.shell}: ${error.message}`, { cause: error });
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        if (failure !== undefined) {
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- an abort rejects with signal.reason as given, as Node's own APIs do
          reject(failure);
          return;
        }
        const result: ExecResult = {
          stdout: Buffer.concat(stdout).toString('utf8'),
          stderr: Buffer.concat(stderr).toString('utf8'),
          code,
        };
        if (signal) result.signal = signal;
        resolve(result);
      });
      child.stdin.end(opts.stdin ?? '');
    });
  }

  /** `put` writes a temporary sibling, which then replaces `remotePath`; on failure it is removed. */
  private async writeThroughTemp(remotePath: string, mode: number | undefined, what: string, put: (temp: string) => Promise<void>): Promise<void> {
    const temp = temporarySibling(remotePath);
    try {
      await put(temp);
      if (mode !== undefined) await chmod(temp, mode);
      await rename(temp, remotePath);
    } catch (error) {
      await rm(temp, { force: true });
      throw wrapFsError(error, what);
    }
  }

  async upload(localPath: string, remotePath: string, opts: FileWriteOptions = {}): Promise<void> {
    await this.writeThroughTemp(remotePath, opts.mode, `upload ${localPath} to ${remotePath}`, (temp) => copyFile(localPath, temp));
  }

  async download(remotePath: string, localPath: string, opts: DownloadOptions = {}): Promise<DownloadResult> {
    const noFollow = opts.noFollow === true;
    return downloadResumable({
      remotePath,
      where: '',
      remote: noFollow ? await this.lstat(remotePath) : await this.stat(remotePath),
      ...(opts.maxBytes === undefined ? {} : { maxBytes: opts.maxBytes }),
      localPath,
      // O_NOFOLLOW: a file swapped for a link after the lstat is still not followed (nor a FIFO waited on).
      open: (start, end) =>
        noFollow
          ? createReadStream('', { fd: openSync(remotePath, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK), start, end })
          : createReadStream(remotePath, { start, end }),
      wrapError: (error) => wrapFsError(error, `download ${remotePath} to ${localPath}`),
    });
  }

  async mkdirp(remotePath: string): Promise<void> {
    try {
      await mkdir(remotePath, { recursive: true });
    } catch (error) {
      throw wrapFsError(error, `create directory ${remotePath}`);
    }
  }

  async stat(remotePath: string): Promise<RemoteStat | undefined> {
    try {
      const s = await stat(remotePath);
      return { size: s.size, mtimeMs: s.mtimeMs, isDirectory: s.isDirectory() };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw wrapFsError(error, `stat ${remotePath}`);
    }
  }

  /** Like stat, but a symbolic link is described as itself. */
  async lstat(remotePath: string): Promise<(RemoteStat & { isSymbolicLink: boolean; isFile: boolean }) | undefined> {
    try {
      const s = await lstat(remotePath);
      return { size: s.size, mtimeMs: s.mtimeMs, isDirectory: s.isDirectory(), isSymbolicLink: s.isSymbolicLink(), isFile: s.isFile() };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw wrapFsError(error, `stat ${remotePath}`);
    }
  }

  async list(remoteDir: string): Promise<RemoteDirEntry[]> {
    try {
      const names = await readdir(remoteDir);
      const entries: RemoteDirEntry[] = [];
      for (const name of names.sort()) {
        // Links are listed as links, as over SFTP: never followed, so a loop cannot stop a listing.
        const s = await this.lstat(join(remoteDir, name));
        // A file removed meanwhile is simply not listed.
        if (!s) continue;
        const { isFile: _isFile, isSymbolicLink, ...stat } = s;
        entries.push(isSymbolicLink ? { name, ...stat, isDirectory: false, isSymbolicLink } : { name, ...stat });
      }
      return entries;
    } catch (error) {
      throw wrapFsError(error, `list ${remoteDir}`);
    }
  }

  async writeFile(remotePath: string, content: string | Buffer, opts: FileWriteOptions = {}): Promise<void> {
    await this.writeThroughTemp(remotePath, opts.mode, `write ${remotePath}`, (temp) =>
      writeFile(temp, content, opts.mode === undefined ? {} : { mode: opts.mode }),
    );
  }

  async readFile(remotePath: string): Promise<Buffer> {
    try {
      return await readFile(remotePath);
    } catch (error) {
      throw wrapFsError(error, `read ${remotePath}`);
    }
  }

  async close(): Promise<void> {
    // Nothing is held open between calls.
  }
}

function wrapFsError(error: unknown, what: string): RemoteError {
  if (error instanceof RemoteError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  const reason = error instanceof Error ? error.message : String(error);
  const hint =
    code === 'EACCES' || code === 'EPERM'
      ? 'check the permissions of the directory'
      : code === 'ENOENT'
        ? 'check that the path exists (parent directories are not created implicitly)'
        : code === 'ENOSPC' || code === 'EDQUOT'
          ? 'the file system is full or over quota'
          : undefined;
  return new RemoteError(`cannot ${what}: ${reason}`, { hint, cause: error });
}
