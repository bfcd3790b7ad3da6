/**
 * The decision behind resumable downloads, shared by both transports so they behave alike.
 *
 * A download is written to `<local>.part` and renamed when complete; the final file then gets the
 * remote mtime. So "final file exists with the remote size and mtime" means complete, and a `.part`
 * file is an interrupted transfer whose bytes are a prefix of the remote file.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rename, stat, utimes, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { RemoteError } from '../errors.js';
import type { DownloadResult, RemoteStat } from './transport.js';

export interface SizeAndTime {
  size: number;
  mtimeMs: number;
}

export type DownloadPlan =
  | { action: 'skip' }
  | { action: 'resume'; offset: number }
  | { action: 'full' };

/** SFTP carries whole seconds, so times are compared at that precision. */
function sameSecond(a: number, b: number): boolean {
  return Math.floor(a / 1000) === Math.floor(b / 1000);
}

export function planDownload(
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

export async function statLocal(path: string): Promise<SizeAndTime | undefined> {
  try {
    const s = await stat(path);
    return s.isFile() ? { size: s.size, mtimeMs: s.mtimeMs } : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export function partPath(localPath: string): string {
  return `${localPath}.part`;
}

/** Give the finished local copy the remote mtime, so the next run recognises it as complete. */
export async function stampMtime(localPath: string, mtimeMs: number): Promise<void> {
  const seconds = mtimeMs / 1000;
  await utimes(localPath, seconds, seconds);
}

export interface ResumableDownload {
  /** As the user named it, for messages. */
  remotePath: string;
  /** " from <target>" for a remote host, "" for this machine. */
  where: string;
  remote: RemoteStat | undefined;
  localPath: string;
  /** A stream of the remote bytes [start, end] (inclusive), as fs.createReadStream takes them. */
  open: (start: number, end: number) => NodeJS.ReadableStream;
  /** Turns a failure into the transport's RemoteError. */
  wrapError: (error: unknown) => RemoteError;
}

/**
 * The download both transports run: skip a complete copy, resume a `.part` file, fetch the rest
 * (bounded by the size seen at stat time: a log still growing is fetched as of that moment),
 * check the size, stamp the remote mtime, rename into place.
 */
export async function downloadResumable(d: ResumableDownload): Promise<DownloadResult> {
  const { remote, localPath } = d;
  if (!remote || remote.isDirectory) {
    throw new RemoteError(`cannot download ${d.remotePath}${d.where}: ${remote ? 'it is a directory' : 'no such file'}`, {
      hint: 'check the path; job logs appear only once the job has started',
    });
  }
  const part = partPath(localPath);
  const plan = planDownload(remote, { final: await statLocal(localPath), part: await statLocal(part) });
  if (plan.action === 'skip') return { bytes: 0, skipped: true };
  const offset = plan.action === 'resume' ? plan.offset : 0;
  try {
    await mkdir(dirname(localPath), { recursive: true });
    if (offset < remote.size) {
      await pipeline(d.open(offset, remote.size - 1), createWriteStream(part, { flags: offset > 0 ? 'a' : 'w' }));
    } else if (offset === 0) {
      await writeFile(part, '');
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
    throw d.wrapError(error);
  }
  const result: DownloadResult = { bytes: remote.size - offset, skipped: false };
  if (offset > 0) result.resumedFrom = offset;
  return result;
}
