import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExactHistogram } from '../../../src/stats/exact-histogram.js';
import { percentile, sortedCopy } from '../../../src/stats/percentile.js';

describe('ExactHistogram', () => {
  it('gives the same percentiles as sorting every sample', () => {
    const h = new ExactHistogram(0);
    for (const v of [100, 600, 1100, 1600]) h.add(v);
    expect(h.percentiles([50, 90, 0, 100])).toEqual([850, 1450, 100, 1600]);
    expect(h.percentile(50, 'nearest-rank')).toBe(600);
    expect(h).toMatchObject({ count: 4, min: 100, max: 1600 });
    expect(h.mean()).toBe(850);
    expect(h.distinct).toBe(4);
  });

  it('keeps fixed-point values exact from mantissa and digits', () => {
    const h = new ExactHistogram(2);
    h.addFixed(25013, 2); // 250.13
    h.addFixed(3001, 1); // 300.1
    h.addFixed(70, 0); // 70
    h.addFixed(123456, 3); // 123.456: more digits than the scale → sparse, still exact
    expect(h.percentiles([0, 100])).toEqual([70, 300.1]);
    expect(h.min).toBe(70);
    expect(h.max).toBe(300.1);
    expect(h.entries().values).toEqual(Float64Array.of(70, 123.456, 250.13, 300.1));
    expect(h.percentile(50)).toBe((123.456 + 250.13) / 2);
  });

  it('counts 45.0 as 45 and negative values sparsely', () => {
    const h = new ExactHistogram(0);
    h.addFixed(450, 1);
    h.addFixed(45, 0);
    h.addFixed(-5, 0);
    expect(h.distinct).toBe(2);
    expect(Array.from(h.entries().counts)).toEqual([1, 2]);
    expect(h.mean()).toBe(85 / 3);
  });

  it('is empty-safe and merges', () => {
    const a = new ExactHistogram(0);
    expect(a.percentile(50)).toBeNull();
    expect(a.mean()).toBeNull();
    const b = new ExactHistogram(0);
    [1, 2, 2, 3].forEach((v) => b.add(v));
    a.add(10);
    a.merge(b);
    expect(a.count).toBe(5);
    expect(a.percentile(50)).toBe(2);
    expect(a.max).toBe(10);
  });

  it('agrees with the sort-based percentile on random fixed-point data (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -500, max: 200_000 }), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 0, max: 3 }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        (mantissas, digits, p) => {
          const h = new ExactHistogram(2);
          mantissas.forEach((m) => h.addFixed(m, digits));
          const values = mantissas.map((m) => m / 10 ** digits);
          const sorted = sortedCopy(values);
          expect(h.percentile(p)).toBe(percentile(sorted, p));
          expect(h.percentile(p, 'nearest-rank')).toBe(percentile(sorted, p, 'nearest-rank'));
          expect(h.min).toBe(sorted[0]);
          expect(h.max).toBe(sorted[sorted.length - 1]);
        },
      ),
      { numRuns: 300 },
    );
  });
});
