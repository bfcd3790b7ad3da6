// workloads/infer.py for real: the transformers backend generates with a random-init model and a
// tokenizer built from the prompts (nothing read from a cache), and the n-gram fallback needs
// nothing but Python's standard library (the quick-start demo runs on any Python 3).
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, describeWithVenv, jobDir, runPython } from './python.js';

const PROMPTS = join(REPO_ROOT, 'data_sample/prompts.txt');
const ARGS = ['--prompts', PROMPTS, '--batch-size', '4', '--max-new-tokens', '6', '--warmup', '1', '--iterations', '2'];

interface InferenceLine {
  schema?: string;
  backend?: string;
  model?: string;
  batch_size?: number;
  output_tokens?: number;
  token_times_s?: number[];
  warmup?: boolean;
  error?: string | null;
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function readLog(path: string): InferenceLine[] {
  return readFileSync(path, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as InferenceLine);
}

function expectBatches(lines: InferenceLine[], backend: string): void {
  const [header, ...records] = lines;
  expect(header).toMatchObject({ schema: 'hpcbench.inference/1', backend });
  expect(records.map((r) => r.warmup)).toEqual([true, false, false]);
  for (const r of records) {
    expect(r).toMatchObject({ batch_size: 4, output_tokens: 24, error: null });
    expect(r.token_times_s).toHaveLength(6);
  }
}

describeWithVenv('workloads/infer.py --backend transformers --random-init', () => {
  it('generates batches on the CPU without any model or tokenizer from the cache', async () => {
    const { dir, env } = jobDir('infer');
    dirs.push(dir);
    const run = await runPython(['workloads/infer.py', '--backend', 'transformers', '--random-init', ...ARGS], { cwd: REPO_ROOT, env });
    expect(run.code, run.output).toBe(0);
    const lines = readLog(join(dir, 'inference.jsonl'));
    expectBatches(lines, 'transformers');
    expect(lines[0]).toMatchObject({ model: 'tiny-gpt2 (random init)', device: 'cpu', dtype: 'float32' });
  }, 60_000);
});

describe('workloads/infer.py --backend auto without third-party packages', () => {
  it('falls back to the standard-library n-gram model', () => {
    const { dir, env } = jobDir('infer-ngram');
    dirs.push(dir);
    // -S: no site-packages at all, as on a machine with a bare Python 3.
    const run = spawnSync('python3', ['-S', 'workloads/infer.py', ...ARGS], { cwd: REPO_ROOT, env, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/using the standard-library ngram backend/);
    expectBatches(readLog(join(dir, 'inference.jsonl')), 'ngram');
  });
});
