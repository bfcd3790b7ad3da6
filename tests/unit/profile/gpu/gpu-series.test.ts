import { describe, expect, it } from 'vitest';
import { SeriesBuilder } from '../../../../src/profile/gpu/series.js';

describe('SeriesBuilder', () => {
  it('keeps one averaged point per bucket while the log is short', () => {
    const s = new SeriesBuilder(10, 1000);
    s.add(0, 0, 10);
    s.add(0, 500, 30);
    s.add(0, 1000, 50);
    s.add(2, 1000, 200);
    const series = s.toSeries('gpu0');
    expect(series.t).toEqual([0.5, 1.5]);
    expect(series.utilization).toEqual([20, 50]);
    expect(series.powerW).toEqual([null, 200]);
  });

  it('stays bounded on a long log and preserves the overall mean', () => {
    const s = new SeriesBuilder(50, 1000);
    let sum = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const v = i % 100;
      sum += v;
      s.add(0, i * 1000, v);
    }
    const series = s.toSeries('gpu0');
    expect(series.t.length).toBeLessThanOrEqual(100);
    expect(series.t.length).toBeGreaterThanOrEqual(50);
    // Equal-width buckets over an evenly sampled log: the mean of bucket means is the mean
    // up to the partial last bucket.
    const values = series.utilization as number[];
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(Math.abs(mean - sum / n)).toBeLessThan(2);
  });

  it('ignores samples without a timestamp', () => {
    const s = new SeriesBuilder();
    s.add(0, Number.NaN, 5);
    expect(s.toSeries('x').t).toEqual([]);
  });
});
