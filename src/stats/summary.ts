import { UsageError } from '../errors.js';
import { percentile, sortedCopy, checkPercentile, type PercentileMethod } from './percentile.js';
import { CompensatedSum } from './compensated-sum.js';

/**
 * Descriptive statistics of a sample. `std` is the SAMPLE standard deviation (ddof = 1, Bessel's
 * correction, numpy's `std(x, ddof=1)`); it is null when n < 2 because it is undefined there.
 * Percentiles use `method` (linear interpolation, numpy's default, unless asked otherwise).
 * `percentiles` holds any extra percentiles asked for, keyed `p<value>` (e.g. `p99.9`).
 */
interface FilledSummary {
  n: number;
  mean: number;
  std: number | null;
  min: number;
  max: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  percentiles?: Record<string, number>;
}

/** The summary of no values: every statistic is null (never NaN, never 0). */
interface EmptySummary {
  n: 0;
  mean: null;
  std: null;
  min: null;
  max: null;
  p50: null;
  p90: null;
  p95: null;
  p99: null;
  percentiles?: Record<string, null>;
}

/** Narrow with `summary.mean !== null` (or `summary.n > 0` plus that check). */
export type Summary = FilledSummary | EmptySummary;

export interface SummarizeOptions {
  /** Extra percentiles (0..100) reported in `percentiles`, besides p50/p90/p95/p99. */
  percentiles?: number[];
  method?: PercentileMethod;
}

function percentileKey(p: number): string {
  return `p${p}`;
}

/**
 * Neumaier-compensated sum: the mean of millions of samples stays accurate to the last digits,
 * which the numpy agreement tests (1e-9 relative) rely on.
 */

export function summarize(values: ArrayLike<number>, options: SummarizeOptions = {}): Summary {
  const method = options.method ?? 'linear';
  const extra = options.percentiles ?? [];
  extra.forEach(checkPercentile);
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new UsageError(
        `cannot summarize: value ${i} is ${String(values[i])}; expected finite numbers (missing values must be left out, not stored as NaN)`,
      );
    }
  }
  const n = values.length;
  if (n === 0) {
    const empty: EmptySummary = { n: 0, mean: null, std: null, min: null, max: null, p50: null, p90: null, p95: null, p99: null };
    if (extra.length > 0) empty.percentiles = Object.fromEntries(extra.map((p) => [percentileKey(p), null]));
    return empty;
  }
  const sorted = sortedCopy(values);
  const sum = new CompensatedSum();
  for (let i = 0; i < n; i++) sum.add(sorted[i] as number);
  const mean = sum.value / n;
  let std: number | null = null;
  if (n >= 2) {
    const squares = new CompensatedSum();
    for (let i = 0; i < n; i++) squares.add(((sorted[i] as number) - mean) ** 2);
    std = Math.sqrt(squares.value / (n - 1));
  }
  const summary: FilledSummary = {
    n,
    mean,
    std,
    min: sorted[0] as number,
    max: sorted[n - 1] as number,
    p50: percentile(sorted, 50, method),
    p90: percentile(sorted, 90, method),
    p95: percentile(sorted, 95, method),
    p99: percentile(sorted, 99, method),
  };
  if (extra.length > 0) {
    summary.percentiles = Object.fromEntries(extra.map((p) => [percentileKey(p), percentile(sorted, p, method)]));
  }
  return summary;
}
