import { describe, expect, it } from 'vitest';
import { bootstrapRelativeChange } from '../../../src/stats/bootstrap-change.js';
import { percentile } from '../../../src/stats/index.js';
import { createRng } from '../../../src/stats/random.js';

describe('bootstrapRelativeChange reads each resample from counts', () => {
  // The same resample drawn the plain way: indices into the sorted sample, then sorted.
  function drawSorted(sorted: Float64Array, random: () => number): Float64Array {
    const n = sorted.length;
    return Float64Array.from({ length: n }, () => sorted[Math.floor(random() * n)] as number).sort();
  }
  const sum = (values: Float64Array): number => values.reduce((a, b) => a + b, 0);

  it('exactly as sorting the resample would, for percentiles at every half percent and the mean', () => {
    const random = createRng(5);
    const baseline = Array.from({ length: 257 }, () => random() * 10 + 1);
    const candidate = Array.from({ length: 131 }, () => random() * 10 + 1);
    const ps = Array.from({ length: 201 }, (_, i) => i / 2);
    const statistics = [{ metric: 'mean', kind: 'mean' as const }, ...ps.map((p) => ({ metric: `p${p}`, kind: 'percentile' as const, p }))];
    // One iteration: the interval is that resample's own relative change, so every statistic of
    // every round is compared, not just the tails of their distribution.
    for (let seed = 0; seed < 20; seed++) {
      const intervals = bootstrapRelativeChange(baseline, candidate, statistics, { iterations: 1, confidence: 0.9, seed });
      const draws = createRng(seed);
      const b = drawSorted(Float64Array.from(baseline).sort(), draws);
      const c = drawSorted(Float64Array.from(candidate).sort(), draws);
      for (const p of ps) {
        const expected = percentile(c, p) / percentile(b, p) - 1;
        expect(intervals.get(`p${p}`)).toEqual({ low: expected, high: expected, confidence: 0.9, iterations: 1 });
      }
      const meanChange = sum(c) / c.length / (sum(b) / b.length) - 1;
      expect(intervals.get('mean')?.low).toBeCloseTo(meanChange, 12);
      expect(intervals.get('mean')?.high).toBe(intervals.get('mean')?.low);
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
