import { describe, expect, it } from 'vitest';
import { computeBackoffDelay } from '../../src/backoff.js';

describe('computeBackoffDelay', () => {
  it('doubles from the base by default, with no ceiling', () => {
    expect([1, 2, 3, 4, 5].map((a) => computeBackoffDelay(a, { baseMs: 1000 }))).toEqual([1000, 2000, 4000, 8000, 16_000]);
  });

  it('stops growing at the ceiling', () => {
    expect([1, 4, 5, 6].map((a) => computeBackoffDelay(a, { baseMs: 1000, maxMs: 15_000 }))).toEqual([1000, 8000, 15_000, 15_000]);
  });

  it('grows by another factor', () => {
    expect([1, 2, 3].map((a) => computeBackoffDelay(a, { baseMs: 4000, factor: 1.5 }))).toEqual([4000, 6000, 9000]);
  });

  it('spreads the capped delay by the jitter, both ways', () => {
    const options = { baseMs: 500, maxMs: 8000, jitter: 0.25 };
    expect(computeBackoffDelay(6, { ...options, random: () => 0 })).toBe(6000);
    expect(computeBackoffDelay(6, { ...options, random: () => 0.5 })).toBe(8000);
    expect(computeBackoffDelay(2, { ...options, random: () => 0.75 })).toBe(1125);
  });

  it('treats attempt 0 like the first', () => {
    expect(computeBackoffDelay(0, { baseMs: 700 })).toBe(700);
  });
});
