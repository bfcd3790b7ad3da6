/**
 * The decision behind resumable downloads, shared by both transports so they behave alike.
 *
 * A download is written to `<local>.part` and renamed when complete; the final file then gets the
 * remote mtime. So "final file exists with the remote size and mtime" means complete, and a `.part`
 * file is an interrupted transfer whose bytes are a prefix of the remote file.
 */
import { constants, type Stats } from 'node:fs';
import { lstat, mkdir, open, rename, utimes, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { RemoteError, DownloadRefusedError } from '../errors.js';
import { formatMiB } from './download-refusal.js';
import type { DownloadResult, RemoteStat } from './transport.js';

interface SizeAndTime {
  size: number;
  mtimeMs: number;
}

type DownloadPlan =
  | { action: 'skip' }
  | { action: 'resume'; offset: number }
  | { action: 'full' };

/** SFTP carries whole seconds, so times are compared at that precision. */
function sameSecond(a: number, b: number): boolean {
  return Math.floor(a / 1000) === Math.floor(b / 1000);
}

/** Skip a complete copy, resume a `.part` that holds a prefix of the remote file, or fetch it all. */
function planDownload(
  remote: SizeAndTime,
  local: { final?: SizeAndTime | undefined; part?: SizeAndTime | undefined },
): DownloadPlan {
  if (local.final && local.final.size === remote.size && sameSecond(local.final.mtimeMs, remote.mtimeMs)) {
    return { action: 'skip' };
  }
  // A part newer than the remote file's last change holds a prefix of the current content; a part
  // older than it may hold bytes that were since rewritten, so it is thrown away.
  if (local.part && local.part.size > 0 && local.part.size <= remote.size && local.part.mtimeMs >= Math.floor(remote.mtimeMs / 1000) * 1000) {
    return local.part.size === remote.size ? { action: 'resume', offset: remote.size } : { action: 'resume', offset: local.part.size };
  }
  return { action: 'full' };
}

/**
 * Size and time of a local regular file, undefined when nothing is there. Anything else at the
 * path (a symlink, a directory, a device, a FIFO) is refused, never followed: a planted link in
 * results/ must not turn a download into a write elsewhere.
 */
async function statLocal(path: string): Promise<SizeAndTime | undefined> {
  let s: Stats;
  try {
    s = await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if (s.isFile()) return { size: s.size, mtimeMs: s.mtimeMs };
  throw new DownloadRefusedError('unsafe-local-path', `${path} is ${describeLocalKind(s)}; a download never writes through or replaces it`, {
    hint: 'remove it (it was not written by hpcbench) and fetch again',
  });
}

export function describeLocalKind(s: Stats): string {
  if (s.isSymbolicLink()) return 'a symbolic link';
  if (s.isDirectory()) return 'a directory';
  if (s.isFIFO()) return 'a FIFO';
  if (s.isCharacterDevice() || s.isBlockDevice()) return 'a device';
  if (s.isSocket()) return 'a socket';
  return 'not a regular file';
}

function partPath(localPath: string): string {
  return `${localPath}.part`;
}

/** Give the finished local copy the remote mtime, so the next run recognises it as complete. */
async function stampMtime(localPath: string, mtimeMs: number): Promise<void> {
  const seconds = mtimeMs / 1000;
  await utimes(localPath, seconds, seconds);
}

export interface ResumableDownload {
  /** As the user named it, for messages. */
  remotePath: string;
  /** " from <target>" for a remote host, "" for this machine. */
  where: string;
  /** What the transport saw at the path; `isSymbolicLink` only when it looked without following. */
  remote: (RemoteStat & { isSymbolicLink?: boolean; isFile?: boolean }) | undefined;
  localPath: string;
  /** A stream of the remote bytes [start, end] (inclusive), as fs.createReadStream takes them. */
  open: (start: number, end: number) => NodeJS.ReadableStream;
  /** Turns a failure into the transport's RemoteError. */
  wrapError: (error: unknown) => RemoteError;
  /** Refuse remote files larger than this. */
  maxBytes?: number;
}

/**
 * The remote side is checked before anything local is touched: a link the caller did not want
 * followed, something that is not a file, a size over the cap.
 */
function checkRemote(d: ResumableDownload): RemoteStat {
  const { remote } = d;
  if (!remote) {
    throw new RemoteError(`cannot download ${d.remotePath}${d.where}: no such file`, {
      hint: 'check the path; job logs appear only once the job has started',
    });
  }
  if (remote.isSymbolicLink === true) {
    throw new DownloadRefusedError('symlink', `${d.remotePath}${d.where} is a symbolic link; it is not followed`);
  }
  if (remote.isDirectory || remote.isFile === false) {
    throw new DownloadRefusedError('not-a-file', `cannot download ${d.remotePath}${d.where}: ${remote.isDirectory ? 'it is a directory' : 'it is not a regular file'}`, {
      hint: 'check the path; only regular files are downloaded',
    });
  }
  if (!Number.isSafeInteger(remote.size) || remote.size < 0 || (d.maxBytes !== undefined && remote.size > d.maxBytes)) {
    const limit = d.maxBytes === undefined ? '' : `, over the limit of ${formatMiB(d.maxBytes)}`;
    throw new DownloadRefusedError('too-large', `${d.remotePath}${d.where} is ${formatMiB(remote.size)}${limit}; it was not downloaded`, { size: remote.size });
  }
  return remote;
}

/** Fails the pipeline as soon as the server sends more than it said the file holds. */
function limitBytes(max: number, what: string): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      seen += chunk.length;
      if (seen > max) callback(new RemoteError(`${what}: the server sent more bytes than the file's size (${max})`));
      else callback(null, chunk);
    },
  });
}

