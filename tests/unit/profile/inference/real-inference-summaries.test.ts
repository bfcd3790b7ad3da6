// Real genai-perf and llmperf summary files (tests/fixtures/real/genai-perf/, llmperf/) through
// the path `hpcbench profile <file>` takes, against the figures references.json copied from them
// (scripts/real-corpus/reference.py). Latencies: ours are seconds; genai-perf writes ms.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectLogKind } from '../../../../src/profile/detect-kind.js';
import { profileFiles } from '../../../../src/profile/profile-run.js';

const ROOT = join(__dirname, '../../../fixtures/real');

interface LlmperfStat {
  mean: number;
  min: number;
  max: number;
  stddev: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
}
interface LlmperfRef {
  completed: number;
  errors: number;
  error_rate: number;
  request_throughput_per_s: number;
  output_throughput_tok_s: number;
  ttft_s: LlmperfStat;
  end_to_end_latency_s: LlmperfStat;
  inter_token_latency_s: LlmperfStat;
  string_valued_keys: string[];
}
interface GenaiStat {
  unit: string;
  avg: number;
  min: number;
  max: number;
  std: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
}
interface GenaiRef {
  request_count: number | null;
  request_throughput_per_s: number;
  output_token_throughput_per_s: number;
  time_to_first_token: GenaiStat;
  request_latency: GenaiStat;
  inter_token_latency: GenaiStat | null;
  streaming: boolean;
  ttft_equals_latency: boolean;
}
const files = (JSON.parse(readFileSync(join(ROOT, 'references.json'), 'utf8')) as { files: Record<string, unknown> }).files;

interface Summary {
  mean: number | null;
  std?: number | null;
  min: number | null;
  max: number | null;
  p50: number | null;
  p90?: number | null;
  p95: number | null;
  p99: number | null;
}

function expectClose(actual: number | null | undefined, expected: number, what: string): void {
  expect(actual, what).not.toBeNull();
  expect(actual, what).not.toBeUndefined();
  expect(Math.abs((actual as number) - expected) / Math.max(Math.abs(expected), 1e-300), what).toBeLessThan(1e-12);
}

async function profileOne(rel: string) {
  const file = join(ROOT, rel);
  expect(await detectLogKind(file), rel).toBe('inference');
  return profileFiles([file], { bootstrapIterations: 10 });
}

describe('real llmperf summaries', () => {
  const names = readdirSync(join(ROOT, 'llmperf')).sort();
  it('covers the 2 corpus files, each with a reference', () => {
    expect(names).toHaveLength(2);
    for (const n of names) expect(files[`llmperf/${n}`], n).toBeDefined();
  });

  it.each(names)("%s: llmperf's own figures, labelled llmperf-summary, equal the reference", async (name) => {
    const ref = files[`llmperf/${name}`] as LlmperfRef;
    const doc = await profileOne(`llmperf/${name}`);
    const inf = doc.tasks[0]?.inference;
    expect(inf?.source).toBe('llmperf-summary');
    expect(inf?.completedRequests).toBe(ref.completed);
    expect(inf?.requests).toBe(ref.completed + ref.errors);
    expect(inf?.failedRequests).toBe(ref.errors);
    expect(inf?.errorRate).toBe(ref.error_rate);
    expectClose(inf?.requestThroughput, ref.request_throughput_per_s, 'request throughput (completed per min / 60)');
    expectClose(inf?.outputTokensPerS, ref.output_throughput_tok_s, 'output tok/s');
    for (const [what, ours, want] of [
      ['ttft', inf?.ttftS, ref.ttft_s],
      ['latency', inf?.latencyS, ref.end_to_end_latency_s],
    ] as const) {
      const s = ours as Summary | undefined;
      expectClose(s?.mean, want.mean, `${what} mean`);
      expectClose(s?.std, want.stddev, `${what} std`);
      expectClose(s?.min, want.min, `${what} min`);
      expectClose(s?.max, want.max, `${what} max`);
      expectClose(s?.p50, want.p50, `${what} p50`);
      expectClose(s?.p90, want.p90, `${what} p90`);
      expectClose(s?.p95, want.p95, `${what} p95`);
      expectClose(s?.p99, want.p99, `${what} p99`);
    }
    // llmperf's "inter token latency" is per request (time after the first token / tokens):
    // hpcbench reports it as TPOT and says so, and leaves the ITL distribution unknown.
    const tpot = inf?.tpotS as Summary | undefined;
    expectClose(tpot?.mean, ref.inter_token_latency_s.mean, 'tpot mean');
    expectClose(tpot?.p99, ref.inter_token_latency_s.p99, 'tpot p99');
    expect(inf?.itlS.mean).toBeNull();
    expect(doc.warnings.some((w) => w.includes("the figures are llmperf's own"))).toBe(true);
    // llmperf's summary gives means of token counts, no totals: unknown, never 0.
    expect(inf?.totalInputTokens).toBeNull();
    expect(inf?.totalOutputTokens).toBeNull();
    // The token-count min/max strings ("550") do not stop the file from being read.
    expect(ref.string_valued_keys).toContain('results_number_output_tokens_min');
  });
});

