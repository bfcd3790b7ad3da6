import { describe, expect, it } from 'vitest';
import { computeMeanHalfWidth95 } from '../../../src/stats/t-interval.js';

// Student t 0.975 quantiles from any table (scipy.stats.t.ppf(0.975, df)): 12.706 (1), 3.182 (3), 2.042 (30).
describe('computeMeanHalfWidth95', () => {
  it('uses the t quantile of n - 1 degrees of freedom, not the normal 1.96', () => {
    expect(computeMeanHalfWidth95(1, 2)).toBeCloseTo(12.706 / Math.sqrt(2), 6);
    expect(computeMeanHalfWidth95(2, 4)).toBeCloseTo((3.182 * 2) / 2, 6);
    expect(computeMeanHalfWidth95(1, 31)).toBeCloseTo(2.042 / Math.sqrt(31), 6);
  });

  it('is conservative between tabulated degrees of freedom and near 1.98 for many windows', () => {
    expect(computeMeanHalfWidth95(1, 46)).toBeCloseTo(2.021 / Math.sqrt(46), 6);
    expect(computeMeanHalfWidth95(1, 501)).toBeCloseTo(1.98 / Math.sqrt(501), 6);
  });

  it('has no finite interval from a single observation', () => {
    expect(computeMeanHalfWidth95(1, 1)).toBe(Number.POSITIVE_INFINITY);
  });
});
