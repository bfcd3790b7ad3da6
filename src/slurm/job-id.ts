/**
 * SLURM job ids as squeue and sacct print them:
 *   123            a job
 *   123_4          task 4 of array job 123
 *   123_[5-9]      array tasks 5..9, still pending as one record (also `123_[1,3-5%2]`)
 *   123+0          component 0 of heterogeneous job 123
 *   123.batch      a step (`.batch`, `.extern`, `.interactive`, `.0`, `.1`, ...)
 */
import { InputError } from '../errors.js';

export interface JobIdParts {
  /** The id as printed, without the step. */
  jobId: string;
  /** The numeric id before `_` or `+`. */
  baseId: string;
  arrayJobId?: string;
  /** One task (`4`) or a pending range as printed inside the brackets (`5-9`, `1,3-5%2`). */
  arrayTaskId?: string;
  /** True when arrayTaskId is a bracketed range of tasks not started yet. */
  arrayPendingRange?: boolean;
  hetJobId?: string;
  hetJobOffset?: string;
  /** `batch`, `extern`, `0`, ... for step records. */
  step?: string;
}

const JOB_ID = /^(\d+)(?:_(\d+|\[[^\]]*\])|\+(\d+))?(?:\.([A-Za-z0-9_-]+))?$/;

export function tryParseJobId(text: string): JobIdParts | undefined {
  const t = text.trim();
  const match = JOB_ID.exec(t);
  if (!match?.[1]) return undefined;
  const [, base, task, het, step] = match;
  const jobId = step === undefined ? t : t.slice(0, t.length - step.length - 1);
  const parts: JobIdParts = { jobId, baseId: base };
  if (task !== undefined) {
    parts.arrayJobId = base;
    if (task.startsWith('[')) {
      parts.arrayTaskId = task.slice(1, -1);
      parts.arrayPendingRange = true;
    } else parts.arrayTaskId = task;
  }
  if (het !== undefined) {
    parts.hetJobId = base;
    parts.hetJobOffset = het;
  }
  if (step !== undefined) parts.step = step;
  return parts;
}

export function parseJobId(text: string, where: { file?: string; line?: number } = {}): JobIdParts {
  const parts = tryParseJobId(text);
  if (!parts) {
    throw new InputError(`job id ${JSON.stringify(text)} is not a SLURM job id: expected 123, 123_4, 123_[5-9], 123+0 or 123.batch`, where);
  }
  return parts;
}

/**
 * Expands an array task range as SLURM prints it (`1,3-5%2`, `0-9:2`) into task numbers;
 * the `%N` throttle is dropped. Returns undefined for text that is not a range.
 */
export function expandArrayRange(text: string, limit = 100_000): number[] | undefined {
  const body = text.replace(/^\[|\]$/g, '').replace(/%\d+$/, '');
  const out: number[] = [];
  for (const piece of body.split(',')) {
    const m = /^(\d+)(?:-(\d+)(?::(\d+))?)?$/.exec(piece.trim());
    if (!m?.[1]) return undefined;
    const start = Number(m[1]);
    const end = m[2] === undefined ? start : Number(m[2]);
    const stride = m[3] === undefined ? 1 : Number(m[3]);
    if (end < start || stride < 1) return undefined;
    for (let i = start; i <= end; i += stride) {
      out.push(i);
      if (out.length > limit) return undefined;
    }
  }
  return out;
}
