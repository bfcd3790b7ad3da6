// Summary-only vLLM results, runs where every request failed, implausible request records, and a
// log of 300 000 records. Synthetic files in the documented formats (vLLM's --save-result keys,
// docs/inference-jsonl.md); the real captures are in real-inference.test.ts.
import { createWriteStream, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { parseInferenceLine } from '../../../../src/profile/inference/schema.js';
import { RejectedLines } from '../../../../src/profile/lines.js';
import { profileFiles } from '../../../../src/profile/profile-run.js';
import { parseVllmResults } from '../../../../src/profile/inference/vllm-result.js';

const tmp = mkdtempSync(join(tmpdir(), 'hpcbench-vllm-summary-'));
const fixtures = join(import.meta.dirname, '../../../fixtures/inference');
let n = 0;
function writeTemp(text: string, name = `result-${++n}.json`): string {
  const file = join(tmp, name);
  writeFileSync(file, text);
  return file;
}

const SUMMARY = {
  date: '20261201-101010',
  backend: 'vllm',
  model_id: 'm',
  num_prompts: 10,
  request_rate: 'inf',
  max_concurrency: 4,
  duration: 5,
  completed: 0,
  failed: 10,
  total_input_tokens: 0,
  total_output_tokens: 0,
  request_throughput: 0,
  output_throughput: 0,
  total_token_throughput: 0,
  // vLLM writes np.mean(x or 0) for no requests: 0.0, which is not a latency.
  mean_ttft_ms: 0,
  median_ttft_ms: 0,
  p99_ttft_ms: 0,
  mean_tpot_ms: 0,
  median_tpot_ms: 0,
  p99_tpot_ms: 0,
};

describe('summary-only vLLM results', () => {
  it("reports the documented fixture's own figures (7 completed, 1 failed) as vllm-summary", async () => {
    const doc = await profileFiles([join(fixtures, 'vllm-serving-summary.json')], { bootstrapIterations: 10 });
    const inf = doc.tasks[0]?.inference;
    expect(inf?.source).toBe('vllm-summary');
    expect(inf?.requests).toBe(8);
    expect(inf?.completedRequests).toBe(7);
    expect(inf?.failedRequests).toBe(1);
    expect(inf?.errorRate).toBe(1 / 8);
    expect(inf?.durationSource).toBe('reported');
    expect(inf?.ttftS.n).toBe(7);
    expect(inf?.ci.latencyP50S).toBeNull();
  });

  it('gives N requests, N failed, error rate 1 and a warning when every request failed, with no latency', async () => {
    const doc = await profileFiles([writeTemp(JSON.stringify(SUMMARY))], { bootstrapIterations: 10 });
    const inf = doc.tasks[0]?.inference;
    expect(inf?.requests).toBe(10);
    expect(inf?.failedRequests).toBe(10);
    expect(inf?.completedRequests).toBe(0);
    expect(inf?.errorRate).toBe(1);
    expect(inf?.ttftS.mean).toBeNull();
    expect(inf?.tpotS.p99).toBeNull();
    expect(doc.warnings.some((w) => w.includes('every request failed (10 of 10)'))).toBe(true);
  });

  it('derives failed from num_prompts when an older vLLM wrote no `failed`, and says so', async () => {
    const { failed: _failed, ...older } = { ...SUMMARY, completed: 8, mean_ttft_ms: 100, median_ttft_ms: 90, p99_ttft_ms: 200 };
    const doc = await profileFiles([writeTemp(JSON.stringify(older))], { bootstrapIterations: 10 });
    const inf = doc.tasks[0]?.inference;
    expect(inf?.failedRequests).toBe(2);
    expect(inf?.ttftS.mean).toBeCloseTo(0.1, 15);
    expect(doc.warnings.some((w) => w.includes('2 failed request(s) = 10 sent − 8 completed'))).toBe(true);
  });

  it('refuses appended summaries of several runs rather than merging them', async () => {
    const line = JSON.stringify({ ...SUMMARY, completed: 10, failed: 0 });
    const error = await profileFiles([writeTemp(`${line}\n${line}\n`)]).catch((e: unknown) => e);
    expect((error as Error).message).toContain('summaries of separate runs cannot be combined');
  });
});

describe('detailed results where every request failed', () => {
  it('gives N requests, N failed, error rate 1 and a warning', async () => {
    const result = { ...SUMMARY, input_lens: [5, 5, 5], output_lens: [0, 0, 0], ttfts: [0, 0, 0], itls: [[], [], []], latencies: [0, 0, 0], errors: ['timeout', 'timeout', 'HTTP 500'] };
    const doc = await profileFiles([writeTemp(JSON.stringify({ ...result, failed: 3 }))], { bootstrapIterations: 10 });
    const inf = doc.tasks[0]?.inference;
    expect(inf?.source).toBe('records');
    expect(inf?.requests).toBe(3);
    expect(inf?.failedRequests).toBe(3);
    expect(inf?.errorRate).toBe(1);
    expect(inf?.latencyS.mean).toBeNull();
    expect(doc.warnings.some((w) => w.includes('every request failed (3 of 3); no latency or throughput figure exists; most frequent error: timeout'))).toBe(true);
  });
});

describe('implausible request records are rejected with a reason', () => {
  it('a JSONL record whose TTFT exceeds its latency', () => {
    expect(parseInferenceLine('{"latency_s": 0.5, "ttft_s": 0.7, "output_tokens": 5}')).toEqual({
      kind: 'rejected',
      reason: "field `ttft_s`: time to first token (0.7 s) exceeds the request's latency (0.5 s)",
    });
    expect(parseInferenceLine('{"start": 10, "end": 10.5, "ttft_s": 0.6}').kind).toBe('rejected');
    // Epoch timestamps round (1700000005.0 − 1700000004.4 = 0.59999990…): a TTFT of 0.6 is fine.
    expect(parseInferenceLine('{"start": 1700000004.4, "end": 1700000005.0, "ttft_s": 0.6}').kind).toBe('record');
  });

  it('a JSONL record whose token times go backwards, or start before the request', () => {
    expect(parseInferenceLine('{"start": 10, "end": 11, "token_times_s": [10.1, 10.3, 10.2, 10.9]}')).toEqual({
      kind: 'rejected',
      reason: 'field `token_times_s.2`: token times go backwards (10.3 then 10.2)',
    });
    expect(parseInferenceLine('{"start": 10, "end": 11, "token_times_s": [9.9, 10.3]}')).toMatchObject({ kind: 'rejected', reason: expect.stringContaining('before `start`') });
  });

  it('a vLLM request whose TTFT exceeds its latency or whose inter-token gap is negative', () => {
    const rejected = new RejectedLines();
    const [result] = parseVllmResults(
      JSON.stringify({ ...SUMMARY, completed: 3, failed: 0, input_lens: [1, 1, 1], output_lens: [3, 3, 3], ttfts: [0.1, 0.9, 0.1], itls: [[0.1, 0.1], [0.1, 0.1], [0.1, -0.05]], latencies: [0.3, 0.5, 0.3], errors: ['', '', ''] }),
      'r.json',
      rejected,
    );
    expect(result?.records.map((r) => r.id)).toEqual([0]);
    expect(rejected.examples.map((e) => e.reason)).toEqual([
      'request 1: time to first token (0.9 s) exceeds its latency (0.5 s)',
      'request 2: token times go backwards (inter-token latency 1 is -0.05 s)',
    ]);
  });
});

describe('a log of 300 000 records', () => {
  it('is profiled without overflowing the call stack (no push(...records))', async () => {
    const file = join(tmp, 'big.jsonl');
    const out = createWriteStream(file);
    let chunk = '';
    for (let i = 0; i < 300_000; i++) {
      chunk += `{"id": ${i}, "start": ${1000 + i * 0.01}, "latency_s": ${0.5 + (i % 100) / 1000}, "output_tokens": 50, "ttft_s": 0.05}\n`;
      if (chunk.length > 1 << 20) {
        if (!out.write(chunk)) await once(out, 'drain');
        chunk = '';
      }
    }
    out.end(chunk);
    await once(out, 'finish');
    // A few bootstrap iterations keep the test quick (the default, 2000, takes minutes at this size).
    const doc = await profileFiles([file], { bootstrapIterations: 2 });
    const inf = doc.tasks[0]?.inference;
    expect(inf?.requests).toBe(300_000);
    expect(inf?.completedRequests).toBe(300_000);
    expect(inf?.latencyS.n).toBe(300_000);
  }, 120_000);
});
