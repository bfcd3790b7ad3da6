// Golden figures for the inference path: every inference fixture (tests/fixtures/inference/**,
// tests/fixtures/real/vllm/*) and a seeded synthetic log, profiled the way `hpcbench profile`
// does (profileFiles) and through the library (readInferenceLog, computeInferenceMetrics,
// aggregateInferenceSweep). The expected JSON was captured from the record-per-object code
// before the columnar store replaced it (commit "tests: golden inference figures…"), so any
// change of a figure, sample or refusal — down to the last bit of a double — fails here.
// Regenerate only on purpose, outside CI: HPCBENCH_UPDATE_GOLDEN=1 npx vitest run <this file>
// (tests/unit/support/golden.ts: under CI a missing or different file fails, and no rewrite happens).
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readInferenceLog, type InferenceLog } from '../../../../src/profile/inference/log.js';
import { computeInferenceMetrics, excludeInferenceWarmup } from '../../../../src/profile/inference/metrics.js';
import { aggregateInferenceSweep } from '../../../../src/profile/inference/sweep.js';
import { RejectedLines } from '../../../../src/profile/lines.js';
import { profileFiles, type ProfileOptions } from '../../../../src/profile/profile-run.js';
import { compileExtractors, type RegexExtractorSpec } from '../../../../src/profile/inference/regex-extractor.js';
import { readGolden } from '../../support/golden.js';

const ROOT = join(import.meta.dirname, '../../../..');
const EXPECTED_FILE = join(import.meta.dirname, 'inference-golden.expected.json');

const SERVER_LOG_EXTRACTORS: RegexExtractorSpec[] = [
  {
    pattern: 'prompt_tokens=(?<input_tokens>\\d+) completion_tokens=(?<output_tokens>\\S+) ttft=(?<ttft_ms>[\\d.]+)ms e2e=(?<latency_ms>[\\d.]+)ms',
  },
];

function listFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return listFiles(path);
      return /\.(jsonl|json|log)$/.test(name) ? [path] : [];
    });
}

const FIXTURES = [...listFiles(join(ROOT, 'tests/fixtures/inference')), ...listFiles(join(ROOT, 'tests/fixtures/real/vllm'))];
const rel = (file: string): string => relative(ROOT, file);

/** A seeded generator (LCG), so the synthetic logs are the same on every machine. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * Records as real logs mix them: header params and per-record params, errors of a few kinds,
 * flagged warm-ups, token times or ITLs or neither, null for "not measured", batches, ids of
 * both types, a record with only start/end.
 */
function syntheticLog(n: number, seed: number, timestamps: boolean): string {
  const rand = lcg(seed);
  const lines = [JSON.stringify({ schema: 'hpcbench.inference/1', params: { batch_size: 1, model: 'tiny' } })];
  let clock = 1_795_000_000 + seed;
  for (let i = 0; i < n; i++) {
    const latency = Math.round((0.05 + rand() * 2) * 1e6) / 1e6;
    const out = Math.floor(rand() * 200);
    const ttft = rand() < 0.1 ? null : Math.round(latency * rand() * 1e6) / 1e6;
    const r: Record<string, unknown> = { id: i % 3 === 0 ? `req-${i}` : i, input_tokens: Math.floor(rand() * 900), output_tokens: rand() < 0.05 ? null : out };
    if (timestamps) {
      const start = clock + rand() * 0.01;
      r.start = start;
      if (rand() < 0.5) r.end = start + latency;
      else r.latency_s = latency;
      clock = start + latency * rand();
    } else r.latency_s = latency;
    if (ttft !== null) r.ttft_s = ttft;
    else r.ttft_s = null;
    const shape = rand();
    if (shape < 0.05 && timestamps && ttft !== null) {
      const start = r.start as number;
      r.token_times_s = [start + ttft, start + ttft + 0.01, start + ttft + 0.025, start + ttft + 0.025];
      delete r.ttft_s;
    } else if (shape < 0.1) r.itl_s = [0.01, 0.02, rand() * 0.05];
    if (rand() < 0.1) r.batch_size = 1 + Math.floor(rand() * 8);
    if (i < 5 || rand() < 0.002) r.warmup = true;
    const e = rand();
    if (e < 0.03) r.error = 'CUDA out of memory';
    else if (e < 0.04) r.error = `timeout after ${Math.floor(rand() * 3)} s`;
    else if (e < 0.05) r.error = '';
    else if (e < 0.2) r.error = null;
    if (rand() < 0.02) r.params = { prompt_set: rand() < 0.5 ? 'short' : 'long' };
    lines.push(JSON.stringify(r));
    if (rand() < 0.001) lines.push('{"latency_s": -1}');
  }
  return `${lines.join('\n')}\n`;
}

const tmp = mkdtempSync(join(tmpdir(), 'hpcbench-inference-golden-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const SYNTHETIC = {
  timed: join(tmp, 'synthetic-timed.jsonl'),
  untimed: join(tmp, 'synthetic-untimed.jsonl'),
};
writeFileSync(SYNTHETIC.timed, syntheticLog(25_000, 7, true));
writeFileSync(SYNTHETIC.untimed, syntheticLog(3_000, 11, false));

/**
 * Stable JSON: the figures exactly as metrics.json would write them, temp paths replaced; a long
 * array (samples, a synthetic log's records) becomes its length and the SHA-256 of its JSON, so
 * the expected file stays small and still pins every value.
 */
function canonical(value: unknown): unknown {
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (Array.isArray(v) && v.length > 64) return { length: v.length, sha256: createHash('sha256').update(withoutPaths(JSON.stringify(v))).digest('hex') };
    return v;
  });
  return text === undefined ? undefined : JSON.parse(withoutPaths(text));
}

