/**
 * File operations over one SFTP session, with the same contract as the local transport: atomic
 * writes (temporary name + rename), resumable downloads, `mkdir -p`.
 */
import { posix } from 'node:path';
import type { SFTPWrapper, Stats } from 'ssh2';
import { RemoteError } from '../errors.js';
import { downloadResumable } from './resume.js';
import { temporarySibling, type DownloadOptions, type DownloadResult, type RemoteDirEntry, type RemoteStat } from './transport.js';

/** SFTP status codes (draft-ietf-secsh-filexfer-02). */
const NO_SUCH_FILE = 2;
const PERMISSION_DENIED = 3;

type SftpError = Error & { code?: number | string };
type ReaddirWithOptions = (
  path: string,
  options: { full: boolean },
  cb: (error: SftpError | null | undefined, list: Array<{ filename: string; attrs: Stats }>) => void,
) => void;

function call<T>(fn: (cb: (error: SftpError | null | undefined, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    fn((error, value) => (error ? reject(error) : resolve(value)));
  });
}

function done(fn: (cb: (error: SftpError | null | undefined) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    fn((error) => (error ? reject(error) : resolve()));
  });
}

function wrapSftpError(error: unknown, what: string, target: string): RemoteError {
  if (error instanceof RemoteError) return error;
  const code = (error as SftpError).code;
  const reason = error instanceof Error ? error.message : String(error);
  const hint =
    code === PERMISSION_DENIED
      ? 'check the permissions of that path on the cluster'
      : code === NO_SUCH_FILE
        ? 'check that the path exists on the cluster (create parent directories first)'
        : undefined;
  return new RemoteError(`cannot ${what} on ${target}: ${reason}`, { hint, cause: error });
}

function toStat(attrs: Stats): RemoteStat {
  return { size: attrs.size, mtimeMs: attrs.mtime * 1000, isDirectory: attrs.isDirectory() };
}

export class SftpFiles {
  private home: Promise<string> | undefined;

  constructor(
    private readonly sftp: SFTPWrapper,
    private readonly target: string,
  ) {}

  /** SFTP does not expand `~`; paths starting with it are made absolute from the login directory. */
  async resolve(path: string): Promise<string> {
    if (path !== '~' && !path.startsWith('~/')) return path;
    this.home ??= call<string>((cb) => this.sftp.realpath('.', cb));
    const home = await this.home;
    return path === '~' ? home : posix.join(home, path.slice(2));
  }

  async stat(path: string): Promise<RemoteStat | undefined> {
    const resolved = await this.resolve(path);
    try {
      return toStat(await call<Stats>((cb) => this.sftp.stat(resolved, cb)));
    } catch (error) {
      if ((error as SftpError).code === NO_SUCH_FILE) return undefined;
      throw wrapSftpError(error, `stat ${path}`, this.target);
    }
  }

  /** Like stat, but a symbolic link is described as itself (the SFTP LSTAT request). */
  async lstat(path: string): Promise<(RemoteStat & { isSymbolicLink: boolean; isFile: boolean }) | undefined> {
    const resolved = await this.resolve(path);
    try {
      const attrs = await call<Stats>((cb) => this.sftp.lstat(resolved, cb));
      return { ...toStat(attrs), isSymbolicLink: attrs.isSymbolicLink(), isFile: attrs.isFile() };
    } catch (error) {
      if ((error as SftpError).code === NO_SUCH_FILE) return undefined;
      throw wrapSftpError(error, `stat ${path}`, this.target);
    }
  }

