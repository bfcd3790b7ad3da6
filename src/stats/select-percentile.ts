/**
 * A bootstrap statistic for percentiles that selects instead of sorting. Sorting every resample
 * made the latency intervals of 100 000 requests take about 14 s each; selection is linear, so
 * the same intervals take a fraction of that. The rank and the interpolation are those of
 * percentile.ts (locatePercentile, interpolate), so the value is identical to
 * `percentile(sorted, p)`.
 */
import { interpolate, locatePercentile } from './percentile.js';

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i] as number;
  a[i] = a[j] as number;
  a[j] = t;
}

/**
 * Rearranges `a` in place so that a[k] is the k-th smallest value (0-based), everything before
 * it ≤ a[k] and everything after it ≥ a[k] (Hoare partition, median-of-three pivot).
 */
export function selectInPlace(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    if ((a[mid] as number) < (a[lo] as number)) swap(a, mid, lo);
    if ((a[hi] as number) < (a[lo] as number)) swap(a, hi, lo);
    if ((a[hi] as number) < (a[mid] as number)) swap(a, hi, mid);
    const pivot = a[mid] as number;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while ((a[i] as number) < pivot) i++;
      while ((a[j] as number) > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return a[k] as number;
}

/**
 * Linear-interpolation percentile p of an unsorted sample, reordering it in place.
 */
export function selectPercentile(sample: Float64Array, p: number): number {
  const n = sample.length;
  const { lower, fraction } = locatePercentile(n, p, 'linear');
  const low = selectInPlace(sample, lower);
  if (fraction === 0 || lower + 1 >= n) return low;
  // After selection the next order statistic is the smallest value to the right of `lower`.
  let next = Number.POSITIVE_INFINITY;
  for (let i = lower + 1; i < n; i++) next = Math.min(next, sample[i] as number);
  return interpolate(low, next, fraction);
}

/** The bootstrap statistic form of selectPercentile. */
export function selectPercentileStatistic(p: number): (sample: Float64Array) => number {
  return (sample) => selectPercentile(sample, p);
}
