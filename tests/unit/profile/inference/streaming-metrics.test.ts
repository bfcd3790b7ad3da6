// The streamed (multi-pass, bounded-memory) inference profile against the in-memory one on the
// same generated logs, with the analytic-interval threshold lowered through its option so that a
// few hundred records take the streamed path: the metrics must be equal (percentiles and
// interval ends bit for bit, means and standard deviations to 1e-12), and the chart samples the
// same rows.
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../../src/errors.js';
import { RejectedLines } from '../../../../src/profile/lines.js';
import { readInferenceLog } from '../../../../src/profile/inference/log.js';
import { computeInferenceMetrics, excludeInferenceWarmup, type InferenceMetrics, type InferenceMetricsOptions } from '../../../../src/profile/inference/metrics.js';
import { concatenateRecordTables } from '../../../../src/profile/inference/record-table.js';
import { compileExtractors } from '../../../../src/profile/inference/regex-extractor.js';
import { computeStreamedInferenceMetrics, type StreamedLogSource } from '../../../../src/profile/inference/streaming-metrics.js';
import { profileFiles } from '../../../../src/profile/profile-run.js';

const dir = mkdtempSync(join(tmpdir(), 'hpcbench-streamed-'));
const THRESHOLD = 200;
const SAMPLES = 50;
const EXTRACTORS = compileExtractors([{ pattern: 'req (?<id>\\d+) latency=(?<latency_s>[\\d.]+) ttft=(?<ttft_s>[\\d.]+) out=(?<output_tokens>\\d+)' }], 'test');

function createLcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

interface LogShape {
  n: number;
  seed: number;
  /** Every latency this value (all-equal), else millisecond-rounded latencies with many ties. */
  equalLatency?: number;
  timestamps?: boolean;
  badLines?: boolean;
}

