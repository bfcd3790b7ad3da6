import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../../src/errors.js';
import { readInferenceLog } from '../../../../src/profile/inference/log.js';
import { computeInferenceMetrics } from '../../../../src/profile/inference/metrics.js';
import { parseVllmResults, type VllmResult } from '../../../../src/profile/inference/vllm-result.js';
import { aggregateInferenceSweep } from '../../../../src/profile/inference/sweep.js';

const fixtures = join(import.meta.dirname, '../../../fixtures/inference');
const detailedText = readFileSync(join(fixtures, 'vllm-serving-result.json'), 'utf8');

/** A file of one result document, read through the product's reader of result files. */
function parseVllmResult(text: string, file: string): VllmResult {
  const results = parseVllmResults(text, file);
  expect(results).toHaveLength(1);
  return results[0] as VllmResult;
}

function relativeError(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
}

describe('parseVllmResults of one result document', () => {
  it('turns the per-request arrays into one record per request', () => {
    const result = parseVllmResult(detailedText, 'r.json');
    expect(result.model).toBe('Qwen/Qwen2.5-0.5B-Instruct');
    expect(result.params).toEqual({ request_rate: 4, max_concurrency: null, burstiness: 1, num_prompts: 8 });
    expect(result.records).toHaveLength(8);
    const failed = result.records[5]!;
    expect(failed.error).toBe('HTTP 500: Internal Server Error');
    expect(failed.ttftS).toBeUndefined();
    expect(failed.start).toBeUndefined();
    const first = result.records[0]!;
    expect(first).toMatchObject({ inputTokens: 512, outputTokens: 128, ttftS: 0.0912, start: 18342.5013, error: null });
    expect(first.itlsS).toHaveLength(127);
    expect(result.reported).toMatchObject({ completed: 7, failed: 1, totalInputTokens: 3556, totalOutputTokens: 719 });
    expect(result.reported.latencyMs.p99_ttft_ms).toBeCloseTo(140.204, 9);
  });

  it('recomputes TTFT, TPOT, ITL and E2E statistics that agree with vLLM to 1e-9', async () => {
    const log = await readInferenceLog(join(fixtures, 'vllm-serving-result.json'));
    const m = computeInferenceMetrics(log.records, { bootstrap: false });
    const reported = log.reported!.latencyMs;
    const pairs: [number | null, string][] = [
      [m.ttftS.mean, 'mean_ttft_ms'],
      [m.ttftS.p50, 'median_ttft_ms'],
      [m.ttftS.p99, 'p99_ttft_ms'],
      [m.tpotS.mean, 'mean_tpot_ms'],
      [m.tpotS.p50, 'median_tpot_ms'],
      [m.tpotS.p99, 'p99_tpot_ms'],
      [m.itlS.mean, 'mean_itl_ms'],
      [m.itlS.p50, 'median_itl_ms'],
      [m.itlS.p99, 'p99_itl_ms'],
      [m.latencyS.mean, 'mean_e2el_ms'],
      [m.latencyS.p50, 'median_e2el_ms'],
      [m.latencyS.p99, 'p99_e2el_ms'],
    ];
    for (const [ours, key] of pairs) {
      expect(ours, key).not.toBeNull();
      expect(relativeError((ours as number) * 1000, reported[key] as number), key).toBeLessThan(1e-9);
    }
    expect(m.completedRequests).toBe(log.reported!.completed);
    expect(m.totalOutputTokens).toBe(log.reported!.totalOutputTokens);
    expect(m.totalInputTokens).toBe(log.reported!.totalInputTokens);
    expect(m.errorRate).toBeCloseTo(1 / 8, 15);
    // Our window is first start to last end; vLLM's wall clock also holds its own overhead.
    expect(m.durationSource).toBe('timestamps');
    expect(m.durationS!).toBeLessThan(log.reported!.durationS);
    expect(m.durationS!).toBeCloseTo(log.reported!.durationS - 0.0123, 9);
  });

  it('keeps the summary of a result saved without per-request detail', async () => {
    const log = await readInferenceLog(join(fixtures, 'vllm-serving-summary.json'));
    expect(log.records).toEqual([]);
    expect(log.reported?.requestThroughput).toBeCloseTo(7 / log.reported!.durationS, 12);
    expect(log.reported?.latencyMs.mean_tpot_ms).toBeGreaterThan(0);
  });

  it('reads older results without `latencies` as ttft + sum(itl), and NaN as missing', () => {
    const text =
      '{"duration": 2.0, "completed": 2, "total_input_tokens": 20, "total_output_tokens": 6, "request_throughput": NaN,' +
      ' "input_lens": [10, 10], "output_lens": [3, 3], "ttfts": [0.1, 0.2], "itls": [[0.05, 0.05], [0.1, 0.1]],' +
      ' "errors": ["", ""]}';
    const result = parseVllmResult(text, 'old.json');
    expect(result.records.map((r) => r.latencyS)).toEqual([0.2, 0.4]);
    expect(result.reported.requestThroughput).toBeUndefined();
  });

  it('reads appended results (--append-result) as separate sweep points with separate windows', async () => {
    const second = detailedText.replace('"request_rate": 4.0', '"request_rate": 8.0');
    const file = join(mkdtempSync(join(tmpdir(), 'hpcbench-vllm-')), 'appended.json');
    writeFileSync(file, `${detailedText}\n${second}\n${detailedText}\n`);
    const results = parseVllmResults(readFileSync(file, 'utf8'), file);
    expect(results.map((r) => r.params.request_rate)).toEqual([4, 8, 4]);
    expect(results[1]?.records[0]?.run).toBe('line 2');
    const log = await readInferenceLog(file);
    expect(log.reported).toBeUndefined();
    expect(log.records).toHaveLength(24);
    const points = aggregateInferenceSweep([log], { bootstrap: false });
    expect(points.map((p) => [p.params.request_rate, p.metrics.requests])).toEqual([
      [4, 16],
      [8, 8],
    ]);
    // Two runs of rate 4 with identical timestamps: two windows added, not one shared window.
    const single = computeInferenceMetrics(parseVllmResult(detailedText, 'one.json').records, { bootstrap: false });
    expect(points[0]?.metrics.durationS).toBeCloseTo(2 * single.durationS!, 9);
    const broken = `${detailedText}\n{"duration": 1}\n`;
    expect(() => parseVllmResults(broken, 'b.json')).toThrow(/^b\.json:2: not a vLLM serving benchmark result/);
  });

  it.each([
    ['not json', /not valid JSON/],
    ['[1, 2]', /expected a JSON object/],
    ['{"duration": 1, "completed": 1', /truncated JSON: the document ends at byte offset 30 \(line 1\)/],
    ['{"completed": 1}', /not a vLLM serving benchmark result: field `duration`/],
    [
      '{"duration": 1, "completed": 1, "total_input_tokens": 1, "ttfts": [0.1, 0.2], "itls": [[]]}',
      /`ttfts` has 2 entries, `itls` has 1/,
    ],
  ])('rejects %s with an InputError naming the file', (text, message) => {
    const error = (() => {
      try {
        parseVllmResult(text, 'bad.json');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(InputError);
    // A JSON syntax error also names its line (bad.json:1: …).
    expect((error as InputError).message).toMatch(/^bad\.json(:\d+)?: /);
    expect((error as InputError).message).toMatch(message);
  });

  it('throws nothing but InputError on mutated result files', () => {
    fc.assert(
      fc.property(fc.nat(detailedText.length), fc.string({ maxLength: 6 }), fc.nat(40), (at, insert, cut) => {
        const mutated = detailedText.slice(0, at) + insert + detailedText.slice(at + cut);
        try {
          parseVllmResults(`${mutated}\n${detailedText}`, 'm.json');
        } catch (error) {
          expect(error).toBeInstanceOf(InputError);
        }
      }),
      { numRuns: 400 },
    );
    fc.assert(
      fc.property(fc.json(), (text) => {
        try {
          parseVllmResults(text, 'j.json');
        } catch (error) {
          expect(error).toBeInstanceOf(InputError);
        }
      }),
      { numRuns: 400 },
    );
  });
});
