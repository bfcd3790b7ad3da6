import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readInferenceLog } from '../../../../src/profile/inference/log.js';
import { computeInferenceMetrics, excludeInferenceWarmup, type InferenceMetrics } from '../../../../src/profile/inference/metrics.js';
import type { InferenceRecord } from '../../../../src/profile/inference/schema.js';

const fixtures = join(import.meta.dirname, '../../../fixtures/inference');

function record(partial: Partial<InferenceRecord>): InferenceRecord {
  return { latencyS: 1, batchSize: 1, warmup: false, error: null, params: {}, ...partial };
}

describe('TPOT (vLLM definition)', () => {
  /** The TPOT statistics of one record (undefined TPOT: no value in them). */
  const tpotOf = (r: InferenceRecord): InferenceMetrics['tpotS'] => computeInferenceMetrics([r], { bootstrap: false }).tpotS;
  it('is (latency − ttft) / (output_tokens − 1)', () => {
    expect(tpotOf(record({ latencyS: 0.5, ttftS: 0.15, outputTokens: 8 })).mean).toBeCloseTo(0.05, 15);
  });
  it('is undefined for one output token or without a TTFT', () => {
    expect(tpotOf(record({ latencyS: 0.5, ttftS: 0.5, outputTokens: 1 })).n).toBe(0);
    expect(tpotOf(record({ latencyS: 0.5, outputTokens: 8 })).n).toBe(0);
  });
  it('uses the per-sequence output of a batch', () => {
    // 4 sequences × 64 tokens: (2.0 − 0.5) / 63
    expect(tpotOf(record({ latencyS: 2, ttftS: 0.5, outputTokens: 256, batchSize: 4 })).mean).toBeCloseTo(1.5 / 63, 15);
  });
});

describe('computeInferenceMetrics on the hand-checked JSONL fixture', () => {
  it('matches the values worked out by hand', async () => {
    const log = await readInferenceLog(join(fixtures, 'requests.jsonl'));
    const m = computeInferenceMetrics(log.records, { slo: { ttftMs: 200, tpotMs: 75 }, gpuEnergyJ: 600 });
    expect(m.warmupRecordsExcluded).toBe(1);
    expect(m.records).toBe(6);
    expect(m.requests).toBe(6);
    expect(m.completedRequests).toBe(5);
    expect(m.failedRequests).toBe(1);
    expect(m.errorRate).toBeCloseTo(1 / 6, 15);
    expect(m.topErrors).toEqual([{ message: 'CUDA out of memory. Tried to allocate 20.00 MiB', count: 1 }]);
    // window: first kept start 1700000002.0 to last end 1700000005.0
    expect(m.durationSource).toBe('timestamps');
    expect(m.durationS).toBeCloseTo(3, 6);
    expect(m.totalInputTokens).toBe(175);
    expect(m.totalOutputTokens).toBe(30);
    expect(m.requestThroughput).toBeCloseTo(5 / 3, 6);
    expect(m.outputTokensPerS).toBeCloseTo(10, 6);
    expect(m.totalTokensPerS).toBeCloseTo(205 / 3, 6);
    // latencies 0.5 0.6 0.4 0.8 0.6 → sorted 0.4 0.5 0.6 0.6 0.8
    expect(m.latencyS.n).toBe(5);
    expect(m.latencyS.mean).toBeCloseTo(0.58, 6);
    expect(m.latencyS.p50).toBeCloseTo(0.6, 6);
    expect(m.latencyS.p90).toBeCloseTo(0.6 + 0.6 * 0.2, 6); // rank 3.6 between 0.6 and 0.8
    expect(m.ttftS.n).toBe(5); // request 5's TTFT comes from its first token time
    expect(m.ttftS.max).toBeCloseTo(0.6, 6);
    // TPOT: 0.05 0.06 0.07 0.08 (the 1-token request has none)
    expect(m.tpotS.n).toBe(4);
    expect(m.tpotS.mean).toBeCloseTo(0.065, 6);
    // ITL: 7 × 0.05 from itl_s and 7 × 0.08 from token_times_s
    expect(m.itlS.n).toBe(14);
    expect(m.itlS.mean).toBeCloseTo(0.065, 6);
    // SLO ttft ≤ 200 ms and tpot ≤ 75 ms: requests 1, 2, 3 pass; 5 (TTFT 240 ms) and 6 (600 ms) fail
    expect(m.goodput).toMatchObject({ goodRequests: 3, unjudgedRequests: 0 });
    expect(m.goodput?.requestsPerS).toBeCloseTo(1, 6);
    expect(m.goodput?.fraction).toBeCloseTo(0.6, 15);
    expect(m.energy?.outputTokensPerJoule).toBeCloseTo(30 / 600, 15);
    expect(m.energy?.joulesPerOutputToken).toBeCloseTo(20, 12);
    expect(m.params).toEqual({ batch_size: 1, max_new_tokens: 8 });
  });

  it('gives seeded, reproducible bootstrap intervals that contain the estimate', async () => {
    const log = await readInferenceLog(join(fixtures, 'requests.jsonl'));
    const a = computeInferenceMetrics(log.records, { bootstrap: { seed: 7, iterations: 500 } });
    const b = computeInferenceMetrics(log.records, { bootstrap: { seed: 7, iterations: 500 } });
    expect(a.ci).toEqual(b.ci);
    for (const ci of [a.ci.latencyP50S, a.ci.latencyP95S, a.ci.outputTokensPerS, a.ci.requestThroughput]) {
      expect(ci).not.toBeNull();
      expect(ci!.low).toBeLessThanOrEqual(ci!.estimate + 1e-12);
      expect(ci!.high).toBeGreaterThanOrEqual(ci!.estimate - 1e-12);
    }
    expect(a.ci.latencyP50S?.estimate).toBeCloseTo(0.6, 6);
    expect(a.ci.outputTokensPerS?.estimate).toBeCloseTo(10, 6);
    expect(computeInferenceMetrics(log.records, { bootstrap: false }).ci.latencyP50S).toBeNull();
  });

  it('excludes the first N records of each file besides the flagged ones', async () => {
    const log = await readInferenceLog(join(fixtures, 'requests.jsonl'));
    const m = computeInferenceMetrics(log.records, { warmupRecords: 2, bootstrap: false });
    // first two records go (the flagged warm-up and request 1), nothing else is flagged
    expect(m.warmupRecordsExcluded).toBe(2);
    expect(m.durationS).toBeCloseTo(2.5, 6);
    const kept = excludeInferenceWarmup(
      [record({ file: 'a', id: 1 }), record({ file: 'a', id: 2 }), record({ file: 'b', id: 3 }), record({ file: 'b', id: 4, warmup: true })],
      1,
    );
    expect([...kept].map((r) => r.id)).toEqual([2]);
  });
});

