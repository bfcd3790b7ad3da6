import { describe, expect, it } from 'vitest';
import { bootstrapRelativeChange, SortedResample } from '../../../src/stats/bootstrap-change.js';
import { percentile } from '../../../src/stats/index.js';
import { createRng } from '../../../src/stats/random.js';

describe('SortedResample', () => {
  it('reads percentiles and the mean of a resample from counts exactly as sorting the resample would', () => {
    const random = createRng(5);
    const sorted = Float64Array.from({ length: 257 }, () => random() * 10).sort();
    const resample = new SortedResample(sorted);
    for (let round = 0; round < 20; round++) {
      resample.draw(random);
      const all = new Float64Array(sorted.length);
      resample.orderStatistics(Array.from({ length: sorted.length }, (_, i) => i), all);
      for (let i = 1; i < all.length; i++) expect(all[i]).toBeGreaterThanOrEqual(all[i - 1] as number);
      expect(all.every((v) => sorted.includes(v))).toBe(true);
      const ps = [0, 1, 50, 95, 99, 100];
      expect(resample.percentiles(ps)).toEqual(ps.map((p) => percentile(all, p)));
      expect(resample.mean()).toBeCloseTo(all.reduce((a, b) => a + b, 0) / all.length, 12);
    }
  });
});

describe('bootstrapRelativeChange', () => {
  const baseline = [1, 1.2, 0.9, 1.1, 1.05, 0.95, 1.3, 1.0];
  const candidate = [1.3, 1.5, 1.2, 1.4, 1.35, 1.25, 1.6, 1.3];
  const statistics = [{ metric: 'mean', kind: 'mean' as const }, { metric: 'p50', kind: 'percentile' as const, p: 50 }];

  it('gives the same intervals for the same seed as when it lived in report/compare.ts', () => {
    // Figures of the engine before it moved to stats/ (same seed, same data).
    const intervals = bootstrapRelativeChange(baseline, candidate, statistics, { iterations: 200, confidence: 0.9, seed: 7 });
    expect(intervals.get('mean')).toEqual({ low: 0.1733034203046658, high: 0.39764949368024266, confidence: 0.9, iterations: 200 });
    expect(intervals.get('p50')).toEqual({ low: 0.17391304347826098, high: 0.3955813953488372, confidence: 0.9, iterations: 200 });
  });

  it('gives no interval when a side has no samples', () => {
    expect(bootstrapRelativeChange([], candidate, statistics, { iterations: 10, confidence: 0.9, seed: 1 }).size).toBe(0);
  });
});
