import { describe, expect, it } from 'vitest';
import { countOutliers } from '../../../src/stats/outliers.js';
import { excludeWarmup } from '../../../src/stats/warmup.js';

describe('modified z-score outliers', () => {
  // A score is counted when |z| > threshold: a threshold equal to a score leaves it out, one just
  // below counts it, so stepping the threshold across each expected |z| pins the scores exactly.
  const JUST_BELOW = 1e-9;

  it('computes 0.6745·(x − median)/MAD', () => {
    // median 3, absolute deviations [2,1,0,1,97] → MAD 1 → |z| = [1.349, 0.6745, 0, 0.6745, 97·0.6745]
    const values = [1, 2, 3, 4, 100];
    expect(countOutliers(values, 97 * 0.6745)).toBe(0);
    expect(countOutliers(values, 97 * 0.6745 - JUST_BELOW)).toBe(1);
    expect(countOutliers(values, 1.349)).toBe(1);
    expect(countOutliers(values, 1.349 - JUST_BELOW)).toBe(2);
    expect(countOutliers(values, 0.6745)).toBe(2);
    expect(countOutliers(values, 0.6745 - JUST_BELOW)).toBe(4);
    expect(countOutliers(values, 0)).toBe(4);
    expect(countOutliers(values, -JUST_BELOW)).toBe(5);
    expect(countOutliers([1, 2, 3, 4, 100])).toBe(1);
    expect(countOutliers([1, 2, 3, 4, 100], 100)).toBe(0);
  });

  it('falls back to the mean absolute deviation when MAD is 0', () => {
    // median 5, MAD 0, mean abs deviation 10/5 = 2 → z(15) = 10 / (1.253314·2), the other scores 0
    const values = [5, 5, 5, 5, 15];
    const z = 10 / (1.253314 * 2);
    expect(countOutliers(values, z + 1e-12)).toBe(0);
    expect(countOutliers(values, z - 1e-12)).toBe(1);
    expect(countOutliers(values, 0)).toBe(1);
    expect(countOutliers(values, -JUST_BELOW)).toBe(5);
    expect(countOutliers(values)).toBe(1);
  });

  it('finds no outliers in constant or empty samples', () => {
    expect(countOutliers([2, 2, 2])).toBe(0);
    expect(countOutliers([])).toBe(0);
  });
});

describe('excludeWarmup', () => {
  const records = [
    { id: 1, warmup: true },
    { id: 2, warmup: false },
    { id: 3, warmup: true },
    { id: 4, warmup: false },
  ];

  it('drops the first N records and/or flagged ones', () => {
    expect(excludeWarmup(records, { count: 2 }).map((r) => r.id)).toEqual([3, 4]);
    expect(excludeWarmup(records, { isWarmup: (r) => r.warmup }).map((r) => r.id)).toEqual([2, 4]);
    expect(excludeWarmup(records, { count: 1, isWarmup: (r) => r.warmup }).map((r) => r.id)).toEqual([2, 4]);
    expect(excludeWarmup(records).length).toBe(4);
    expect(excludeWarmup(records, { count: 10 })).toEqual([]);
  });
});
