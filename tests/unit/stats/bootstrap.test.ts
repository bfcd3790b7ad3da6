import { describe, expect, it } from 'vitest';
import { bootstrapCi, meanStatistic, percentileStatistic } from '../../../src/stats/bootstrap.js';
import { createRng } from '../../../src/stats/random.js';
import { UsageError } from '../../../src/errors.js';

describe('createRng', () => {
  it('is reproducible from a seed and stays in [0, 1)', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(c()).not.toBe(xs[0]);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});

describe('bootstrapCi', () => {
  const values = Array.from({ length: 200 }, (_, i) => 100 + ((i * 37) % 101));

  it('is reproducible for a given seed and brackets the estimate', () => {
    const a = bootstrapCi(values, percentileStatistic(50), { seed: 7, iterations: 500 });
    const b = bootstrapCi(values, percentileStatistic(50), { seed: 7, iterations: 500 });
    expect(a).toEqual(b);
    expect(a).not.toBeNull();
    if (a === null) return;
    expect(a.estimate).toBe(150);
    expect(a.low).toBeLessThanOrEqual(a.estimate);
    expect(a.high).toBeGreaterThanOrEqual(a.estimate);
    expect(a.high - a.low).toBeGreaterThan(0);
    expect(a).toMatchObject({ confidence: 0.95, iterations: 500 });
  });

  it('gives a degenerate interval for a constant sample', () => {
    expect(bootstrapCi([3, 3, 3, 3], meanStatistic, { iterations: 50 })).toMatchObject({ estimate: 3, low: 3, high: 3 });
  });

  it('covers the true mean of a known distribution', () => {
    const rng = createRng(1);
    const sample = Array.from({ length: 400 }, () => rng() * 10); // uniform, true mean 5
    const ci = bootstrapCi(sample, meanStatistic, { seed: 3 });
    expect(ci?.low).toBeLessThan(5);
    expect(ci?.high).toBeGreaterThan(5);
  });

  it('returns null for no values and rejects bad options', () => {
    expect(bootstrapCi([], meanStatistic)).toBeNull();
    expect(() => bootstrapCi([1], meanStatistic, { iterations: 0 })).toThrow(UsageError);
    expect(() => bootstrapCi([1], meanStatistic, { confidence: 95 })).toThrow(/between 0 and 1/);
  });
});
