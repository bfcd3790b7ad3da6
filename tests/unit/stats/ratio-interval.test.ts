import { describe, expect, it } from 'vitest';
import { computeNormalQuantile, computeRatioInterval } from '../../../src/stats/ratio-interval.js';

describe('computeNormalQuantile', () => {
  it('gives the standard normal quantiles to nine digits', () => {
    // Reference values: Python's statistics.NormalDist().inv_cdf (Wichura's AS241, 16 digits).
    const cases: [number, number][] = [
      [0.5, 0],
      [0.975, 1.9599639845400536],
      [0.995, 2.5758293035489],
      [0.95, 1.6448536269514715],
      [0.001, -3.090232306167813],
      [0.01, -2.3263478740408408],
    ];
    for (const [q, z] of cases) expect(Math.abs(computeNormalQuantile(q) - z), String(q)).toBeLessThan(1e-8);
  });

  it('refuses a probability of 0 or 1', () => {
    expect(() => computeNormalQuantile(1)).toThrow(/strictly between 0 and 1/);
  });
});

describe('computeRatioInterval', () => {
  it('gives the delta-method interval of the hand-checked sample', () => {
    // a = 1, 2, 3; b = 1, 1, 2: r = 6/4 = 1.5, d = −0.5, 0.5, 0, s² = 0.25,
    // SE = √(0.25/3) / (4/3) = 0.21650635094610965, half width 1.959963984540054 · SE.
    const a = [1, 2, 3];
    const b = [1, 1, 2];
    const interval = computeRatioInterval(3, (i) => a[i] as number, (i) => b[i] as number);
    expect(interval?.estimate).toBe(1.5);
    expect(interval?.standardError).toBeCloseTo(0.21650635094610965, 14);
    expect(interval?.low).toBeCloseTo(1.5 - 0.42434465, 7);
    expect(interval?.high).toBeCloseTo(1.5 + 0.42434465, 7);
    expect(interval?.confidence).toBe(0.95);
  });

  it('has zero width when every pair has the same ratio, and is null without a spread or a positive Σb', () => {
    expect(computeRatioInterval(4, (i) => 2 * (i + 1), (i) => i + 1)).toMatchObject({ estimate: 2, low: 2, high: 2 });
    expect(computeRatioInterval(1, () => 1, () => 1)).toBeNull();
    expect(computeRatioInterval(3, () => 1, () => 0)).toBeNull();
  });

  it('refuses a confidence outside (0, 1)', () => {
    expect(() => computeRatioInterval(3, () => 1, () => 1, 1.5)).toThrow(/between 0 and 1/);
  });
});