/**
 * Opens `<local>.part` for writing without following a link planted there meanwhile (O_NOFOLLOW)
 * and without blocking on a FIFO (O_NONBLOCK); what was opened must be a regular file.
 */
async function openPart(part: string, append: boolean): Promise<FileHandle> {
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK | (append ? constants.O_APPEND : constants.O_TRUNC);
  const handle = await open(part, flags, 0o666);
  const s = await handle.stat();
  if (!s.isFile()) {
    await handle.close();
    throw new DownloadRefusedError('unsafe-local-path', `${part} is ${describeLocalKind(s)}; a download never writes through it`);
  }
  return handle;
}

/**
 * The download both transports run: skip a complete copy, resume a `.part` file, fetch the rest
 * (bounded by the size seen at stat time: a log still growing is fetched as of that moment),
 * check the size, stamp the remote mtime, rename into place.
 */
export async function downloadResumable(d: ResumableDownload): Promise<DownloadResult> {
  const remote = checkRemote(d);
  const { localPath } = d;
  const part = partPath(localPath);
  const plan = planDownload(remote, { final: await statLocal(localPath), part: await statLocal(part) });
  if (plan.action === 'skip') return { bytes: 0, skipped: true };
  const offset = plan.action === 'resume' ? plan.offset : 0;
  try {
    await mkdir(dirname(localPath), { recursive: true });
    if (offset < remote.size || offset === 0) {
      const handle = await openPart(part, offset > 0);
      if (offset < remote.size) {
        let source: NodeJS.ReadableStream;
        try {
          source = d.open(offset, remote.size - 1);
        } catch (error) {
          await handle.close();
          throw error;
        }
        // The write stream owns the handle from here and closes it however the pipeline ends.
        await pipeline(source, limitBytes(remote.size - offset, `download of ${d.remotePath}`), handle.createWriteStream());
      } else {
        await handle.close();
      }
    }
    const written = await statLocal(part);
    if (written?.size !== remote.size) {
      throw new RemoteError(`download of ${d.remotePath} stopped at ${written?.size ?? 0} of ${remote.size} bytes`, {
        hint: 'run the command again; it resumes where it stopped',
      });
    }
    await stampMtime(part, remote.mtimeMs);
    await rename(part, localPath);
  } catch (error) {
    if (error instanceof DownloadRefusedError) throw error;
    throw d.wrapError(error);
  }
  const result: DownloadResult = { bytes: remote.size - offset, skipped: false };
  if (offset > 0) result.resumedFrom = offset;
  return result;
}
