import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { selectInPlace, selectPercentile } from '../../../src/stats/select-percentile.js';
import { bootstrapCi, percentile, percentileStatistic, sortedCopy } from '../../../src/stats/index.js';

describe('selectPercentile', () => {
  it('gives the exact values of the hand-checked sample', () => {
    expect(selectPercentile(Float64Array.from([1600, 100, 1100, 600]), 50)).toBe(850);
    expect(selectPercentile(Float64Array.from([1600, 100, 1100, 600]), 90)).toBe(1450);
    expect(selectPercentile(Float64Array.from([7]), 95)).toBe(7);
  });

  it('equals percentile() of the sorted sample, bit for bit, for any data and p', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: -5, max: 5 })), { minLength: 1, maxLength: 300 }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        (values, p) => {
          const expected = percentile(sortedCopy(values), p);
          // === rather than toBe: -0 and 0 are equal order statistics and may swap places.
          expect(selectPercentile(Float64Array.from(values), p) === expected).toBe(true);
          const k = Math.floor((p / 100) * (values.length - 1));
          const a = Float64Array.from(values);
          expect(selectInPlace(a, k) === sortedCopy(values)[k]).toBe(true);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('gives the same bootstrap interval as the sorting statistic', () => {
    const values = Array.from({ length: 500 }, (_, i) => ((i * 7919) % 1000) / 10);
    const options = { iterations: 300, seed: 11 };
    const sorted = bootstrapCi(values, percentileStatistic(95), options);
    const selected = bootstrapCi(values, (s) => selectPercentile(s, 95), options);
    expect(selected).toEqual(sorted);
  });
});
