import { describe, expect, it } from 'vitest';
import { percentile, sortedCopy } from '../../../src/stats/percentile.js';
import { UsageError } from '../../../src/errors.js';

describe('percentile', () => {
  const data = [100, 600, 1100, 1600];

  it('interpolates linearly between order statistics (numpy default)', () => {
    expect(percentile(data, 50)).toBe(850);
    expect(percentile(data, 90)).toBe(1450);
    expect(percentile(data, 0)).toBe(100);
    expect(percentile(data, 100)).toBe(1600);
    expect(percentile(data, 25)).toBe(475);
  });

  it('nearest-rank returns observed values', () => {
    expect(percentile(data, 50, 'nearest-rank')).toBe(600);
    expect(percentile(data, 90, 'nearest-rank')).toBe(1600);
    expect(percentile(data, 25, 'nearest-rank')).toBe(100);
    expect(percentile(data, 26, 'nearest-rank')).toBe(600);
    expect(percentile(data, 0, 'nearest-rank')).toBe(100);
    expect(percentile(data, 100, 'nearest-rank')).toBe(1600);
  });

  it('works on a single value and on typed arrays', () => {
    expect(percentile([7], 95)).toBe(7);
    expect(percentile(Float64Array.of(1, 2), 50)).toBe(1.5);
  });

  it('rejects empty input and out-of-range p with a UsageError', () => {
    expect(() => percentile([], 50)).toThrow(UsageError);
    expect(() => percentile(data, 101)).toThrow(/out of range/);
    expect(() => percentile(data, -1)).toThrow(UsageError);
    expect(() => percentile(data, Number.NaN)).toThrow(UsageError);
  });

  it('sortedCopy sorts numerically without touching the input', () => {
    const input = [10, 9, 100, 1];
    expect(Array.from(sortedCopy(input))).toEqual([1, 9, 10, 100]);
    expect(input).toEqual([10, 9, 100, 1]);
  });
});
