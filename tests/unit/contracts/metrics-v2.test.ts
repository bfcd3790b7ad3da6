// metrics.json hpcbench.metrics/2: every key snake_case on disk, the in-memory document unchanged
// after a round trip, user data (parameter names, job metadata, file names) never renamed, and
// hpcbench.metrics/1 files still read as before.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { METRICS_SCHEMA_ID, METRICS_SCHEMA_V1, parseMetricsDocument, readMetricsDocument, serializeMetricsDocument } from '../../../src/contracts/metrics.js';
import { convertKeyToSnake, decodeMetricsKeys, encodeMetricsKeys } from '../../../src/contracts/metrics-keys.js';
import { summarizeComputeApps } from '../../../src/profile/gpu/nvidia-smi-apps.js';
import { summarizeNvidiaSmiLogs } from '../../../src/profile/gpu/nvidia-smi.js';
import type { MetricsDocument } from '../../../src/profile/metrics-document.js';
import { writeProcessSamples } from '../../../src/profile/process-sampler.js';
import { EXAMPLE_RUN_DIR } from '../../../src/report/example-report.js';
import { loadBundle } from '../../../src/report/run-bundle.js';
import { renderReportFiles } from '../../../src/report/write-report.js';
import { buildFixtureDoc } from '../report/fixture-doc.js';
import { caught, listCamelKeys } from './support.js';

const V1_FILE = join(import.meta.dirname, 'fixtures/metrics-v1.json');