// Paths in messages are relative to the working directory where they can be, so the temporary
// directory appears both ways; the relative form goes first (it contains the absolute one's tail).
const tmpFromCwd = relative(process.cwd(), tmp);

function withoutPaths(text: string): string {
  return text.split(tmpFromCwd).join('<tmp>').split(tmp).join('<tmp>').split(ROOT).join('<root>');
}

const OPTION_SETS: Record<string, ProfileOptions> = {
  default: { bootstrapIterations: 200 },
  tuned: { bootstrapIterations: 150, seed: 3, warmup: 2, slo: { ttftMs: 200, tpotMs: 60, e2eMs: 1500 }, percentileMethod: 'nearest-rank' },
};

async function profileCase(files: string[], options: ProfileOptions): Promise<unknown> {
  try {
    const doc = await profileFiles(files, { ...options, now: () => new Date(0), toolVersion: 'golden' });
    const task = doc.tasks[0];
    return canonical({
      inference: task?.inference,
      latency_samples_s: task?.latency_samples_s,
      latency_samples_strided: task?.latency_samples_strided,
      throughput_samples: task?.throughput_samples,
      params: task?.params,
      missing: task?.missing,
      sources: doc.sources,
      sweep: doc.sweep,
      warnings: doc.warnings,
    });
  } catch (error) {
    return canonical({ error: `${(error as Error).constructor.name}: ${(error as Error).message}` });
  }
}

/** The records as plain data, keys sorted (a record's own key order is not part of any output). */
function plainRecords(log: InferenceLog): unknown {
  return canonical(
    log.records.map((r) => {
      const plain = JSON.parse(JSON.stringify(r)) as Record<string, unknown>;
      return Object.fromEntries(Object.keys(plain).sort().map((k) => [k, plain[k]]));
    }),
  );
}

async function libraryCase(file: string): Promise<unknown> {
  const rejected = new RejectedLines();
  const extractors = file.endsWith('.log') ? compileExtractors(SERVER_LOG_EXTRACTORS, 'golden') : [];
  let log: InferenceLog;
  try {
    log = await readInferenceLog(file, { rejected, extractors });
  } catch (error) {
    return canonical({ error: `${(error as Error).constructor.name}: ${(error as Error).message}` });
  }
  // `table` is the same records by row (a columns object), like `records` left out of the log part.
  const withoutRecords = { ...log, records: undefined, table: undefined };
  return canonical({
    log: withoutRecords,
    records: plainRecords(log),
    rejected: { count: rejected.count, examples: rejected.examples },
    metrics: computeInferenceMetrics(log.records, { bootstrap: { iterations: 100, seed: 5 }, gpuEnergyJ: 1234.5, reportedDurationS: 17 }),
    metricsWarmup3: computeInferenceMetrics(log.records, { warmupRecords: 3, bootstrap: false, slo: { ttftMs: 100 } }),
    kept: [...excludeInferenceWarmup(log.records, 1)].map((r) => r.line ?? null),
  });
}

async function computeAll(): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const file of FIXTURES) {
    for (const [name, options] of Object.entries(OPTION_SETS)) {
      const extra: ProfileOptions = file.endsWith('.log') ? { extractors: SERVER_LOG_EXTRACTORS } : {};
      out[`profile ${name} ${rel(file)}`] = await profileCase([file], { ...options, ...extra });
    }
    out[`library ${rel(file)}`] = await libraryCase(file);
  }
  const sweepDir = join(ROOT, 'tests/fixtures/inference/sweep');
  const sweepFiles = listFiles(sweepDir);
  out['profile default sweep'] = await profileCase(sweepFiles, OPTION_SETS.default as ProfileOptions);
  const mixed = [...sweepFiles, join(ROOT, 'tests/fixtures/inference/requests.jsonl'), join(ROOT, 'tests/fixtures/inference/infer-ngram-cpu.jsonl'), join(ROOT, 'tests/fixtures/inference/vllm-serving-result.json')];
  const logs = await Promise.all(mixed.map((f) => readInferenceLog(f)));
  out['sweep mixed'] = canonical(aggregateInferenceSweep(logs, { bootstrap: { iterations: 100, seed: 9 }, warmupRecords: 1, gpuEnergyJByFile: { [mixed[0] as string]: 10, [mixed[1] as string]: 20 } }));
  for (const [name, options] of Object.entries(OPTION_SETS)) {
    out[`profile ${name} synthetic`] = await profileCase([SYNTHETIC.timed, SYNTHETIC.untimed], { ...options, bootstrapIterations: 20 });
    out[`profile ${name} synthetic-timed`] = await profileCase([SYNTHETIC.timed], { ...options, bootstrapIterations: 20 });
  }
  const synthetic = await Promise.all([SYNTHETIC.timed, SYNTHETIC.untimed].map((f) => readInferenceLog(f)));
  out['sweep synthetic'] = canonical(aggregateInferenceSweep(synthetic, { bootstrap: { iterations: 10, seed: 1 } }));
  out['library synthetic-untimed'] = await libraryCase(SYNTHETIC.untimed);
  return out;
}

describe('inference figures stay identical to the captured ones', () => {
  it('matches every captured case', async () => {
    const actual = await computeAll();
    const expected = JSON.parse(readGolden(EXPECTED_FILE, `${JSON.stringify(actual, null, 1)}\n`)) as Record<string, unknown>;
    expect(Object.keys(actual)).toEqual(Object.keys(expected));
    for (const key of Object.keys(expected)) expect(actual[key], key).toStrictEqual(expected[key]);
  }, 120_000);
});