describe('real genai-perf profile_export_genai_perf.json', () => {
  const names = readdirSync(join(ROOT, 'genai-perf')).sort();
  it('covers the 2 corpus files, each with a reference, neither with request_count', () => {
    expect(names).toHaveLength(2);
    for (const n of names) expect((files[`genai-perf/${n}`] as GenaiRef).request_count, n).toBeNull();
  });

  // genai-perf of Triton 24.12 writes no request_count: read with genai-perf's own figures, and the
  // number of requests they cover unknown (null), never 0.
  it.each(names)("%s: read with genai-perf's figures, its request count unknown", async (name) => {
    const ref = files[`genai-perf/${name}`] as GenaiRef;
    const outcome = await profileOne(`genai-perf/${name}`);
    expect(outcome.tasks[0]?.inference?.source).toBe('genai-perf-summary');
    expect(outcome.tasks[0]?.inference?.requests).toBeNull();
    expect(outcome.tasks[0]?.inference?.errorRate).toBeNull();
    expect(outcome.warnings.some((w) => w.includes('does not say how many requests its figures cover'))).toBe(true);
    expect(outcome.warnings.some((w) => w.includes('a non-streaming benchmark'))).toBe(ref.ttft_equals_latency);
    const inf = outcome.tasks[0]?.inference;
    expect(inf?.completedRequests).toBeNull();
    expectClose(inf?.requestThroughput, ref.request_throughput_per_s, 'request throughput');
    expectClose(inf?.outputTokensPerS, ref.output_token_throughput_per_s, 'output tok/s');
    for (const [what, ours, want] of [
      ['ttft', inf?.ttftS, ref.time_to_first_token],
      ['latency', inf?.latencyS, ref.request_latency],
    ] as const) {
      const s = ours as Summary | undefined;
      expect(want.unit).toBe('ms');
      expectClose(s?.mean, want.avg / 1000, `${what} mean`);
      expectClose(s?.p50, want.p50 / 1000, `${what} p50`);
      expectClose(s?.p99, want.p99 / 1000, `${what} p99`);
      expectClose(s?.max, want.max / 1000, `${what} max`);
    }
  });

  it('the non-streaming export gives TTFT equal to the whole request latency and no ITL', () => {
    const ref = files['genai-perf/trtllm-kserve-nonstreaming-c100-ttft-equals-latency.json'] as GenaiRef;
    expect(ref.streaming).toBe(false);
    expect(ref.ttft_equals_latency).toBe(true);
    expect(ref.inter_token_latency).toBeNull();
    const streaming = files['genai-perf/trtllm-kserve-streaming-c100-unindented-lines.json'] as GenaiRef;
    expect(streaming.ttft_equals_latency).toBe(false);
    expect(streaming.inter_token_latency?.avg).toBeCloseTo(2.1767344516666665, 12);
  });
});
