import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StreamingRankSelector } from '../../../src/stats/streaming-rank-selector.js';
import { StreamingSummary } from '../../../src/stats/streaming-summary.js';
import { summarize } from '../../../src/stats/summary.js';

/** Feeds `values` to the selector pass after pass (reversed every other pass: the order must not matter). */
function selectRanks(values: readonly number[], ranks: readonly number[], bufferLimit: number): { selector: StreamingRankSelector; passes: number } {
  const selector = new StreamingRankSelector({ bufferLimit });
  let passes = 0;
  while (selector.needsPass) {
    const order = passes % 2 === 0 ? values : [...values].reverse();
    for (const x of order) selector.add(x);
    selector.finishPass();
    if (passes === 0 && values.length > 0) selector.select(ranks);
    passes++;
  }
  return { selector, passes };
}

const anyDouble = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer({ min: -3, max: 3 }),
  fc.constantFrom(0, -0, Number.MIN_VALUE, 2 * Number.MIN_VALUE, 2.2250738585072014e-308, Number.MAX_VALUE, -Number.MAX_VALUE, 1e300, 0.1, 0.1 + 2 ** -56),
);

describe('StreamingRankSelector', () => {
  it('selects the order statistics of a sort, for any data (ties, zeros, subnormals, huge values) and buffer', () => {
    fc.assert(
      fc.property(fc.array(anyDouble, { minLength: 1, maxLength: 400 }), fc.integer({ min: 1, max: 64 }), fc.array(fc.nat(), { maxLength: 8 }), (values, bufferLimit, picks) => {
        const sorted = Float64Array.from(values).sort();
        const ranks = [0, sorted.length - 1, ...picks.map((k) => k % sorted.length)];
        const { selector } = selectRanks(values, ranks, bufferLimit);
        // Object.is: -0 and +0 sort apart, and the selector keeps them apart as the sort does.
        for (const rank of ranks) expect(Object.is(selector.valueAt(rank), sorted[rank]), `rank ${rank}`).toBe(true);
        expect(selector.peakBuffered).toBeLessThanOrEqual(bufferLimit);
      }),
      { numRuns: 800 },
    );
  });

  it('never holds more than its buffer limit, however many values there are', () => {
    // Distinct values packed closely (~20 to a bucket after two 11-bit narrowings): collected only then.
    const values = Array.from({ length: 20_000 }, (_, i) => 1 + ((i * 7919) % 20_011) * 4.7e-11);
    const sorted = Float64Array.from(values).sort();
    const ranks = [0, 9_999, 10_000, 18_999, 19_999, 19_990];
    const { selector, passes } = selectRanks(values, ranks, 64);
    for (const rank of ranks) expect(selector.valueAt(rank)).toBe(sorted[rank]);
    expect(selector.peakBuffered).toBeGreaterThan(0);
    expect(selector.peakBuffered).toBeLessThanOrEqual(64);
    expect(passes).toBeGreaterThan(2);
  });

  it('ends on heavy ties and all-equal values without collecting them', () => {
    const equal = new Array<number>(5000).fill(0.25);
    const { selector, passes } = selectRanks(equal, [0, 2500, 4999], 16);
    expect([selector.valueAt(0), selector.valueAt(2500), selector.valueAt(4999)]).toEqual([0.25, 0.25, 0.25]);
    // The first pass keeps no extremes per bucket; the second pass's tell that the bucket is all one value.
    expect(passes).toBe(2);
    expect(selector.peakBuffered).toBe(0);

    // 4000 equal values next to their nearest neighbours in the key's last bits.
    const tied = [...new Array<number>(4000).fill(1), 1 + 2 ** -52, 1 - 2 ** -53, 1 + 2 ** -51, ...new Array<number>(100).fill(3)];
    const sorted = Float64Array.from(tied).sort();
    const ranks = [0, 1, 2000, 4000, 4001, 4002, 4102];
    const result = selectRanks(tied, ranks, 8);
    for (const rank of ranks) expect(result.selector.valueAt(rank)).toBe(sorted[rank]);
    expect(result.selector.peakBuffered).toBeLessThanOrEqual(8);
  });

  it('refuses a stream that changed between passes', () => {
    const selector = new StreamingRankSelector({ bufferLimit: 4 });
    for (const x of [1, 2, 3]) selector.add(x);
    selector.finishPass();
    selector.select([1]);
    for (const x of [1, 2]) selector.add(x);
    expect(() => selector.finishPass()).toThrow(/changed between passes/);
  });
});

describe('StreamingSummary', () => {
  it('equals summarize(): percentiles exactly, mean and std to 1e-12', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.double({ min: 0, max: 1e6, noNaN: true }), fc.integer({ min: 0, max: 4 })), { minLength: 0, maxLength: 300 }),
        fc.constantFrom('linear' as const, 'nearest-rank' as const),
        fc.integer({ min: 1, max: 40 }),
        (values, method, bufferLimit) => {
          const summary = new StreamingSummary({ method, bufferLimit });
          while (summary.needsPass) {
            for (const x of values) summary.add(x);
            summary.endPass();
          }
          const expected = summarize(values, { method });
          const actual = summary.result();
          expect({ ...actual, mean: null, std: null }).toEqual({ ...expected, mean: null, std: null });
          for (const key of ['mean', 'std'] as const) {
            const [a, b] = [actual[key], expected[key]];
            if (a === null || b === null) expect(a).toBe(b);
            else expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-12 * Math.max(Math.abs(b), 1e-300));
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
