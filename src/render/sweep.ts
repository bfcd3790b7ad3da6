/**
 * Sweep points: the cartesian product of a sweep matrix (first key varies slowest, as
 * itertools.product), minus excluded points, written as a TSV file (one line per array task) and a
 * JSONL file (the task's full parameter object, for HPCBENCH_PARAMS_JSON).
 */
import type { Sweep } from '../config/index.js';

export type ParamValue = string | number | boolean;
export type ParamRecord = Record<string, ParamValue>;

function isExcluded(point: ParamRecord, exclude: readonly ParamRecord[]): boolean {
  return exclude.some((rule) => Object.entries(rule).every(([key, value]) => point[key] === value));
}

/** Every point of the matrix, in a stable order. */
export function expandSweep(sweep: Pick<Sweep, 'matrix' | 'exclude'>): ParamRecord[] {
  let points: ParamRecord[] = [{}];
  for (const [name, values] of Object.entries(sweep.matrix)) {
    const next: ParamRecord[] = [];
    for (const point of points) for (const value of values) next.push({ ...point, [name]: value });
    points = next;
  }
  return points.filter((point) => !isExcluded(point, sweep.exclude));
}

/** `0-N` with an optional `%max_parallel`; N is the last task id. */
export function formatArraySpec(size: number, maxParallel: number | undefined): string {
  return `0-${size - 1}${maxParallel !== undefined ? `%${maxParallel}` : ''}`;
}

/** The TSV the job reads its parameters from: header of names, then one line per task. */
export function formatSweepTsv(names: readonly string[], points: readonly ParamRecord[]): string {
  const lines = [names.join('\t')];
  for (const point of points) lines.push(names.map((n) => String(point[n] ?? '')).join('\t'));
  return `${lines.join('\n')}\n`;
}

/** One JSON object per task: the fixed parameters with the task's point on top. */
export function formatSweepJsonl(parameters: ParamRecord, points: readonly ParamRecord[]): string {
  let out = '';
  for (const point of points) out += `${JSON.stringify({ ...parameters, ...point })}\n`;
  return out;
}
