/**
 * The inference part of profiling a task: its logs (inference files, and text logs through the
 * user's extractors) into task.inference and the chart samples.
 *
 * Logs of up to `analyticIntervalsAbove` records (ANALYTIC_INTERVALS_ABOVE, 50 000) are read into
 * columns and profiled in memory, with bootstrap intervals, as always. Above it, when every log can
 * be read again (JSONL, text logs), the logs are profiled in passes over the files instead
 * (streaming-metrics.ts) and memory does not grow with the number of records; the figures are
 * the ones the in-memory profile gives. To know which case it is, the logs are first read with
 * that many records at most: a small log is read once, a large one costs one such partial read.
 * A vLLM result or a tool's summary is one JSON document, read whole: a task with one is profiled
 * in memory whatever its size.
 */
import { basename } from 'node:path';
import { InputError } from '../../errors.js';
import { addProfileWarning } from '../../report/i18n/profile-warnings.js';
import { DEFAULT_BOOTSTRAP_SEED } from '../../stats/index.js';
import { RejectedLines, type ReadProgress } from '../lines.js';
import { missingSection, type SourceFile, type TaskMetrics } from '../metrics-document.js';
import type { TaskFiles } from '../run-layout.js';
import { keepSamples } from './chart-samples.js';
import { ANALYTIC_INTERVALS_ABOVE } from './intervals.js';
import { detectInferenceFormat, readInferenceLog, readTextLogIfMatched, type InferenceLog, type InferenceLogFormat } from './log.js';
import { computeInferenceMetrics, excludeInferenceWarmup, type InferenceMetrics, type InferenceSlo } from './metrics.js';
import { concatenateRecordTables, type InferenceRecordSource } from './record-table.js';
import { compileExtractors, selectExtractorsForFile, type CompiledExtractor, type RegexExtractorSpec } from './regex-extractor.js';
import { computeStreamedInferenceMetrics, type StreamedInference, type StreamedLogSource } from './streaming-metrics.js';
import { computeSummaryMetrics, type BenchmarkSummary } from './vllm-summary.js';
import type { PercentileMethod } from '../../stats/percentile.js';

/** The profile options the inference part reads (ProfileOptions in profile-run.ts). */
export interface InferenceProfileOptions {
  warmup?: number;
  slo?: InferenceSlo;
  percentileMethod?: PercentileMethod;
  extractors?: readonly RegexExtractorSpec[];
  bootstrapIterations?: number;
  seed?: number;
  onProgress?: (file: string, progress: ReadProgress) => void;
  /** Records after warm-up above which intervals are analytic and re-readable logs are streamed (default 50 000; tests set less). */
  analyticIntervalsAbove?: number;
  /** Latency values a streamed profile holds at once for exact selection, per distribution (default 65 536). */
  selectionBufferLimit?: number;
}

type RecordSourceFile = (file: string, kind: SourceFile['kind'], rejected?: RejectedLines) => void;

/** One log of the task, as listTaskLogs finds it. */
interface TaskLog {
  file: string;
  format: InferenceLogFormat | undefined;
  extractors: readonly CompiledExtractor[];
  /** A text log found among the task's files, left out when no line matches. */
  optional: boolean;
}

interface ReadLogs {
  /** Inference files, then text logs in which a line matched. */
  logs: { file: string; log: InferenceLog }[];
  /** A log held more records than the limit: the logs read are partial. */
  overLimit: boolean;
}

/** The records a log holds in columns (without making a view per record), or its plain records. */
function countRecords(log: InferenceLog): number {
  return log.table?.length ?? log.records.length;
}

/**
 * The task's inference logs with the extractors each is read with, compiled once: the inference
 * files (each with every extractor, for text logs among them), then the text logs (job.out and the
 * task's unrecognised *.log files) that an extractor is for (its `file`, when given, says which);
 * a text log is `optional`: left out when no line matches.
 */
function listTaskLogs(spec: TaskFiles, options: InferenceProfileOptions, formats: readonly InferenceLogFormat[], path: string): TaskLog[] {
  const specs = options.extractors ?? [];
  // The text logs' extractors first: a regex the config gets wrong is reported as it always was.
  const texts: TaskLog[] = [];
  for (const file of specs.length === 0 ? [] : (spec.textLogs ?? [])) {
    const forFile = selectExtractorsForFile(specs, basename(file));
    if (forFile.length > 0) texts.push({ file, format: 'text', extractors: compileExtractors(forFile, path), optional: true });
  }
  const inferenceFiles = spec.files.filter((f) => f.kind === 'inference');
  const all = inferenceFiles.length > 0 ? compileExtractors(specs, path) : [];
  return [...inferenceFiles.map((f, i): TaskLog => ({ file: f.file, format: formats[i], extractors: all, optional: false })), ...texts];
}

