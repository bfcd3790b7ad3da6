import { describe, expect, it } from 'vitest';
import { mean as ssMean, sampleStandardDeviation, quantileSorted } from 'simple-statistics';
import { summarize } from '../../../src/stats/summary.js';
import { percentile as percentileOf } from '../../../src/stats/percentile.js';
import { UsageError } from '../../../src/errors.js';

describe('summarize', () => {
  it('gives exact values on a tiny sample', () => {
    const s = summarize([1600, 100, 1100, 600]);
    expect(s).toMatchObject({ n: 4, mean: 850, min: 100, max: 1600, p50: 850, p90: 1450 });
    // sample std (ddof = 1): sqrt(((750²+250²)·2)/3)
    expect(s.std).toBeCloseTo(Math.sqrt(1250000 / 3), 12);
    expect(s.p95).toBeCloseTo(1525, 12);
    expect(s.p99).toBeCloseTo(1585, 12);
  });

  it('returns nulls, not NaN or 0, for no values', () => {
    const s = summarize([], { percentiles: [99.9] });
    expect(s).toEqual({
      n: 0, mean: null, std: null, min: null, max: null, p50: null, p90: null, p95: null, p99: null,
      percentiles: { 'p99.9': null },
    });
  });

  it('has a null std for one value (undefined with ddof = 1)', () => {
    const s = summarize([5]);
    expect(s.n).toBe(1);
    expect(s.std).toBeNull();
    expect(s.p99).toBe(5);
  });

  it('reports extra percentiles and honours nearest-rank', () => {
    const s = summarize([100, 600, 1100, 1600], { percentiles: [75], method: 'nearest-rank' });
    expect(s.p50).toBe(600);
    expect(s.percentiles).toEqual({ p75: 1100 });
  });

  it('rejects NaN values instead of propagating them', () => {
    expect(() => summarize([1, Number.NaN])).toThrow(UsageError);
    expect(() => summarize([1, 2], { percentiles: [120] })).toThrow(/out of range/);
  });

  it('keeps small terms next to large ones in the mean (compensated sum)', () => {
    // A plain left-to-right sum of the sorted values (-1e16, 1, 1e16) loses the 1 and gives 0.
    expect(summarize([1e16, 1, -1e16]).mean).toBe(1 / 3);
  });

  it('agrees with simple-statistics (mean, sample std, type-7 quantiles)', () => {
    const values = [12.5, 3, 7.25, 99, 41, 41, 0.5, 18, 27.75, 64];
    const s = summarize(values);
    expect(s.mean).toBeCloseTo(ssMean(values), 12);
    expect(s.std).toBeCloseTo(sampleStandardDeviation(values), 12);
    // Same definition; ours mirrors numpy's two-sided interpolation to the last bit and takes
    // typed arrays, which is why percentile() does not simply call quantileSorted.
    const sorted = [...values].sort((a, b) => a - b);
    for (const p of [1, 10, 25, 50, 75, 90, 95, 99]) {
      expect(percentileOf(sorted, p)).toBeCloseTo(quantileSorted(sorted, p / 100), 9);
    }
  });
});
