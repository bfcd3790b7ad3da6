/**
 * MetricsDocuments for report tests, built by the real parsers and metric functions from the
 * fixture logs under tests/fixtures/ (nvidia-smi, inference, training) plus one accounting record.
 */
import { computeAccountingMetrics } from '../../../src/profile/accounting/accounting.js';
import { computeInferenceMetrics } from '../../../src/profile/inference/metrics.js';
import { readInferenceLog } from '../../../src/profile/inference/log.js';
import { createTaskMetrics, METRICS_SCHEMA, type MetricsDocument, type TaskMetrics } from '../../../src/profile/metrics-document.js';
import { summarizeNvidiaSmiLogs } from '../../../src/profile/gpu/nvidia-smi.js';
import { computeTrainingMetrics } from '../../../src/profile/training/metrics.js';
import { readTrainingLog } from '../../../src/profile/training/log.js';
import { summarize } from '../../../src/stats/index.js';
import { createRng } from '../../../src/stats/random.js';

export function emptyTask(experiment: string, task: string): TaskMetrics {
  return createTaskMetrics(experiment, task);
}

export function emptyDoc(runId: string, experiments: string[], tasks: TaskMetrics[] = []): MetricsDocument {
  return {
    schema: METRICS_SCHEMA,
    generated_at: '2026-11-24T07:00:00.000Z',
    tool: { name: 'hpcbench', version: '0.1.0' },
    run: { run_id: runId, experiments, cluster: 'sdumont', partition: 'sequana_gpu', root: runId },
    method: { percentile_method: 'linear', warmup_records: 0, bootstrap: { iterations: 200, confidence: 0.95, seed: 7 }, std: 'sample (ddof=1)' },
    sources: [],
    tasks,
    sweep: [],
    warnings: [],
  };
}

async function inferenceTask(file: string, task: string): Promise<TaskMetrics> {
  const log = await readInferenceLog(file);
  const t = emptyTask('infer', task);
  t.params = { ...log.params };
  t.inference = computeInferenceMetrics(log.records, { bootstrap: { iterations: 200, seed: 7 }, slo: { e2eMs: 2500 } });
  const completed = log.records.filter((r) => r.error === null && !r.warmup);
  t.latency_samples_s = completed.map((r) => r.latencyS);
  t.throughput_samples = completed.filter((r) => r.outputTokens !== undefined && r.latencyS > 0).map((r) => (r.outputTokens as number) / r.latencyS);
  t.missing.push({ section: 'training', reason: 'no training log in out/infer/' + task });
  return t;
}

/** Two sweep points with GPU logs, and a LoRA task with training and accounting. */
export async function buildFixtureDoc(): Promise<MetricsDocument> {
  const gpu = (await summarizeNvidiaSmiLogs(['tests/fixtures/nvidia-smi/query-units.csv'])).gpu ?? undefined;
  const a = await inferenceTask('tests/fixtures/inference/sweep/batch-1.jsonl', '0');
  const b = await inferenceTask('tests/fixtures/inference/sweep/batch-4.jsonl', '1');
  a.gpu = gpu;
  a.gpu_series = gpu?.series ?? [];
  b.missing.push({ section: 'gpu', reason: 'no nvidia-smi log in out/infer/1' });
  const lora = emptyTask('lora', 'main');
  lora.job_id = '7001234';
  lora.training = computeTrainingMetrics((await readTrainingLog('tests/fixtures/training/train.jsonl')).records);
  lora.accounting = computeAccountingMetrics(
    {
      jobId: '7001234',
      state: 'COMPLETED',
      exitCode: '0:0',
      submit: new Date('2026-11-24T06:00:00Z'),
      start: new Date('2026-11-24T06:02:00Z'),
      elapsedSeconds: 3600,
      totalCpuSeconds: 3600 * 2,
      ncpus: 12,
      maxRssMiB: 30_000,
      reqMemMiB: 32_768,
      gpus: 1,
      nodes: 1,
      partition: 'sequana_gpu',
    },
    { rates: { suPerGpuHour: 1.5, currencyPerSu: 0.8, currency: 'BRL' } },
  );
  lora.metadata = { hostname: 'sdumont8012', cuda_version: '12.2', git_commit: 'abc1234', modules: ['python/3.10'], slurm: { SLURM_JOB_ID: '7001234' } };
  lora.missing.push({ section: 'gpu', reason: 'no nvidia-smi log in out/lora/main' }, { section: 'inference', reason: 'no inference log in out/lora/main' });
  const doc = emptyDoc('20261124-061500-lora-f1x7', ['lora', 'infer'], [lora, a, b]);
  doc.sweep = [a, b].map((t) => ({
    experiment: t.experiment,
    task: t.task,
    params: t.params,
    requests: t.inference?.requests ?? 0,
    output_tokens_per_s: t.inference?.outputTokensPerS ?? null,
    request_throughput: t.inference?.requestThroughput ?? null,
    latency_p50_s: t.inference?.latencyS.p50 ?? null,
    latency_p95_s: t.inference?.latencyS.p95 ?? null,
    ttft_p95_s: t.inference?.ttftS.p95 ?? null,
    gpu_utilization_mean: t.gpu?.overall.utilization?.timeWeightedMean ?? t.gpu?.overall.utilization?.mean ?? null,
    energy_j: t.gpu?.overall.energyJ ?? null,
  }));
  doc.sources = [{ file: 'out/infer/0/inference.jsonl', kind: 'inference', task: 'infer/0', rejected: { count: 2, examples: [], byFile: {} } }];
  doc.warnings = ['2 log line(s) were rejected; see sources[].rejected'];
  return doc;
}

/** One inference task with 400 seeded latencies around 0.2 s × scale (for compare tests). */
export function inferenceRun(runId: string, experiment: string, scale: number, seed: number): MetricsDocument {
  const random = createRng(seed);
  const latencies = Array.from({ length: 400 }, () => (0.2 + random() * 0.05) * scale);
  const task: TaskMetrics = emptyTask(experiment, 'main');
  task.latency_samples_s = latencies;
  task.throughput_samples = latencies.map((l) => 32 / l);
  const summary = summarize(latencies);
  task.inference = {
    records: 400, warmupRecordsExcluded: 0, requests: 400, completedRequests: 400, failedRequests: 0, errorRate: 0, topErrors: [],
    durationS: 100 * scale, durationSource: 'timestamps', totalInputTokens: 0, totalOutputTokens: 12800,
    requestThroughput: 4 / scale, outputTokensPerS: 128 / scale, totalTokensPerS: 128 / scale,
    latencyS: summary, ttftS: summarize([]), tpotS: summarize([]), itlS: summarize([]),
    ci: { latencyP50S: null, latencyP95S: null, requestThroughput: null, outputTokensPerS: null }, params: {},
  };
  return emptyDoc(runId, [experiment], [task]);
}