/**
 * The task's logs in memory (the inference files, then the text logs in which a line matched);
 * with a `limit`, reading stops once the logs hold more records than it (`overLimit`). Text logs
 * are read first, as before the streamed profile existed, so rejected lines keep their order.
 */
async function readLogs(taskLogs: readonly TaskLog[], options: InferenceProfileOptions, rejected: RejectedLines, limit: number | undefined): Promise<ReadLogs> {
  let left = limit;
  const inference: { file: string; log: InferenceLog }[] = [];
  const texts: { file: string; log: InferenceLog }[] = [];
  for (const t of [...taskLogs.filter((l) => l.optional), ...taskLogs.filter((l) => !l.optional)]) {
    const onProgress = (p: ReadProgress): void => options.onProgress?.(t.file, p);
    const log = t.optional
      ? await readTextLogIfMatched(t.file, { extractors: t.extractors, rejected, onProgress, recordLimit: left })
      : await readInferenceLog(t.file, { extractors: t.extractors, rejected, format: t.format, onProgress, recordLimit: left });
    if (log === undefined) continue;
    (t.optional ? texts : inference).push({ file: t.file, log });
    if (left !== undefined) left -= countRecords(log);
    if (log.stoppedAtLimit === true) return { logs: [], overLimit: true };
  }
  return { logs: [...inference, ...texts], overLimit: false };
}

/** The same logs as sources a streamed profile reads again; undefined when one cannot be (a JSON document). */
function streamedSources(taskLogs: readonly TaskLog[]): StreamedLogSource[] | undefined {
  const sources: StreamedLogSource[] = [];
  for (const { file, format, extractors, optional } of taskLogs) {
    if (format !== 'jsonl' && format !== 'text') return undefined;
    sources.push(optional ? { file, format, extractors, optional } : { file, format, extractors });
  }
  return sources;
}

/** Profiles the task's inference logs into `task` (inference, samples, params, or a missing section). */
export async function profileTaskInference(spec: TaskFiles, options: InferenceProfileOptions, task: TaskMetrics, record: RecordSourceFile, where: string): Promise<void> {
  const path = `experiments.${spec.experiment}.profiling.extractors`;
  const hasExtractors = (options.extractors ?? []).length > 0;
  const formats: InferenceLogFormat[] = [];
  for (const f of spec.files) if (f.kind === 'inference') formats.push(await detectInferenceFormat(f.file, hasExtractors));
  const analyticAbove = options.analyticIntervalsAbove ?? ANALYTIC_INTERVALS_ABOVE;
  const taskLogs = listTaskLogs(spec, options, formats, path);
  const sources = streamedSources(taskLogs);
  const rejected = new RejectedLines();
  const first = new RejectedLines();
  const read = await readLogs(taskLogs, options, first, sources === undefined ? undefined : analyticAbove);
  if (!read.overLimit) {
    rejected.merge(first);
    if (read.logs.length === 0) task.missing.push(missingSection('inference', 'no-inference-log', { where }));
    else applyInMemory(read.logs, options, task, record, rejected);
    return;
  }
  // More records than the threshold, in logs that can be read again: stream them.
  const streamed = await computeStreamedInferenceMetrics(sources ?? [], {
    warmupRecords: options.warmup ?? 0,
    slo: options.slo,
    gpuEnergyJ: task.gpu?.overall.energyJ ?? undefined,
    percentileMethod: options.percentileMethod,
    bootstrap: { seed: options.seed ?? DEFAULT_BOOTSTRAP_SEED },
    analyticIntervalsAbove: analyticAbove,
    selectionBufferLimit: options.selectionBufferLimit,
    rejected,
    onProgress: options.onProgress,
  });
  if (streamed !== undefined) {
    applyStreamed(streamed, options, task, record, rejected);
    return;
  }
  // Warm-up left no more than the threshold: bootstrap intervals, in memory. The first pass already counted the rejected lines.
  const again = await readLogs(taskLogs, options, new RejectedLines(), undefined);
  applyInMemory(again.logs, options, task, record, rejected);
}

