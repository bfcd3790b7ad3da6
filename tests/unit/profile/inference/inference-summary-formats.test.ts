// genai-perf and llmperf summary exports. SYNTHETIC fixtures, written from the tools' documented
// shapes (tests/fixtures/inference/README.md): no real capture of either is in the corpus yet.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectLogKind } from '../../../../src/profile/detect-kind.js';
import { profileFiles } from '../../../../src/profile/profile-run.js';

const fixtures = join(import.meta.dirname, '../../../fixtures/inference');
const tmp = mkdtempSync(join(tmpdir(), 'hpcbench-summary-formats-'));

describe('genai-perf profile_export_genai_perf.json (synthetic)', () => {
  const file = join(fixtures, 'genai-perf-summary-synthetic.json');

  it("is recognised and reported with genai-perf's own figures, converted from ms", async () => {
    expect(await detectLogKind(file)).toBe('inference');
    const doc = await profileFiles([file], { bootstrapIterations: 10 });
    const inf = doc.tasks[0]?.inference;
    expect(inf?.source).toBe('genai-perf-summary');
    expect(inf?.completedRequests).toBe(100);
    expect(inf?.requestThroughput).toBe(4.25);
    expect(inf?.outputTokensPerS).toBe(544);
    expect(inf?.ttftS).toMatchObject({ source: 'genai-perf-summary', n: 100 });
    expect(inf?.ttftS.min).toBeCloseTo(0.0301, 15);
    expect(inf?.ttftS.max).toBeCloseTo(0.1302, 15);
    expect(inf?.ttftS.percentiles?.p25).toBeCloseTo(0.0402, 15);
    expect(inf?.ttftS.percentiles?.p75).toBeCloseTo(0.0491, 15);
    expect(inf?.ttftS.mean).toBeCloseTo(0.0455, 15);
    expect(inf?.ttftS.p99).toBeCloseTo(0.12, 15);
    expect(inf?.latencyS.p50).toBeCloseTo(0.9352, 15);
    expect(inf?.tpotS.mean).toBeCloseTo(0.0071, 15);
    expect(inf?.itlS.mean).toBeNull();
    expect(doc.warnings.some((w) => w.includes("the figures are genai-perf's own"))).toBe(true);
  });

  it('refuses a metric whose unit is not a time', async () => {
    const bad = join(tmp, 'bad-unit.json');
    writeFileSync(bad, JSON.stringify({ request_count: { avg: 3 }, request_throughput: { unit: 'requests/sec', avg: 1 }, time_to_first_token: { unit: 'tokens', avg: 4 } }));
    await expect(profileFiles([bad])).rejects.toThrow('`time_to_first_token` has unit "tokens"; expected a time unit');
  });
});

describe('llmperf *_summary.json (synthetic)', () => {
  const file = join(fixtures, 'llmperf-summary-synthetic.json');

  it("is recognised and reported with llmperf's own figures (seconds), errors and requests per minute", async () => {
    expect(await detectLogKind(file)).toBe('inference');
    const doc = await profileFiles([file], { bootstrapIterations: 10 });
    const inf = doc.tasks[0]?.inference;
    expect(inf?.source).toBe('llmperf-summary');
    expect(inf?.completedRequests).toBe(98);
    expect(inf?.failedRequests).toBe(2);
    expect(inf?.errorRate).toBe(0.02);
    expect(inf?.requestThroughput).toBe(4);
    expect(inf?.outputTokensPerS).toBe(520.5);
    expect(inf?.ttftS).toMatchObject({ mean: 0.0455, p50: 0.0449, p99: 0.12, min: 0.0301, std: 0.0126 });
    expect(inf?.tpotS).toMatchObject({ mean: 0.0071, p95: 0.0079 });
    expect(inf?.latencyS).toMatchObject({ mean: 0.9405, p50: 0.9352, p99: 1.1019, p90: null });
    expect(doc.warnings.some((w) => w.includes('results_num_completed_requests_per_min / 60'))).toBe(true);
  });
});

describe('genai-perf per-request profile_export.json (synthetic)', () => {
  it('is recognised and refused precisely (output tokens need the tokenizer)', async () => {
    const file = join(tmp, 'profile_export.json');
    const request = { timestamp: 1_000_000, request_inputs: { payload: '{}' }, response_timestamps: [3_000_000, 5_000_000], response_outputs: [{ response: 'data: {}' }, { response: 'data: [DONE]' }] };
    writeFileSync(file, JSON.stringify({ service_kind: 'openai', endpoint: 'v1/chat/completions', experiments: [{ experiment: { mode: 'concurrency', value: 4 }, requests: [request] }] }, null, 2));
    expect(await detectLogKind(file)).toBe('inference');
    await expect(profileFiles([file])).rejects.toThrow(/a genai-perf \/ perf_analyzer per-request export \(profile_export\.json\): hpcbench does not read it yet/);
  });
});
