/**
 * How many records a statistic needs before a report shows it as a figure (docs/statistics.md).
 * Below the minimum a report prints n and the minimum instead: a p95 of 4 records is just the
 * largest of them, and a bootstrap interval of 4 records is far narrower than the truth.
 */
import type { InferenceMetrics, LatencySummary } from '../profile/inference/metrics.js';

export const SAMPLE_MINIMUMS = {
  /** 1 / (1 − 0.95): fewer records leave no observation above the 95th percentile to estimate it from. */
  p95: 20,
  /** 1 / (1 − 0.99), for the same reason. */
  p99: 100,
  /** The percentile bootstrap under-covers badly on tiny samples (a resample of 5 has few distinct values). */
  interval: 10,
} as const;

export type GatedStatistic = keyof typeof SAMPLE_MINIMUMS;

/** The minimum for a percentile key (`p50` has none: a median of 3 is still the median). */
export function findMinimum(statistic: string): number | null {
  return statistic in SAMPLE_MINIMUMS ? SAMPLE_MINIMUMS[statistic as GatedStatistic] : null;
}

/**
 * Whether a statistic over `n` records may be shown. An unknown n (a tool's summary that does
 * not say how many requests it covers) is shown as the tool reported it.
 */
export function isStatisticShown(statistic: string, n: number | null | undefined): boolean {
  const min = findMinimum(statistic);
  return min === null || n === null || n === undefined || n >= min;
}

/** Records a latency percentile was computed over: requests, or batches when a record stood for several requests. */
export interface LatencySampleCount {
  n: number;
  unit: 'requests' | 'batches';
}

export function countLatencySamples(inference: Pick<InferenceMetrics, 'completedRequests'> & { latencyS: LatencySummary }): LatencySampleCount | null {
  const n = inference.latencyS.n;
  if (n === null || n === 0) return null;
  const requests = inference.completedRequests;
  return { n, unit: requests !== null && requests > n ? 'batches' : 'requests' };
}