const temp = mkdtempSync(join(tmpdir(), 'hpcbench-metrics-v2-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** A document with every section the profiler fills, each from the real code where there is one. */
async function buildRichDoc(): Promise<MetricsDocument> {
  const doc = await buildFixtureDoc();
  const [lora, infer] = doc.tasks;
  if (lora === undefined || infer === undefined) throw new Error('fixture has tasks');
  const gpu = (await summarizeNvidiaSmiLogs(['tests/fixtures/nvidia-smi/query-uuid-na.csv', 'tests/fixtures/nvidia-smi/query-mig.csv'])).gpu ?? undefined;
  lora.gpu = gpu;
  lora.gpu_series = gpu?.series ?? [];
  lora.gpu_processes = await summarizeComputeApps(['tests/fixtures/nvidia-smi/compute-apps.csv']);
  // process.json as run --local writes it; profile keeps the document whole (summary and series).
  lora.process = await writeProcessSamples(join(temp, 'process.json'), {
    rootPid: 10,
    timeMs: Float64Array.from([0, 500, 1000]),
    cpuPercent: Float64Array.from([10, 90, 50]),
    rssBytes: Float64Array.from([1e6, 3e6, 2e6]),
    processCount: Uint32Array.from([1, 2, 2]),
    pidsSeen: [10, 11],
    peakRssBytes: 3e6,
    stoppedBy: 'root-exited',
  });
  lora.checkpoints = {
    restarts: 1,
    events: [{ restart: 0, signal: 'USR1', at: '2026-11-24T06:30:00Z', waited_s: 12.5, action: 'requeued', reason_code: 'requeued' }],
    stop_reason: null,
    rejected_lines: 0,
  };
  lora.billing = { whole_node: true, node_gpus: 4, node_cpus: 48, shared_alternative: 'sequana_gpu_shared' };
  lora.environment = { pythonVersion: '3.11', CUDA_HOME: '/usr/local/cuda', pip_freeze: 'pip-freeze.txt' };
  if (lora.training) lora.training.diverged_at_step = 42;
  lora.missing.push({ section: 'accounting', reason: 'no sacct record for job 1', code: 'no-sacct-record', values: { job: '1' } });
  infer.params = { batchSize: 4, max_new_tokens: 128, 'Top-P': 0.9, __proto__x: true };
  doc.method.warmup_by_experiment = { lora: 0, infer_Fast: 3, inferSlow: 2 };
  doc.run.git = { commit: 'a'.repeat(40), dirty: false };
  const [source] = doc.sources;
  if (source) source.rejected = { count: 3, examples: [{ file: 'out/my_Log.jsonl', line: 3, reason: 'not JSON' }], byFile: { 'out/my_Log.jsonl': 2, camelCaseFile: 1 } };
  return doc;
}

/** The document as JSON keeps it (undefined fields dropped). */
function asJson(doc: MetricsDocument): unknown {
  return JSON.parse(JSON.stringify(doc));
}

/** Data maps: their keys are the user's and keep their case (found by name, as the contract lists them). */
const DATA_MAP_KEYS = new Set(['params', 'percentiles', 'metadata', 'environment', 'warmup_by_experiment', 'by_file']);

describe('metrics.json hpcbench.metrics/2', () => {
  it('writes every key in snake_case outside the data maps, and reads back the same in-memory document', async () => {
    const doc = await buildRichDoc();
    const text = serializeMetricsDocument(doc);
    const onDisk = JSON.parse(text) as Record<string, unknown>;
    expect(onDisk.schema).toBe(METRICS_SCHEMA_ID);
    expect(listCamelKeys(onDisk, DATA_MAP_KEYS)).toEqual([]);
    // The keys the in-memory document has in both cases, as the file spells them.
    expect(text).toContain('"memory_used_mib"');
    expect(text).toContain('"clocks_sm_mhz"');
    expect(text).toContain('"latency_p95_s"');
    expect(text).toContain('"diverged_at_step": 42');
    expect(text).not.toContain('"memoryUsedMiB"');
    // Data maps exactly as given.
    expect(text).toContain('"batchSize": 4');
    expect(text).toContain('"SLURM_JOB_ID": "7001234"');
    expect(text).toContain('"infer_Fast": 3');
    expect(text).toContain('"out/my_Log.jsonl": 2');
    expect(parseMetricsDocument(text, 'metrics.json')).toStrictEqual(asJson(doc));
  });

  it('reads a hpcbench.metrics/1 file as before, and reports it as it reports the same document written as /2', async () => {
    const v1Text = readFileSync(V1_FILE, 'utf8');
    // The committed file (the example run's metrics.json before /2) has keys in both cases, as every /1 document does.
    expect(v1Text).toContain('"memoryUsedMiB"');
    expect(v1Text).toContain('"latency_samples_s"');
    const fromV1 = readMetricsDocument(V1_FILE);
    // Read as it always was: every key as written, and the version of its file (reports quote it).
    expect(fromV1).toStrictEqual(JSON.parse(v1Text));
    expect(fromV1.schema).toBe(METRICS_SCHEMA_V1);
    const v2File = join(temp, 'metrics.json');
    writeFileSync(v2File, serializeMetricsDocument(fromV1));
    expect(readFileSync(v2File, 'utf8')).toContain('"memory_used_mib"');
    const fromV2 = readMetricsDocument(v2File);
    expect(fromV2).toStrictEqual({ ...fromV1, schema: METRICS_SCHEMA_ID });
    const render = (doc: MetricsDocument): Promise<Map<string, string>> =>
      renderReportFiles(doc, loadBundle(EXAMPLE_RUN_DIR), { formats: ['md', 'csv', 'json'], langs: ['en'], now: () => new Date('2026-11-24T07:00:00.000Z'), toolVersion: '0.0.0-test' });
    const [v1Report, v2Report] = await Promise.all([render(fromV1), render(fromV2)]);
    expect(v1Report.get('report.md')).toContain('(schema `hpcbench.metrics/1`)');
    expect(v1Report.get('report.md')).toMatch(/\| infer \| 0 \| batch_size=1, max_new_tokens=32 \| 373\.9 ms \|/);
    // Word for word, but for the version the Markdown quotes (the JSON report embeds the document as /2 either way).
    const quotingV1 = new Map([...v2Report].map(([name, text]) => [name, name === 'report.md' ? text.split(METRICS_SCHEMA_ID).join(METRICS_SCHEMA_V1) : text]));
    expect(v1Report).toEqual(quotingV1);
  });

  it('decoding an in-memory document changes nothing (library callers pass one to validateMetricsDocument)', async () => {
    const doc = asJson(await buildRichDoc());
    expect(decodeMetricsKeys(doc)).toStrictEqual(doc);
    expect(decodeMetricsKeys(encodeMetricsKeys(doc))).toStrictEqual(doc);
  });

  it('refuses a malformed /2 file naming the file and the field as the file spells it', async () => {
    const onDisk = JSON.parse(serializeMetricsDocument(await buildRichDoc())) as { tasks: Record<string, Record<string, unknown>>[] };
    const inference = onDisk.tasks[1]?.inference as Record<string, unknown>;
    inference.top_errors = 'many';
    expect(caught(() => parseMetricsDocument(JSON.stringify(onDisk), 'run/metrics.json')).message).toBe('run/metrics.json: tasks[1].inference.top_errors: expected a list, got the string "many"');
    inference.top_errors = [];
    (onDisk.tasks[0] as Record<string, unknown>).gpu_series = [{ gpu: '0', t: [0], utilization: [1], memory_used_mib: ['x'], power_w: [1] }];
    expect(caught(() => parseMetricsDocument(JSON.stringify(onDisk), 'run/metrics.json')).message).toBe('run/metrics.json: tasks[0].gpu_series[0].memory_used_mib[0]: expected a number, got the string "x"');
    expect(caught(() => parseMetricsDocument('{"schema": "hpcbench.metrics/3"}', 'm.json')).message).toMatch(/^m\.json: schema: expected "hpcbench\.metrics\/2" or "hpcbench\.metrics\/1"/);
    expect(caught(() => parseMetricsDocument('[]', 'm.json')).message).toBe('m.json: (the document): expected a JSON object, got a list of 0');
  });

  it('keeps any parameter name unchanged through the codec', async () => {
    const doc = await buildRichDoc();
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null))), (params) => {
        const task = doc.tasks[1];
        if (task === undefined) throw new Error('fixture has tasks');
        task.params = params;
        const back = parseMetricsDocument(serializeMetricsDocument(doc), 'metrics.json').tasks[1]?.params;
        expect(back).toStrictEqual(JSON.parse(JSON.stringify(params)));
        expect(Object.keys(back ?? {})).toEqual(Object.keys(JSON.parse(JSON.stringify(params)) as object));
      }),
      { numRuns: 200 },
    );
  });

  it('converts the keys hpcbench writes both ways, units included', () => {
    const gpu = { memoryUsedMiB: 1, clocksSmMHz: 2, energyJ: 3, busyThresholdPct: 4, utilization: { timeWeightedMean: 5, busyFraction: 6 } };
    const inference = { latencyP50S: 1, e2eMs: 2, ci: { latencyP50S: null } };
    const task = { job_id: '1', latency_samples_s: [], gpu, inference, gpu_processes: { gpus: [{ usedMiBSumOfPeaks: 7 }] }, training: { samplesPerSSource: 'logged', diverged_at_step: null } };
    const encoded = encodeMetricsKeys({ tasks: [task] });
    expect(encoded).toStrictEqual({
      tasks: [
        {
          job_id: '1',
          latency_samples_s: [],
          gpu: { memory_used_mib: 1, clocks_sm_mhz: 2, energy_j: 3, busy_threshold_pct: 4, utilization: { time_weighted_mean: 5, busy_fraction: 6 } },
          inference: { latency_p50_s: 1, e2e_ms: 2, ci: { latency_p50_s: null } },
          gpu_processes: { gpus: [{ used_mib_sum_of_peaks: 7 }] },
          training: { samples_per_s_source: 'logged', diverged_at_step: null },
        },
      ],
    });
    expect(decodeMetricsKeys(encoded)).toStrictEqual({ tasks: [task] });
    expect(convertKeyToSnake('latency_samples_s')).toBe('latency_samples_s');
  });
});
