// Every real vLLM capture in tests/fixtures/real/vllm/ against the figures numpy computed for it
// (scripts/real-corpus/reference.py → references.json), or the precise refusal, through the path
// `hpcbench profile <file>` takes (profileFiles: detection, reader, metrics).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../../src/errors.js';
import { detectLogKind } from '../../../../src/profile/detect-kind.js';
import { profileFiles } from '../../../../src/profile/profile-run.js';

const DIR = join(__dirname, '../../../fixtures/real/vllm');

interface Stats {
  mean: number;
  median: number;
  p99: number;
}
interface RunRef {
  completed: number | null;
  request_throughput: number | null;
  output_throughput_tok_s: number | null;
  ttft_ms: Stats | null;
  tpot_ms: Stats | null;
}
interface VllmRef {
  mode: string;
  runs: Record<string, RunRef>;
}
const references = JSON.parse(readFileSync(join(__dirname, '../../../fixtures/real/references.json'), 'utf8')) as { files: Record<string, VllmRef> };

/** numpy's figure against ours to 1e-12 relative (ours are vLLM's ms divided by 1000). */
function expectClose(actual: number | null | undefined, expected: number, what: string): void {
  expect(actual, what).not.toBeNull();
  expect(Math.abs((actual as number) - expected) / Math.max(Math.abs(expected), 1e-300), what).toBeLessThan(1e-12);
}

async function refusal(name: string): Promise<InputError> {
  const file = join(DIR, name);
  expect(await detectLogKind(file)).toBe('inference');
  const error = await profileFiles([file]).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InputError);
  expect((error as Error).message).toContain(file);
  return error as InputError;
}

describe('real vLLM result files', () => {
  const names = readdirSync(DIR).sort();
  it('covers the 5 corpus files', () => expect(names).toHaveLength(5));

  const summaries = names.filter((n) => references.files[`vllm/${n}`]?.mode === 'bench-serve');
  it('has the two summary-only results', () => expect(summaries).toHaveLength(2));

  it.each(summaries)("%s: vLLM's own figures, labelled vllm-summary, match the reference", async (name) => {
    const ref = references.files[`vllm/${name}`]?.runs.run as RunRef;
    const doc = await profileFiles([join(DIR, name)], { bootstrapIterations: 10 });
    const inf = doc.tasks[0]?.inference;
    expect(inf?.source).toBe('vllm-summary');
    expect(inf?.completedRequests).toBe(ref.completed);
    expect(inf?.requests).toBe(ref.completed);
    expect(inf?.failedRequests).toBe(0);
    expect(inf?.errorRate).toBe(0);
    expectClose(inf?.requestThroughput, ref.request_throughput as number, 'request throughput');
    expectClose(inf?.outputTokensPerS, ref.output_throughput_tok_s as number, 'output tok/s');
    for (const [key, stats] of [
      ['ttft', ref.ttft_ms],
      ['tpot', ref.tpot_ms],
    ] as const) {
      const ours = key === 'ttft' ? inf?.ttftS : inf?.tpotS;
      expect(ours && 'source' in ours ? ours.source : undefined).toBe('vllm-summary');
      expectClose((ours?.mean ?? NaN) * 1000, (stats as Stats).mean, `${key} mean`);
      expectClose((ours?.p50 ?? NaN) * 1000, (stats as Stats).median, `${key} median`);
      expectClose((ours?.p99 ?? NaN) * 1000, (stats as Stats).p99, `${key} p99`);
      // vLLM never writes min/max; they stay unknown.
      expect(ours?.min).toBeNull();
      expect(ours?.max).toBeNull();
    }
    expect(doc.warnings.some((w) => w.includes("the figures are vLLM's own"))).toBe(true);
  });

  it('refuses the nightly summary table, naming its rows and why', async () => {
    const name = 'nightly-summary-table-llama33-70b-tp8.json';
    expect(Object.keys(references.files[`vllm/${name}`]?.runs ?? {})).toEqual(['tp8_pp1_qps_01', 'tp8_pp1_qps_04', 'tp8_pp1_qps_16', 'tp8_pp1_qps_inf']);
    const error = await refusal(name);
    expect(error.message).toContain('a vLLM nightly-benchmark summary table (4 rows: tp8_pp1_qps_01, tp8_pp1_qps_04, tp8_pp1_qps_16, tp8_pp1_qps_inf)');
    expect(error.message).toContain('"# of req." is the number of prompts sent, not a completed count');
  });

  it('refuses the InferenceX aggregate, saying its latencies are seconds and its throughput per GPU', async () => {
    const error = await refusal('inferencex-agg-kimi-k2.5-mi355x-seconds-units.json');
    expect(error.message).toContain('are in seconds');
    expect(error.message).toContain('mean_ttft 0.3170863160688896 s');
    expect(error.message).toContain('per GPU (tput_per_gpu, output_tput_per_gpu, input_tput_per_gpu)');
  });

  it('refuses the cut detailed excerpt as truncated JSON at byte offset 6387', async () => {
    const name = 'serving-llama33-70b-tp8-qps-inf-detailed-excerpt-through-ttfts.json';
    expect(readFileSync(join(DIR, name)).length).toBe(6387);
    const error = await refusal(name);
    expect(error.message).toContain('truncated JSON: the document ends at byte offset 6387 (line 1)');
  });
});
