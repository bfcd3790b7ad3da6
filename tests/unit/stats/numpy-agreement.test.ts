import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { summarize } from '../../../src/stats/summary.js';
import { percentile, sortedCopy } from '../../../src/stats/percentile.js';
import { countOutliers } from '../../../src/stats/outliers.js';

interface Reference {
  n: number;
  mean: number;
  std_ddof1: number;
  min: number;
  max: number;
  linear: Record<string, number>;
  nearest_rank: Record<string, number>;
  outliers_3_5: number;
}
interface ReferenceFile {
  percentiles: number[];
  data: Record<string, number[]>;
  reference: Record<string, Reference>;
}

// Built by tests/fixtures/stats/make-reference.py with Debian's python3-numpy.
const fixture = JSON.parse(
  readFileSync(new URL('../../fixtures/stats/reference.json', import.meta.url), 'utf8'),
) as ReferenceFile;

function expectRelative(actual: number | null, expected: number): void {
  expect(actual).not.toBeNull();
  const scale = Math.max(Math.abs(expected), Number.MIN_VALUE);
  expect(Math.abs((actual as number) - expected) / scale).toBeLessThanOrEqual(1e-9);
}

describe.each(Object.keys(fixture.reference))('agreement with numpy on %s', (name) => {
  const values = fixture.data[name] as number[];
  const ref = fixture.reference[name] as Reference;
  const sorted = sortedCopy(values);

  it('summary matches mean, std (ddof=1), min, max', () => {
    const s = summarize(values);
    expect(s.n).toBe(ref.n);
    expectRelative(s.mean, ref.mean);
    expectRelative(s.std, ref.std_ddof1);
    expect(s.min).toBe(ref.min);
    expect(s.max).toBe(ref.max);
    expectRelative(s.p95, ref.linear['95'] as number);
  });

  it.each(fixture.percentiles)('p%s matches (linear and nearest-rank/inverted_cdf)', (p) => {
    expectRelative(percentile(sorted, p), ref.linear[String(p)] as number);
    expect(percentile(sorted, p, 'nearest-rank')).toBe(ref.nearest_rank[String(p)]);
  });

  it('outlier count matches', () => {
    expect(countOutliers(values)).toBe(ref.outliers_3_5);
  });
});