describe('computeInferenceMetrics edge cases', () => {
  it('falls back to the sum of latencies without timestamps and says so', () => {
    const m = computeInferenceMetrics([record({ latencyS: 1, outputTokens: 10 }), record({ latencyS: 3, outputTokens: 30 })], {
      bootstrap: false,
    });
    expect(m.durationSource).toBe('sum-of-latencies');
    expect(m.durationS).toBe(4);
    expect(m.outputTokensPerS).toBe(10);
  });

  it('uses a reported duration only when no record was dropped', () => {
    const records = [record({ latencyS: 1 }), record({ latencyS: 1 })];
    expect(computeInferenceMetrics(records, { reportedDurationS: 1.5, bootstrap: false })).toMatchObject({
      durationS: 1.5,
      durationSource: 'reported',
    });
    expect(computeInferenceMetrics(records, { reportedDurationS: 1.5, warmupRecords: 1, bootstrap: false })).toMatchObject({
      durationS: 1,
      durationSource: 'sum-of-latencies',
    });
  });

  it('adds the windows of separate files instead of spanning the gap between them', () => {
    const m = computeInferenceMetrics(
      [
        record({ file: 'a', start: 0, end: 2, latencyS: 2 }),
        record({ file: 'b', start: 100, end: 103, latencyS: 3 }),
      ],
      { bootstrap: false },
    );
    expect(m.durationS).toBe(5);
  });

  it('counts a request that lacks a metric an SLO needs as unjudged, never as good', () => {
    const m = computeInferenceMetrics([record({ latencyS: 0.1 }), record({ latencyS: 0.1, ttftS: 0.01 })], {
      slo: { ttftMs: 50 },
      bootstrap: false,
    });
    expect(m.goodput).toMatchObject({ goodRequests: 1, unjudgedRequests: 1 });
  });

  it('returns empty summaries, not zeros, when every request failed', () => {
    const m = computeInferenceMetrics([record({ error: 'boom' }), record({ error: 'boom' })]);
    expect(m.errorRate).toBe(1);
    expect(m.latencyS).toMatchObject({ n: 0, mean: null, p50: null });
    expect(m.ci.latencyP50S).toBeNull();
    expect(m.topErrors).toEqual([{ message: 'boom', count: 2 }]);
  });

  it('has no duration and no rates for no records', () => {
    const m = computeInferenceMetrics([]);
    expect(m).toMatchObject({ durationS: null, durationSource: null, requestThroughput: null, errorRate: null });
  });
});

describe('throughput confidence interval', () => {
  it('is not degenerate when every record produces the same number of tokens', () => {
    // Back-to-back batches of 64 tokens whose latency varies: throughput is uncertain.
    const latencies = [0.5, 0.7, 0.4, 0.9, 0.6, 0.55, 0.8, 0.45, 0.65, 0.75];
    let t = 0;
    const records = latencies.map((latencyS) => {
      const start = t;
      t += latencyS;
      return { start, end: t, latencyS, batchSize: 1, inputTokens: 10, outputTokens: 64, error: null, warmup: false, params: {} };
    });
    const m = computeInferenceMetrics(records, { bootstrap: { iterations: 500, seed: 1 } });
    const ci = m.ci.outputTokensPerS!;
    expect(ci.estimate).toBeCloseTo(640 / t, 9);
    expect(ci.high - ci.low).toBeGreaterThan(0);
    expect(ci.low).toBeLessThan(ci.estimate);
    expect(ci.high).toBeGreaterThan(ci.estimate);
  });
});
