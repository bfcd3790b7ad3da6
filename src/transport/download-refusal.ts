/**
 * A download that was refused before anything was written: what the server offers or what lies
 * at the local path is not something hpcbench may copy or write through. Unlike a RemoteError
 * (the connection or the server failed), a refusal concerns one file, so `fetch` reports it and
 * goes on with the others.
 */
import { ExitCode, HpcbenchError } from '../errors.js';

export type DownloadRefusalReason =
  /** The remote path is a symbolic link and the caller asked not to follow links. */
  | 'symlink'
  /** The remote file is bigger than the caller's cap. */
  | 'too-large'
  /** The remote path is not a regular file (a directory, a device, a socket). */
  | 'not-a-file'
  /** The local file, its `.part`, or a directory on the way is a symlink, device, FIFO or directory. */
  | 'unsafe-local-path';

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

/** Sizes in messages: whole MiB above one, bytes below. */
export function formatMiB(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return mib >= 1 ? `${mib.toFixed(mib >= 100 ? 0 : 1)} MiB (${bytes} bytes)` : `${bytes} bytes`;
}