function applyInMemory(logs: readonly { file: string; log: InferenceLog }[], options: InferenceProfileOptions, task: TaskMetrics, record: RecordSourceFile, rejected: RejectedLines): void {
  const sources: InferenceRecordSource[] = [];
  let reportedDurationS: number | undefined;
  const summaries: { file: string; summary: BenchmarkSummary }[] = [];
  let backend: string | undefined;
  for (const { file, log } of logs) {
    // Reports mark figures from a stand-in backend (infer.py's n-gram model), so the header's word is kept.
    backend ??= log.header?.backend;
    // By row (a JSONL or text log's columns), not one view object per record kept for the whole profile.
    const source = log.table ?? log.records;
    sources.push(source);
    reportedDurationS ??= log.reported?.durationS;
    if (source.length === 0 && log.summary !== undefined) summaries.push({ file, summary: log.summary });
    Object.assign(task.params, log.params);
    record(file, log.format === 'vllm' ? 'vllm' : 'inference', rejected);
  }
  const records = concatenateRecordTables(sources);
  const used = bootstrapIterationsFor(records.length, options.bootstrapIterations);
  task.inference = summaryOnlyMetrics(summaries, records.length, task.params, options) ?? computeInferenceMetrics(records, {
    warmupRecords: options.warmup ?? 0,
    slo: options.slo,
    gpuEnergyJ: task.gpu?.overall.energyJ ?? undefined,
    reportedDurationS,
    percentileMethod: options.percentileMethod,
    bootstrap: { iterations: used, seed: options.seed ?? DEFAULT_BOOTSTRAP_SEED },
    analyticIntervalsAbove: options.analyticIntervalsAbove,
  });
  if (backend !== undefined) task.inference.backend = backend;
  warnIfBootstrapReduced(task.inference, used, records.length, options);
  // One pass over the completed records, into typed arrays sized once by the kept rows: a
  // million samples each, off the JS heap and without the copies that growing a number[] leaves.
  const kept = excludeInferenceWarmup(records, options.warmup ?? 0);
  const latencySamples = new Float64Array(kept.length);
  const throughputSamples = new Float64Array(kept.length);
  let latencyCount = 0;
  let throughputCount = 0;
  for (const r of kept) {
    if (r.error !== null) continue;
    const latency = r.latencyS;
    latencySamples[latencyCount++] = latency;
    const outputTokens = r.outputTokens;
    if (outputTokens !== undefined && latency > 0) throughputSamples[throughputCount++] = outputTokens / latency;
  }
  const latencies = keepSamples(latencySamples.subarray(0, latencyCount));
  task.latency_samples_s = latencies.values;
  task.latency_samples_strided = latencies.strided;
  task.throughput_samples = keepSamples(throughputSamples.subarray(0, throughputCount)).values;
}

function applyStreamed(streamed: StreamedInference, options: InferenceProfileOptions, task: TaskMetrics, record: RecordSourceFile, rejected: RejectedLines): void {
  Object.assign(task.params, streamed.params);
  for (const file of streamed.files) record(file, 'inference', rejected);
  task.inference = streamed.metrics;
  if (streamed.backend !== undefined) task.inference.backend = streamed.backend;
  warnIfBootstrapReduced(task.inference, bootstrapIterationsFor(streamed.totalRecords, options.bootstrapIterations), streamed.totalRecords, options);
  task.latency_samples_s = streamed.latencySamples;
  task.latency_samples_strided = streamed.latencySamplesStrided;
  task.throughput_samples = streamed.throughputSamples;
}

/** Large logs get intervals without resampling (inference/intervals.ts), which say their method. */
function warnIfBootstrapReduced(inference: InferenceMetrics, used: number, records: number, options: InferenceProfileOptions): void {
  const { ci } = inference;
  const resampled = [ci.latencyP50S, ci.latencyP95S, ci.requestThroughput, ci.outputTokensPerS].every((interval) => interval?.method === undefined);
  if (used < 2000 && options.bootstrapIterations === undefined && resampled) {
    const sink = { warnings: (inference.warnings ??= []), warningCodes: (inference.warningCodes ??= []) };
    addProfileWarning(sink, 'bootstrap-iterations-reduced', { used, default: 2000, records });
  }
}

/**
 * 2000 resamples up to 20 000 records, fewer above (at least 200): each resample draws every record,
 * so 2000 of a million records took minutes. An explicit setting is always used as given.
 */
function bootstrapIterationsFor(records: number, asked: number | undefined): number {
  if (asked !== undefined) return asked;
  return records <= 20_000 ? 2000 : Math.max(200, Math.round(4e7 / records));
}

/** The tool's own figures when the task's only inference log is a summary-only result (see vllm-summary.ts). */
function summaryOnlyMetrics(summaries: { file: string; summary: BenchmarkSummary }[], records: number, params: TaskMetrics['params'], options: InferenceProfileOptions): InferenceMetrics | undefined {
  const first = summaries[0];
  if (first === undefined) return undefined;
  if (summaries.length > 1 || records > 0) {
    throw new InputError(`a summary-only benchmark result (no per-request records) next to ${summaries.length > 1 ? 'another one' : 'per-request logs'} in one task: their figures cannot be combined`, {
      file: first.file,
      hint: 'profile it alone, or re-run the benchmark with --save-result --save-detailed',
    });
  }
  return computeSummaryMetrics(first.summary, { ...params }, { warmupRecords: options.warmup });
}
