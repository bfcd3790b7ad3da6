import { describe, expect, it } from 'vitest';
import { expandSweep, formatArraySpec, formatSweepJsonl, formatSweepTsv } from '../../../src/render/sweep.js';

describe('sweeps', () => {
  it('expands the matrix with the first key slowest, minus excluded points', () => {
    const points = expandSweep({ matrix: { a: [1, 2], b: ['x', 'y'] }, exclude: [{ a: 2, b: 'y' }] });
    expect(points).toEqual([{ a: 1, b: 'x' }, { a: 1, b: 'y' }, { a: 2, b: 'x' }]);
  });

  it('excludes by partial match', () => {
    expect(expandSweep({ matrix: { a: [1, 2], b: [true, false] }, exclude: [{ a: 1 }] })).toEqual([{ a: 2, b: true }, { a: 2, b: false }]);
  });

  it('writes the array spec with an optional concurrency limit', () => {
    expect(formatArraySpec(6, 2)).toBe('0-5%2');
    expect(formatArraySpec(1, undefined)).toBe('0-0');
  });

  it('writes the TSV and JSONL files a task reads', () => {
    const points = [{ a: 1, b: 'x y' }, { a: 2, b: "it's" }];
    expect(formatSweepTsv(['a', 'b'], points)).toBe("a\tb\n1\tx y\n2\tit's\n");
    expect(formatSweepJsonl({ lr: 0.1, a: 0 }, points)).toBe('{"lr":0.1,"a":1,"b":"x y"}\n{"lr":0.1,"a":2,"b":"it\'s"}\n');
  });
});
