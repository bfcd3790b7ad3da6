import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { computeOrderStatisticInterval } from '../../../src/stats/order-statistic-interval.js';

/** The ranks and coverage of the interval, read off a sample 1…n (the value at rank k is k), shuffled. */
function locateOrderStatisticInterval(n: number, p: number, confidence: number): { lowerRank: number; upperRank: number; coverage: number } {
  const values = Float64Array.from({ length: n }, (_, i) => ((i * 7919) % n) + 1);
  const interval = computeOrderStatisticInterval(values, p, confidence);
  if (interval === null) throw new Error(`no interval for n = ${n}`);
  expect([interval.low, interval.high]).toEqual([interval.lowerRank, interval.upperRank]);
  return interval;
}

/** p as an exact fraction, and the two-sided tail (1 − confidence) / 2 as one. */
const P = { 50: [1n, 2n], 90: [9n, 10n], 95: [19n, 20n], 99: [99n, 100n] } as const;
const TAIL = { 0.9: [1n, 20n], 0.95: [1n, 40n], 0.99: [1n, 200n] } as const;

/**
 * The binomial CDF in exact rational arithmetic (BigInt numerators over one denominator d^n),
 * and the textbook rule applied to it: l the largest rank with F(l − 1) ≤ α/2, u the smallest
 * with F(u − 1) ≥ 1 − α/2 (the sample's ends when none is).
 */
function referenceRanks(n: number, p: keyof typeof P, confidence: keyof typeof TAIL): { lowerRank: number; upperRank: number; coverage: number } {
  const [pn, pd] = P[p];
  const [tn, td] = TAIL[confidence];
  const qn = pd - pn;
  const denominator = pd ** BigInt(n);
  const cdf: bigint[] = [];
  let running = 0n;
  let choose = 1n;
  for (let k = 0; k <= n; k++) {
    if (k > 0) choose = (choose * BigInt(n - k + 1)) / BigInt(k);
    running += choose * pn ** BigInt(k) * qn ** BigInt(n - k);
    cdf.push(running);
  }
  const at = (k: number): bigint => cdf[k] as bigint;
  let lowerRank = 1;
  for (let l = 1; l <= n; l++) if (at(l - 1) * td <= tn * denominator) lowerRank = l;
  let upperRank = n;
  for (let u = n; u > lowerRank; u--) if (at(u - 1) * td >= (td - tn) * denominator) upperRank = u;
  // Twelve significant digits of the exact coverage are plenty to compare with.
  const coverage = Number(((at(upperRank - 1) - at(lowerRank - 1)) * 10n ** 15n) / denominator) / 1e15;
  return { lowerRank, upperRank, coverage };
}

describe('locateOrderStatisticInterval', () => {
  it('gives the textbook interval of a median of 20: x(6) to x(15), coverage 1 − 2·21700/2²⁰', () => {
    const ranks = locateOrderStatisticInterval(20, 50, 0.95);
    expect(ranks).toMatchObject({ lowerRank: 6, upperRank: 15 });
    expect(ranks.coverage).toBeCloseTo(1 - (2 * 21700) / 2 ** 20, 12);
  });

  it('agrees with the exact rational binomial for any n up to 300, percentile and confidence', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.constantFrom(50 as const, 90 as const, 95 as const, 99 as const),
        fc.constantFrom(0.9 as const, 0.95 as const, 0.99 as const),
        (n, p, confidence) => {
          const expected = referenceRanks(n, p, confidence);
          const actual = locateOrderStatisticInterval(n, p, confidence);
          expect({ lowerRank: actual.lowerRank, upperRank: actual.upperRank }).toEqual({ lowerRank: expected.lowerRank, upperRank: expected.upperRank });
          expect(Math.abs(actual.coverage - expected.coverage)).toBeLessThan(1e-9);
          // Enough data reach the confidence; what is reported is never more than reached.
          if (expected.lowerRank > 1 && expected.upperRank < n) expect(actual.coverage).toBeGreaterThanOrEqual(confidence);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('at a million values sits where the normal approximation puts the ranks (np ∓ 1.96·√(np(1−p)))', () => {
    const n = 1_000_000;
    for (const p of [50, 95] as const) {
      const { lowerRank, upperRank, coverage } = locateOrderStatisticInterval(n, p, 0.95);
      const q = p / 100;
      const half = 1.959964 * Math.sqrt(n * q * (1 - q));
      expect(Math.abs(lowerRank - (n * q - half))).toBeLessThan(3);
      expect(Math.abs(upperRank - (n * q + half))).toBeLessThan(3);
      expect(coverage).toBeGreaterThanOrEqual(0.95);
      expect(coverage).toBeLessThan(0.9505);
    }
  });

  it('refuses p at 0 or 100 and a confidence outside (0, 1)', () => {
    expect(() => locateOrderStatisticInterval(10, 0, 0.95)).toThrow(UsageError);
    expect(() => locateOrderStatisticInterval(10, 100, 0.95)).toThrow(/strictly between 0 and 100/);
    expect(() => locateOrderStatisticInterval(10, 50, 95)).toThrow(/between 0 and 1/);
  });
});

describe('computeOrderStatisticInterval', () => {
  it('returns the order statistics at the ranks of any sample, ties included', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 1, maxLength: 400 }), fc.constantFrom(50, 95), (values, p) => {
        const sorted = [...values].sort((a, b) => a - b);
        const interval = computeOrderStatisticInterval(Float64Array.from(values), p, 0.95);
        expect(interval).not.toBeNull();
        const { lowerRank, upperRank, low, high } = interval as NonNullable<typeof interval>;
        expect(low).toBe(sorted[lowerRank - 1]);
        expect(high).toBe(sorted[upperRank - 1]);
      }),
      { numRuns: 200 },
    );
  });

  it('is null for no values', () => {
    expect(computeOrderStatisticInterval(new Float64Array(0), 50)).toBeNull();
  });
});
