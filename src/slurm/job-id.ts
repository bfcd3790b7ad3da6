/**
 * SLURM job ids as squeue and sacct print them:
 *   123            a job
 *   123_4          task 4 of array job 123
 *   123_[5-9]      array tasks 5..9, still pending as one record (also `123_[1,3-5%2]`)
 *   123+0          component 0 of heterogeneous job 123
 *   123.batch      a step (`.batch`, `.extern`, `.interactive`, `.0`, `.1`, ...)
 */

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