  async list(dir: string): Promise<RemoteDirEntry[]> {
    const resolved = await this.resolve(dir);
    try {
      // ssh2 drops every entry named `.` or `..`, whatever it is, unless asked for the `full`
      // listing (an option its type declarations lack); with it a `..` that is not a directory
      // reaches the caller, which reports it.
      const readdir = this.sftp.readdir.bind(this.sftp) as unknown as ReaddirWithOptions;
      const raw = await call<Array<{ filename: string; attrs: Stats }>>((cb) => readdir(resolved, { full: true }, cb));
      const entries: RemoteDirEntry[] = [];
      for (const { filename, attrs } of raw) {
        // The usual self and parent entries; a `.` or `..` that claims to be anything else is
        // passed on, so that the caller refuses it by name.
        if ((filename === '.' || filename === '..') && attrs.isDirectory()) continue;
        // readdir describes links as links (lstat); they are listed as such, never followed, so a
        // link to ~/.ssh is not read and a link loop cannot stop the listing.
        const link = attrs.isSymbolicLink();
        entries.push({ name: filename, ...toStat(attrs), ...(link ? { isDirectory: false, isSymbolicLink: true } : {}) });
      }
      return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch (error) {
      throw wrapSftpError(error, `list ${dir}`, this.target);
    }
  }

  async mkdirp(path: string): Promise<void> {
    const resolved = posix.normalize(await this.resolve(path));
    const parts = resolved.split('/').filter((p) => p !== '');
    let current = resolved.startsWith('/') ? '/' : '';
    for (const part of parts) {
      current = current === '' ? part : posix.join(current, part);
      const existing = await this.stat(current);
      if (existing?.isDirectory) continue;
      if (existing) throw new RemoteError(`cannot create directory ${path} on ${this.target}: ${current} is a file`);
      try {
        await done((cb) => this.sftp.mkdir(current, cb));
      } catch (error) {
        // Another writer may have created it meanwhile.
        if (!(await this.stat(current))?.isDirectory) throw wrapSftpError(error, `create directory ${current}`, this.target);
      }
    }
  }

  /** Replace `to` with `from` atomically where the server allows it (OpenSSH's posix-rename). */
  private async replace(from: string, to: string): Promise<void> {
    try {
      await done((cb) => this.sftp.ext_openssh_rename(from, to, cb));
    } catch {
      // Plain SFTP rename refuses to overwrite; not atomic, but the best the server offers.
      await done((cb) => this.sftp.unlink(to, cb)).catch(() => undefined);
      await done((cb) => this.sftp.rename(from, to, cb));
    }
  }

  /** `put` writes a temporary sibling, which then replaces `remotePath`; on failure it is removed. */
  private async writeThroughTemp(remotePath: string, mode: number | undefined, what: string, put: (temp: string) => Promise<void>): Promise<void> {
    const resolved = await this.resolve(remotePath);
    const temp = temporarySibling(resolved);
    try {
      await put(temp);
      // The open mode passes through the server's umask; chmod makes it exact.
      if (mode !== undefined) await done((cb) => this.sftp.chmod(temp, mode, cb));
      await this.replace(temp, resolved);
    } catch (error) {
      await done((cb) => this.sftp.unlink(temp, cb)).catch(() => undefined);
      throw wrapSftpError(error, what, this.target);
    }
  }

  async upload(localPath: string, remotePath: string, mode: number | undefined): Promise<void> {
    await this.writeThroughTemp(remotePath, mode, `upload ${localPath} to ${remotePath}`, (temp) =>
      done((cb) => this.sftp.fastPut(localPath, temp, mode === undefined ? {} : { mode }, cb)),
    );
  }

  async writeFile(remotePath: string, content: string | Buffer, mode: number | undefined): Promise<void> {
    await this.writeThroughTemp(remotePath, mode, `write ${remotePath}`, (temp) =>
      done((cb) => this.sftp.writeFile(temp, content, mode === undefined ? {} : { mode }, cb)),
    );
  }

  async readFile(remotePath: string): Promise<Buffer> {
    const resolved = await this.resolve(remotePath);
    try {
      return await call<Buffer>((cb) => this.sftp.readFile(resolved, cb));
    } catch (error) {
      throw wrapSftpError(error, `read ${remotePath}`, this.target);
    }
  }

  async download(remotePath: string, localPath: string, opts: DownloadOptions = {}): Promise<DownloadResult> {
    const resolved = await this.resolve(remotePath);
    return downloadResumable({
      remotePath,
      where: ` from ${this.target}`,
      remote: opts.noFollow === true ? await this.lstat(resolved) : await this.stat(resolved),
      ...(opts.maxBytes === undefined ? {} : { maxBytes: opts.maxBytes }),
      localPath,
      open: (start, end) => this.sftp.createReadStream(resolved, { start, end }),
      wrapError: (error) => wrapSftpError(error, `download ${remotePath}`, this.target),
    });
  }
}
