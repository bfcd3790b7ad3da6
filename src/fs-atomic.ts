/**
 * The one way hpcbench writes a local file. A regular file (or a missing one) is written to a
 * sibling temporary file and renamed over the target, so a reader never sees half a file and a
 * crash leaves the old content. Anything else at the path is never replaced: a symlink is refused
 * (following it would let a planted link redirect the write, e.g. onto ~/.bashrc), a character
 * device or FIFO the user named (`--out /dev/null`, a named pipe) is written through in place
 * (replacing /dev/null with a regular file once broke a machine's sshd), as is a terminal or pipe
 * reached through the process's own stream names (`/dev/stdout`, `/dev/fd/N`), and directories
 * and sockets are refused. The `.tmp-` infix is what upload and fetch skip.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  fsyncSync,
  lstatSync,
  openSync,
  renameSync,
  unlinkSync,
  writeFileSync,
  type Stats,
} from 'node:fs';
import { lstat, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { UnsafeWriteError } from './errors.js';

export interface AtomicWriteOptions {
  /**
   * Permission bits of the written file, applied exactly (not filtered by the umask), e.g. 0o600
   * for files that may hold secrets. Without it a new file gets 0o666 less the umask and an
   * existing one keeps its bits. Ignored when writing through to a device or FIFO.
   */
  mode?: number;
  /** fsync the data before the rename and the directory after it (files that must survive a crash). */
  fsync?: boolean;
}

type TargetKind = 'absent' | 'regular' | 'through' | 'stream';

// The names of this process's own streams are links the user means to follow (`--out
// /dev/stdout`); every other link is refused.
const STREAM_ALIAS = /^\/(?:dev\/(?:stdout|stderr|fd\/\d+)|proc\/self\/fd\/\d+)$/;

const REMOVE_HINT = 'remove it or choose another path';
const STREAM_HINT = 'leave out --out to print to standard output, or name a file';

function describeKind(stats: Stats): string {
  if (stats.isSymbolicLink()) return 'a symbolic link';
  if (stats.isDirectory()) return 'a directory';
  if (stats.isSocket()) return 'a socket';
  if (stats.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

/** Decides what a write to `file` may do, given what lstat (never stat) found there. */
function classifyTarget(file: string, stats: Stats | undefined): TargetKind {
  if (stats === undefined) return 'absent';
  if (stats.isFile()) return 'regular';
  if (stats.isCharacterDevice() || stats.isFIFO()) return 'through';
  if (stats.isSymbolicLink() && STREAM_ALIAS.test(resolve(file))) return 'stream';
  if (stats.isSymbolicLink()) {
    throw new UnsafeWriteError(file, 'is a symbolic link; hpcbench does not write through links', REMOVE_HINT);
  }
  throw new UnsafeWriteError(file, `is ${describeKind(stats)}, not a regular file; refusing to replace it`, REMOVE_HINT);
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}

function lstatOrUndefined(file: string): Stats | undefined {
  try {
    return lstatSync(file);
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

async function lstatOrUndefinedAsync(file: string): Promise<Stats | undefined> {
  try {
    return await lstat(file);
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

function temporaryPath(file: string): string {
  return `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** The bits to set exactly on the temporary file, or undefined to leave the umask's result. */
function exactMode(options: AtomicWriteOptions, existing: Stats | undefined): number | undefined {
  if (options.mode !== undefined) return options.mode & 0o7777;
  return existing === undefined ? undefined : existing.mode & 0o7777;
}

// O_NOFOLLOW and no O_CREAT: if the device or FIFO was swapped for a link or removed since the
// lstat, the open fails instead of following or creating. O_TRUNC is meaningless for both kinds.
const THROUGH_FLAGS = constants.O_WRONLY | constants.O_NOFOLLOW;
// Exclusive create never reuses (or follows) something already at the temporary name.
const TEMP_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

function checkOpenedThrough(file: string, stats: Stats, kind: TargetKind): void {
  if (stats.isCharacterDevice() || stats.isFIFO()) return;
  if (kind === 'stream') {
    throw new UnsafeWriteError(file, `leads to ${stats.isFile() ? 'a regular file' : describeKind(stats)}, not a terminal or pipe; refusing to write through it`, STREAM_HINT);
  }
  throw new UnsafeWriteError(file, 'changed while it was being opened; refusing to write to it', REMOVE_HINT);
}

function throughFlags(kind: TargetKind): number {
  return kind === 'stream' ? constants.O_WRONLY : THROUGH_FLAGS;
}

function writeThroughSync(file: string, data: string | Uint8Array, kind: TargetKind): void {
  const fd = openSync(file, throughFlags(kind));
  try {
    checkOpenedThrough(file, fstatSync(fd), kind);
    writeFileSync(fd, data);
  } finally {
    closeSync(fd);
  }
}

function syncDirectory(file: string): void {
  // Some file systems refuse fsync on a directory; the data itself is already synced.
  try {
    const fd = openSync(dirname(file), constants.O_RDONLY);
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    /* best effort */
  }
}

/**
 * Writes `data` to `file`: atomically for a regular or missing file, in place for a character
 * device or FIFO; refuses symlinks, directories and sockets with an UnsafeWriteError (exit 2).
 */
export function writeFileAtomically(file: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): void {
  const existing = lstatOrUndefined(file);
  const kind = classifyTarget(file, existing);
  if (kind === 'through' || kind === 'stream') {
    writeThroughSync(file, data, kind);
    return;
  }
  const temp = temporaryPath(file);
  const fd = openSync(temp, TEMP_FLAGS, options.mode ?? 0o666);
  try {
    try {
      const mode = exactMode(options, existing);
      if (mode !== undefined) fchmodSync(fd, mode);
      writeFileSync(fd, data);
      if (options.fsync === true) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      /* already renamed or never written */
    }
    throw error;
  }
  if (options.fsync === true) syncDirectory(file);
}

async function writeThroughAsync(file: string, data: string | Uint8Array, kind: TargetKind): Promise<void> {
  const handle = await open(file, throughFlags(kind));
  try {
    checkOpenedThrough(file, await handle.stat(), kind);
    await handle.writeFile(data);
  } finally {
    await handle.close();
  }
}

async function syncDirectoryAsync(file: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dirname(file), constants.O_RDONLY);
    await handle.sync();
  } catch {
    /* best effort, as in syncDirectory */
  } finally {
    await handle?.close();
  }
}

/** writeFileAtomically for async code that should not block the event loop (or wait on a FIFO's reader). */
export async function writeFileAtomicallyAsync(
  file: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const existing = await lstatOrUndefinedAsync(file);
  const kind = classifyTarget(file, existing);
  if (kind === 'through' || kind === 'stream') {
    await writeThroughAsync(file, data, kind);
    return;
  }
  const temp = temporaryPath(file);
  const handle = await open(temp, TEMP_FLAGS, options.mode ?? 0o666);
  try {
    try {
      const mode = exactMode(options, existing);
      if (mode !== undefined) await handle.chmod(mode);
      await handle.writeFile(data);
      if (options.fsync === true) await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  if (options.fsync === true) await syncDirectoryAsync(file);
}