/** A log with failures, flagged warm-up, records without TTFT or output tokens, ITLs (given and from token times), batches and params. */
function writeJsonl(name: string, shape: LogShape): string {
  const random = createLcg(shape.seed);
  const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;
  const lines = [JSON.stringify({ schema: 'hpcbench.inference/1', params: { concurrency: 8, model_size: '7b' }, backend: 'vllm' })];
  let clock = 1_795_000_000;
  for (let i = 0; i < shape.n; i++) {
    const latency = shape.equalLatency ?? round(0.2 + random() * random() * 4, 2);
    const record: Record<string, unknown> = { id: i, latency_s: latency };
    if (shape.timestamps !== false) {
      record.start = clock;
      record.end = clock + latency;
      clock += round(random() * 0.05, 3);
    }
    if (random() < 0.05) record.error = ['timeout', 'CUDA out of memory', `worker ${i % 3} died`][i % 3];
    const ttft = round(latency * random() * 0.3, 3);
    if (random() < 0.8) record.ttft_s = ttft;
    if (random() < 0.85) record.output_tokens = 1 + Math.floor(random() * 40);
    if (random() < 0.7) record.input_tokens = 16 + Math.floor(random() * 100);
    const itlKind = random();
    if (itlKind < 0.3) record.itl_s = Array.from({ length: 1 + Math.floor(random() * 12) }, () => round(random() * 0.04, 3));
    else if (itlKind < 0.45 && shape.timestamps !== false) {
      delete record.ttft_s;
      const start = record.start as number;
      let time = start + ttft;
      record.token_times_s = Array.from({ length: 4 }, () => (time += round(random() * 0.01, 3)));
    }
    if (random() < 0.1) record.batch_size = 2;
    if (i % 40 === 7) record.warmup = true;
    if (i % 90 === 13) record.params = { prompt_len: i % 2 === 0 ? 128 : 256 };
    lines.push(JSON.stringify(record));
    if (shape.badLines === true && i % 150 === 11) lines.push('{"latency_s": -1}', 'not json at all');
  }
  const file = join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

function writeTextLog(name: string, n: number, seed: number): string {
  const random = createLcg(seed);
  const lines: string[] = ['server starting'];
  for (let i = 0; i < n; i++) {
    const latency = (0.1 + Math.floor(random() * 300) / 100).toFixed(2);
    lines.push(`INFO req ${i} latency=${latency} ttft=${(Number(latency) * 0.2).toFixed(3)} out=${1 + Math.floor(random() * 30)}`, 'progress: 50%');
  }
  const file = join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** The in-memory profile of the same sources: metrics and the chart samples keepSamples keeps. */
async function profileInMemory(sources: readonly StreamedLogSource[], options: InferenceMetricsOptions): Promise<{ metrics: InferenceMetrics; latencies: number[]; throughputs: number[] }> {
  const tables = [];
  for (const s of sources) {
    const log = await readInferenceLog(s.file, { format: s.format, extractors: s.extractors ?? [] });
    tables.push(log.table ?? log.records);
  }
  const records = concatenateRecordTables(tables);
  const metrics = computeInferenceMetrics(records, options);
  const latencies: number[] = [];
  const throughputs: number[] = [];
  for (const r of excludeInferenceWarmup(records, options.warmupRecords ?? 0)) {
    if (r.error !== null) continue;
    latencies.push(r.latencyS);
    if (r.outputTokens !== undefined && r.latencyS > 0) throughputs.push(r.outputTokens / r.latencyS);
  }
  const strided = (values: number[]): number[] =>
    values.length <= SAMPLES ? values : Array.from({ length: SAMPLES }, (_, i) => values[Math.floor(i * (values.length / SAMPLES))] as number);
  return { metrics, latencies: strided(latencies), throughputs: strided(throughputs) };
}

/** toEqual with the summaries' mean and std compared to 1e-12 relative instead of exactly. */
function expectEqualMetrics(actual: InferenceMetrics, expected: InferenceMetrics): void {
  const withoutMoments = (m: InferenceMetrics): unknown => ({
    ...m,
    latencyS: { ...m.latencyS, mean: 0, std: 0 },
    ttftS: { ...m.ttftS, mean: 0, std: 0 },
    tpotS: { ...m.tpotS, mean: 0, std: 0 },
    itlS: { ...m.itlS, mean: 0, std: 0 },
  });
  expect(withoutMoments(actual)).toStrictEqual(withoutMoments(expected));
  for (const key of ['latencyS', 'ttftS', 'tpotS', 'itlS'] as const) {
    for (const moment of ['mean', 'std'] as const) {
      const a = actual[key][moment];
      const b = expected[key][moment];
      if (a === null || b === null) expect(a, `${key}.${moment}`).toBe(b);
      else expect(Math.abs(a - b), `${key}.${moment}: ${a} vs ${b}`).toBeLessThanOrEqual(1e-12 * Math.abs(b));
    }
  }
}

const optionsFor = (extra: InferenceMetricsOptions = {}): InferenceMetricsOptions => ({
  warmupRecords: 3,
  slo: { ttftMs: 300, tpotMs: 40, e2eMs: 2000 },
  gpuEnergyJ: 5000,
  bootstrap: { seed: 7 },
  analyticIntervalsAbove: THRESHOLD,
  ...extra,
});

describe('the streamed inference profile', () => {
  const mixed = writeJsonl('mixed.jsonl', { n: 700, seed: 1 });
  const equal = writeJsonl('equal.jsonl', { n: 260, seed: 2, equalLatency: 0.5 });
  const untimed = writeJsonl('untimed.jsonl', { n: 330, seed: 3, timestamps: false });
  const text = writeTextLog('server.log', 240, 4);

  const cases: [string, StreamedLogSource[], InferenceMetricsOptions][] = [
    ['one log (warm-up N, flagged warm-up, failures, missing TTFT/output tokens, ITLs, ties)', [{ file: mixed, format: 'jsonl' }], optionsFor()],
    ['several logs, one of all-equal latencies', [{ file: mixed, format: 'jsonl' }, { file: equal, format: 'jsonl' }], optionsFor({ warmupRecords: 10 })],
    ['nearest-rank percentiles', [{ file: equal, format: 'jsonl' }, { file: mixed, format: 'jsonl' }], optionsFor({ percentileMethod: 'nearest-rank', warmupRecords: 0 })],
    ['a log without timestamps (sum of latencies) and a text log', [{ file: untimed, format: 'jsonl' }, { file: text, format: 'text', extractors: EXTRACTORS }], optionsFor({ slo: undefined, bootstrap: { confidence: 0.9 } })],
  ];
  for (const [name, sources, options] of cases) {
    it(`equals the in-memory profile: ${name}`, async () => {
      const expected = await profileInMemory(sources, options);
      const streamed = await computeStreamedInferenceMetrics(sources, { ...options, selectionBufferLimit: 16, maxKeptSamples: SAMPLES });
      expect(streamed).toBeDefined();
      if (streamed === undefined) return;
      expect(expected.metrics.ci.latencyP50S?.method).toBe('order-statistic');
      expectEqualMetrics(streamed.metrics, expected.metrics);
      expect(streamed.latencySamples).toStrictEqual(expected.latencies);
      expect(streamed.latencySamplesStrided).toBe(true);
      expect(streamed.throughputSamples).toStrictEqual(expected.throughputs);
      // K = 16 values of a few hundred: the selection narrowed buckets over several passes, never holding more.
      expect(streamed.peakBuffered).toBeGreaterThan(0);
      expect(streamed.peakBuffered).toBeLessThanOrEqual(16);
      expect(streamed.passes).toBeGreaterThanOrEqual(2);
    });
  }

  it('hands back to the in-memory profile when warm-up leaves no more than the threshold', async () => {
    const streamed = await computeStreamedInferenceMetrics([{ file: mixed, format: 'jsonl' }], optionsFor({ warmupRecords: 600 }));
    expect(streamed).toBeUndefined();
  });

  it('records rejected lines once, not once per pass', async () => {
    const file = writeJsonl('bad-lines.jsonl', { n: 400, seed: 5, badLines: true });
    const rejected = new RejectedLines();
    const streamed = await computeStreamedInferenceMetrics([{ file, format: 'jsonl' }], { ...optionsFor(), rejected, selectionBufferLimit: 8 });
    expect(streamed?.passes).toBeGreaterThanOrEqual(2);
    expect(rejected.count).toBe(6);
    expect(rejected.countIn(file)).toBe(6);
  });

  it('refuses a log that changes between passes, naming it', async () => {
    const file = writeJsonl('growing.jsonl', { n: 300, seed: 6 });
    let reads = 0;
    const growing = computeStreamedInferenceMetrics([{ file, format: 'jsonl' }], {
      ...optionsFor(),
      onProgress: () => {
        // After the first pass's read, as a job still writing its log would.
        if (reads++ === 0) appendFileSync(file, `${JSON.stringify({ latency_s: 0.5 })}\n`);
      },
    });
    await expect(growing).rejects.toThrow(InputError);
    await expect(growing).rejects.toThrow(/growing\.jsonl: the file changed while it was being profiled/);
  });
});

describe('profileFiles on a log above the threshold', () => {
  it('streams it, with the in-memory figures, samples and rejected-line counts', async () => {
    const file = writeJsonl('profile-files.jsonl', { n: 500, seed: 8, badLines: true });
    const options = { warmup: 2, seed: 3, analyticIntervalsAbove: THRESHOLD, selectionBufferLimit: 32 };
    const doc = await profileFiles([file], options);
    const task = doc.tasks[0];
    const expected = await profileInMemory([{ file, format: 'jsonl' }], { warmupRecords: 2, bootstrap: { seed: 3 }, analyticIntervalsAbove: THRESHOLD });
    expect(task?.inference?.backend).toBe('vllm');
    const { backend, ...inference } = task?.inference as InferenceMetrics;
    expect(backend).toBe('vllm');
    expectEqualMetrics(inference, expected.metrics);
    expect(task?.latency_samples_s.length).toBe(expected.metrics.latencyS.n);
    expect(task?.params).toMatchObject({ concurrency: 8, model_size: '7b' });
    expect(doc.sources.find((s) => s.kind === 'inference')?.rejected?.count).toBe(8);
  });

  it('keeps the in-memory profile (bootstrap intervals) when warm-up leaves too few records', async () => {
    const file = writeJsonl('mostly-warmup.jsonl', { n: 300, seed: 9 });
    const doc = await profileFiles([file], { warmup: 150, seed: 3, bootstrapIterations: 50, analyticIntervalsAbove: THRESHOLD });
    const inference = doc.tasks[0]?.inference;
    expect(inference?.records).toBeLessThanOrEqual(THRESHOLD);
    expect(inference?.ci.latencyP50S?.method).toBeUndefined();
    expect(inference?.ci.latencyP50S?.iterations).toBe(50);
  });
});
