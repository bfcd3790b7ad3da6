/**
 * SLURM job array specifications (`--array=0-5%2`, `1,3,7-9`, `0-10:2`) as lists of task ids.
 * A leaf module: status and watch expand a run's arrays without loading the manifest's schema.
 */
import { InputError } from '../errors.js';

/** SLURM's own ceiling on MaxArraySize; a larger array cannot have been rendered for a cluster. */
export const MAX_ARRAY_TASKS = 4_000_001;

/** `0-5%2`, `1,3,7-9`, `0-10:2` → the indices as strings; `file` is where the spec was read. */
export function expandArraySpec(spec: string, file: string): string[] {
  const body = spec.split('%')[0] ?? '';
  const out: string[] = [];
  for (const part of body.split(',')) {
    const m = /^(\d+)(?:-(\d+)(?::(\d+))?)?$/.exec(part.trim());
    if (!m?.[1]) throw new InputError(`array spec ${JSON.stringify(spec)} is not valid`, { file, hint: 'expected e.g. 0-5%2' });
    const start = Number(m[1]);
    const end = m[2] === undefined ? start : Number(m[2]);
    const step = m[3] === undefined ? 1 : Math.max(1, Number(m[3]));
    // A hand-edited 0-99999999999 would otherwise fill memory before anything else is checked.
    if (out.length + Math.floor((end - start) / step) + 1 > MAX_ARRAY_TASKS) {
      throw new InputError(`array spec ${JSON.stringify(spec)} has more than ${MAX_ARRAY_TASKS} tasks`, { file, hint: 'render the run again' });
    }
    for (let i = start; i <= end; i += step) out.push(String(i));
  }
  return out;
}
