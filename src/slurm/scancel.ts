/**
 * scancel argv. Cancelling is by job id or by name (the run tag), never by user: hpcbench must
 * not touch jobs it did not submit.
 */
import { SlurmFormatError } from '../errors.js';

export type ScancelTarget = { jobIds: readonly string[] } | { name: string; user?: string };

export interface ScancelOptions {
  /** Only jobs in this state, e.g. PENDING (`--state=PENDING`). */
  state?: string;
  /** Send a signal instead of cancelling (`--signal=USR1`); `batchOnly` sends it to the batch shell. */
  signal?: string;
  batchOnly?: boolean;
}

const JOB_ID = /^\d+(?:_\d+|_\[[0-9,\-%:]+\])?(?:\+\d+)?(?:\.\d+|\.batch|\.extern)?$/;

export function buildScancelArgs(target: ScancelTarget, options: ScancelOptions = {}): string[] {
  const args = ['scancel'];
  if (options.state !== undefined) args.push(`--state=${options.state}`);
  if (options.signal !== undefined) args.push(`--signal=${options.signal}`);
  if (options.batchOnly) args.push('--batch');
  if ('jobIds' in target) {
    if (target.jobIds.length === 0) throw new SlurmFormatError('job id list', '', 'at least one job id to cancel');
    for (const id of target.jobIds) {
      if (!JOB_ID.test(id)) throw new SlurmFormatError('job id', id, 'a job id such as 123, 123_4 or 123_[1-3]');
    }
    args.push(...target.jobIds);
  } else {
    if (target.name.trim() === '') throw new SlurmFormatError('job name', target.name, 'a non-empty job name');
    args.push(`--name=${target.name}`);
    if (target.user !== undefined) args.push(`--user=${target.user}`);
  }
  return args;
}
