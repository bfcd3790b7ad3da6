import { describe, expect, it } from 'vitest';
import { computeRatioInterval } from '../../../src/stats/ratio-interval.js';

describe('computeRatioInterval: the normal quantile of its half width', () => {
  it('is Φ⁻¹(1 − α/2) to nine digits for any confidence', () => {
    // Reference values: Python's statistics.NormalDist().inv_cdf (Wichura's AS241, 16 digits).
    const cases: [number, number][] = [
      [0.5, 0.6744897501960817],
      [0.9, 1.6448536269514715],
      [0.95, 1.9599639845400536],
      [0.98, 2.3263478740408408],
      [0.99, 2.5758293035489],
      [0.998, 3.090232306167813],
    ];
    const a = [1, 2, 3];
    const b = [1, 1, 2];
    for (const [confidence, z] of cases) {
      const interval = computeRatioInterval(3, (i) => a[i] as number, (i) => b[i] as number, confidence);
      const { estimate, low, high, standardError } = interval as NonNullable<typeof interval>;
      expect(Math.abs((high - estimate) / standardError - z), String(confidence)).toBeLessThan(1e-8);
      expect(Math.abs((estimate - low) / standardError - z), String(confidence)).toBeLessThan(1e-8);
    }
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
