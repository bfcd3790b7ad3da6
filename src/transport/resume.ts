/**
 * The decision behind resumable downloads, shared by both transports so they behave alike.
 *
 * A download is written to `<local>.part` and renamed when complete; the final file then gets the
 * remote mtime. So "final file exists with the remote size and mtime" means complete, and a `.part`
 * file is an interrupted transfer whose bytes are a prefix of the remote file.
 */
import { stat, utimes } from 'node:fs/promises';

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
