import { UsageError } from '../errors.js';

/**
 * How a percentile is read from the order statistics.
 * - `linear`: linear interpolation between the two nearest order statistics at rank
 *   h = (n − 1)·p/100 (Hyndman–Fan type 7, numpy's and R's default).
 * - `nearest-rank`: the smallest value such that at least p % of the data is ≤ it
 *   (rank ⌈p/100 · n⌉, the first value for p = 0); always an observed value.
 */
export type PercentileMethod = 'linear' | 'nearest-rank';

export function checkPercentile(p: number): void {
  if (!Number.isFinite(p) || p < 0 || p > 100) {
    throw new UsageError(`percentile ${p} is out of range: expected a number from 0 to 100`);
  }
}

/**
 * numpy's interpolation between neighbours a and b at fraction t: it subtracts from b when
 * t ≥ 0.5, which keeps the result monotonic and exact at t = 1. Mirrored so results agree with
 * numpy bit for bit, not just within rounding.
 */
export function interpolate(a: number, b: number, t: number): number {
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/**
 * Where percentile p falls among n sorted values: the lower order statistic (0-based), the
 * fraction towards the next one, and whether the next one is needed at all.
 * Shared with percentileOfRanks and with the streamed summary, which asks for these ranks.
 */
export function locatePercentile(
  n: number,
  p: number,
  method: PercentileMethod,
): { lower: number; fraction: number } {
  if (method === 'nearest-rank') {
    const rank = Math.max(1, Math.ceil((p / 100) * n));
    return { lower: Math.min(rank, n) - 1, fraction: 0 };
  }
  const h = (n - 1) * (p / 100);
  const lower = Math.min(Math.floor(h), n - 1);
  return { lower, fraction: h - lower };
}

/**
 * Percentile p (0..100) of values sorted in ascending order. The caller sorts once and asks
 * many percentiles. Throws UsageError for an empty input or p outside 0..100.
 */
export function percentile(sorted: ArrayLike<number>, p: number, method: PercentileMethod = 'linear'): number {
  checkPercentile(p);
  const n = sorted.length;
  if (n === 0) throw new UsageError('cannot take a percentile of no values');
  return percentileOfRanks(n, p, method, (rank) => sorted[rank] as number);
}

/**
 * Percentile p of n values read by rank through `at` (0-based order statistics): the one or two
 * that locatePercentile names, interpolated as percentile() does. For sources that are not a
 * sorted array: a histogram's counts, or the order statistics a streamed summary selected.
 */
export function percentileOfRanks(n: number, p: number, method: PercentileMethod, at: (rank: number) => number): number {
  const { lower, fraction } = locatePercentile(n, p, method);
  const a = at(lower);
  if (fraction === 0 || lower + 1 >= n) return a;
  return interpolate(a, at(lower + 1), fraction);
}

/** A sorted Float64Array copy of the values (numeric order, unlike Array.prototype.sort). */
export function sortedCopy(values: ArrayLike<number>): Float64Array {
  const copy = Float64Array.from(values);
  copy.sort();
  return copy;
}
