// A large-ish generated log (200 000 requests, above ANALYTIC_INTERVALS_ABOVE): read through the
// streamed JSONL reader and profiled, its percentiles must equal those of an exact sort (numpy's
// linear method, reimplemented here), and its intervals are the analytic ones.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readInferenceLog } from '../../../../src/profile/inference/log.js';
import { computeInferenceMetrics } from '../../../../src/profile/inference/metrics.js';

const N = 200_000;
const dir = mkdtempSync(join(tmpdir(), 'hpcbench-large-log-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Seeded LCG: the same log on every machine. */
function createLcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** numpy.percentile(values, p) (linear, numpy's lerp that subtracts from the upper value when t ≥ 0.5). */
function numpyPercentile(sorted: Float64Array, p: number): number {
  const h = (sorted.length - 1) * (p / 100);
  const lower = Math.floor(h);
  const t = h - lower;
  const a = sorted[lower] as number;
  const b = sorted[Math.min(lower + 1, sorted.length - 1)] as number;
  return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t;
}

function writeLog(): { file: string; latencies: Float64Array; ttfts: Float64Array } {
  const random = createLcg(42);
  const lines = [JSON.stringify({ schema: 'hpcbench.inference/1', params: { batch_size: 1 } })];
  const latencies: number[] = [];
  const ttfts: number[] = [];
  let clock = 1_795_000_000;
  for (let i = 0; i < N; i++) {
    // Millisecond resolution: many ties, as real logs have.
    const latency = Math.round((0.2 + random() * random() * 6) * 1000) / 1000;
    const ttft = Math.round(latency * random() * 300) / 1000;
    const failed = random() < 0.01;
    clock += random() * 0.02;
    lines.push(JSON.stringify({ id: i, start: clock, end: clock + latency, latency_s: latency, ttft_s: ttft, output_tokens: 1 + Math.floor(random() * 256), error: failed ? 'timeout' : null }));
    if (!failed) {
      latencies.push(latency);
      ttfts.push(ttft);
    }
  }
  const file = join(dir, 'large.jsonl');
  writeFileSync(file, `${lines.join('\n')}\n`);
  const sort = (values: number[]): Float64Array => Float64Array.from(values).sort();
  return { file, latencies: sort(latencies), ttfts: sort(ttfts) };
}

describe('a 200 000-request log', () => {
  it('profiles to the percentiles of an exact sort, with order-statistic and normal intervals', async () => {
    const { file, latencies, ttfts } = writeLog();
    const log = await readInferenceLog(file);
    const m = computeInferenceMetrics(log.records);
    expect(m.records).toBe(N);
    expect(m.latencyS.n).toBe(latencies.length);
    for (const [summary, sorted] of [[m.latencyS, latencies], [m.ttftS, ttfts]] as const) {
      expect(summary.min).toBe(sorted[0]);
      expect(summary.max).toBe(sorted[sorted.length - 1]);
      for (const p of [50, 90, 95, 99] as const) expect(summary[`p${p}`], `p${p}`).toBe(numpyPercentile(sorted, p));
    }

    for (const [interval, p] of [[m.ci.latencyP50S, 50], [m.ci.latencyP95S, 95]] as const) {
      expect(interval?.method).toBe('order-statistic');
      expect(interval?.iterations).toBe(0);
      expect(interval?.estimate).toBe(numpyPercentile(latencies, p));
      const [lower, upper] = interval?.ranks ?? [0, 0];
      expect(interval?.low).toBe(latencies[lower - 1]);
      expect(interval?.high).toBe(latencies[upper - 1]);
      // The ranks straddle n·p by about 1.96 standard deviations of the binomial count.
      const n = latencies.length;
      const sd = Math.sqrt(n * (p / 100) * (1 - p / 100));
      expect((n * (p / 100) - lower) / sd).toBeCloseTo(1.96, 1);
      expect((upper - n * (p / 100)) / sd).toBeCloseTo(1.96, 1);
      expect(interval?.coverage).toBeGreaterThanOrEqual(0.95);
    }

    const throughput = m.ci.requestThroughput;
    expect(throughput?.method).toBe('normal');
    expect(throughput?.estimate).toBeCloseTo(m.requestThroughput ?? Number.NaN, 6);
    expect(throughput?.low).toBeLessThan(throughput?.estimate ?? Number.NaN);
    expect(throughput?.high).toBeGreaterThan(throughput?.estimate ?? Number.NaN);
    expect(m.ci.outputTokensPerS?.estimate).toBeCloseTo(m.outputTokensPerS ?? Number.NaN, 3);
  }, 120_000);
});
