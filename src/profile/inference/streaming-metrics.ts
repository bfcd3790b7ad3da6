/**
 * computeInferenceMetrics for logs too large to hold, in memory that does not grow with the
 * number of records: the logs (JSONL, or text logs through extractors) are read several times
 * with the same line parsers, and nothing per record is kept.
 * - Pass 1: the tally (tally.ts: counts, windows, goodput, errors, params, the throughput
 *   intervals' sums), and per distribution (latency, TTFT, TPOT, ITL) its count, compensated sum
 *   and a histogram of the values' bit patterns (stats/streaming-summary.ts).
 * - Pass 2: Σ(x − mean)², the throughput intervals' Σ(a − r·b)², the chart samples (the same
 *   strided rows as the in-memory profile keeps, now that the count is known), and the first
 *   narrowing of each wanted order statistic.
 * - Further passes, only while an order statistic is not pinned down yet: its bucket is narrowed
 *   until it holds at most `selectionBufferLimit` values, which are then collected and sorted.
 * The figures equal the in-memory ones: the same order statistics (percentiles and interval ends
 * bit for bit), the same sums in the same order (totals, durations, throughput intervals); means
 * and standard deviations are compensated sums in log order rather than sorted order (~1e-15).
 * A file that changes between passes (size or modification time) is refused, never half-counted.
 */
import { stat } from 'node:fs/promises';
import { InputError } from '../../errors.js';
import { locateOrderStatisticInterval } from '../../stats/order-statistic-interval.js';
import { finishRatioInterval } from '../../stats/ratio-interval.js';
import { percentileRanks, StreamingSummary } from '../../stats/streaming-summary.js';
import { RejectedLines, type ReadProgress } from '../lines.js';
import { MAX_KEPT_SAMPLES } from '../metrics-document.js';
import { StridedSampler } from './chart-samples.js';
import { ANALYTIC_INTERVALS_ABOVE, checkConfidence, type InferenceInterval, type InferenceIntervals } from './intervals.js';
import { noRecordsError, scanJsonlRecords, scanTextRecords, type RecordScan } from './log.js';
import { assembleInferenceMetrics, type InferenceMetrics, type InferenceMetricsOptions } from './metrics.js';
import type { CompiledExtractor } from './regex-extractor.js';
import type { InferenceParams, InferenceRecord } from './schema.js';
import { computeTpot, InferenceTally, runKeys } from './tally.js';

/** A log that can be read again: JSONL, or a text log with its extractors. */
export interface StreamedLogSource {
  file: string;
  format: 'jsonl' | 'text';
  extractors?: readonly CompiledExtractor[];
  /** A text log found among a task's files: left out (as readTextLogIfMatched does) when no line matches. */
  optional?: boolean;
}

export interface StreamedInferenceOptions extends InferenceMetricsOptions {
  /** The most latency values held for selection at once, per distribution (default 65 536). */
  selectionBufferLimit?: number;
  /** How many latency and throughput samples are kept for charts (default MAX_KEPT_SAMPLES). */
  maxKeptSamples?: number;
  /** Lines rejected in the first pass are added here (later passes reject the same lines again, silently). */
  rejected?: RejectedLines;
  onProgress?: (file: string, progress: ReadProgress) => void;
}

export interface StreamedInference {
  metrics: InferenceMetrics;
  /** Records read, warm-up included. */
  totalRecords: number;
  /** The logs that held records, in the order read (a text log where nothing matched is left out). */
  files: string[];
  /** The first header's backend, and the headers' params merged in file order. */
  backend?: string;
  params: InferenceParams;
  latencySamples: number[];
  latencySamplesStrided: boolean;
  throughputSamples: number[];
  /** Times the logs were read. */
  passes: number;
  /** The most values held for selection at once by any distribution. */
  peakBuffered: number;
}

/** Whether a record is used: warm-up exclusion per run, as excludeInferenceWarmup does it. */
function createWarmupFilter(warmupRecords: number): (record: InferenceRecord) => boolean {
  const count = Math.max(0, Math.floor(warmupRecords));
  const seen = new Map<string, number>();
  const keyOf = runKeys();
  return (record) => {
    const key = keyOf(record);
    const k = (seen.get(key) ?? 0) + 1;
    seen.set(key, k);
    return k > count && !record.warmup;
  };
}

interface FileState {
  source: StreamedLogSource;
  size: number;
  mtimeMs: number;
  records: number;
}

async function statFile(file: string): Promise<{ size: number; mtimeMs: number }> {
  try {
    const s = await stat(file);
    return { size: s.size, mtimeMs: s.mtimeMs };
  } catch (error) {
    throw new InputError('the file disappeared while it was being profiled (a large log is read several times)', { file, hint: 'profile it again once nothing moves or rewrites it', cause: error });
  }
}

function changedError(file: string, what: string): InputError {
  return new InputError(`the file changed while it was being profiled (a large log is read several times): ${what}`, {
    file,
    hint: 'profile it again once the job has stopped writing it (or profile a copy)',
  });
}

async function checkUnchanged(state: FileState): Promise<void> {
  const now = await statFile(state.source.file);
  if (now.size !== state.size || now.mtimeMs !== state.mtimeMs) {
    throw changedError(state.source.file, `${state.size} bytes modified at ${new Date(state.mtimeMs).toISOString()}, now ${now.size} bytes modified at ${new Date(now.mtimeMs).toISOString()}`);
  }
}

function scanSource(source: StreamedLogSource, onRecord: (record: InferenceRecord) => boolean, rejected: RejectedLines, options: StreamedInferenceOptions): Promise<RecordScan> {
  const onProgress = options.onProgress === undefined ? undefined : (p: ReadProgress): void => options.onProgress?.(source.file, p);
  return source.format === 'jsonl'
    ? scanJsonlRecords(source.file, onRecord, rejected, { onProgress })
    : scanTextRecords(source.file, source.extractors ?? [], onRecord, rejected, { onProgress });
}

type Distributions = Record<'latencyS' | 'ttftS' | 'tpotS' | 'itlS', StreamingSummary>;

/** Adds a completed record's values to the distributions that still read this pass. */
function addToDistributions(r: InferenceRecord, d: Distributions, reading: ReadonlySet<StreamingSummary>): void {
  if (reading.has(d.latencyS)) d.latencyS.add(r.latencyS);
  const ttft = r.ttftS;
  if (ttft !== undefined && reading.has(d.ttftS)) d.ttftS.add(ttft);
  if (reading.has(d.tpotS)) {
    const tpot = computeTpot(r);
    if (tpot !== undefined) d.tpotS.add(tpot);
  }
  const itls = r.itlsS;
  if (itls !== undefined && reading.has(d.itlS)) for (const itl of itls) d.itlS.add(itl);
}

function orderStatisticInterval(summary: StreamingSummary, p: number, confidence: number): InferenceInterval | null {
  const n = summary.n;
  if (n === 0) return null;
  const { lowerRank, upperRank, coverage } = locateOrderStatisticInterval(n, p, confidence);
  const estimate = summary.percentile(p, 'linear');
  return { estimate, low: summary.orderStatistic(lowerRank - 1), high: summary.orderStatistic(upperRank - 1), confidence, iterations: 0, method: 'order-statistic', ranks: [lowerRank, upperRank], coverage };
}

function throughputInterval(n: number, sumA: number, sumB: number, squares: number, durationS: number, confidence: number): InferenceInterval | null {
  if (n < 2 || !(sumB > 0)) return null;
  const interval = finishRatioInterval(n, sumA, sumB, squares, confidence);
  const scale = sumB / durationS;
  return { estimate: interval.estimate * scale, low: interval.low * scale, high: interval.high * scale, confidence, iterations: 0, method: 'normal' };
}

/**
 * The metrics of the logs, read pass after pass (see the module comment); undefined when, after
 * warm-up, they hold no more than the analytic-interval threshold: those records are few enough
 * to profile in memory, with bootstrap intervals, which the caller does instead.
 */
export async function computeStreamedInferenceMetrics(sources: readonly StreamedLogSource[], options: StreamedInferenceOptions = {}): Promise<StreamedInference | undefined> {
  const confidence = options.bootstrap === false ? 0.95 : checkConfidence(options.bootstrap?.confidence);
  const rejected = options.rejected ?? new RejectedLines();
  const method = options.percentileMethod ?? 'linear';
  const summaryOptions = { method, bufferLimit: options.selectionBufferLimit };
  const d: Distributions = {
    latencyS: new StreamingSummary(summaryOptions),
    ttftS: new StreamingSummary(summaryOptions),
    tpotS: new StreamingSummary(summaryOptions),
    itlS: new StreamingSummary(summaryOptions),
  };
  const tally = new InferenceTally(options.slo);
  const files: FileState[] = [];
  const params: InferenceParams = {};
  let backend: string | undefined;
  let totalRecords = 0;
  let throughputCount = 0;
  const all = new Set(Object.values(d));

  // Pass 1.
  let used = createWarmupFilter(options.warmupRecords ?? 0);
  for (const source of sources) {
    const before = await statFile(source.file);
    const rejectedBefore = rejected.countIn(source.file);
    const scan = await scanSource(
      source,
      (r) => {
        totalRecords++;
        if (!used(r)) return true;
        tally.add(r);
        if (r.error !== null) return true;
        addToDistributions(r, d, all);
        if (r.outputTokens !== undefined && r.latencyS > 0) throughputCount++;
        return true;
      },
      rejected,
      options,
    );
    if (scan.records === 0) {
      if (source.optional === true && rejected.countIn(source.file) === rejectedBefore) continue;
      throw noRecordsError(source.file, rejected, source.format === 'jsonl' ? 'inference records' : 'line matching the regex extractors');
    }
    files.push({ source, ...before, records: scan.records });
    backend ??= scan.header?.backend;
    Object.assign(params, scan.params);
  }
  for (const summary of all) summary.endPass();
  const analyticAbove = options.analyticIntervalsAbove ?? ANALYTIC_INTERVALS_ABOVE;
  if (tally.records <= analyticAbove) return undefined;

  const latency = d.latencyS;
  if (latency.n > 0) {
    for (const p of [50, 95]) {
      const { lowerRank, upperRank } = locateOrderStatisticInterval(latency.n, p, confidence);
      latency.selectRanks([lowerRank - 1, upperRank - 1, ...percentileRanks(latency.n, p, 'linear')]);
    }
  }
  const requestRatio = tally.requestAmountSum / tally.latencySum;
  const outputRatio = tally.outputAmountSum / tally.latencySum;
  let requestSquares = 0;
  let outputSquares = 0;
  const maxSamples = options.maxKeptSamples ?? MAX_KEPT_SAMPLES;
  const latencySamples = new StridedSampler(tally.completedCount, maxSamples);
  const throughputSamples = new StridedSampler(throughputCount, maxSamples);

  // Pass 2 (the interval and sample sums), then passes while an order statistic is still open.
  let passes = 1;
  for (let pass = 2; pass === 2 || [...all].some((s) => s.needsPass); pass++) {
    const reading = new Set([...all].filter((s) => s.needsPass));
    const quiet = new RejectedLines(0);
    used = createWarmupFilter(options.warmupRecords ?? 0);
    for (const state of files) {
      await checkUnchanged(state);
      const scan = await scanSource(
        state.source,
        (r) => {
          if (!used(r)) return true;
          if (pass === 2) {
            const b = r.latencyS;
            const completed = r.error === null;
            const request = (completed ? r.batchSize : 0) - requestRatio * b;
            const output = (completed ? (r.outputTokens ?? 0) : 0) - outputRatio * b;
            requestSquares += request * request;
            outputSquares += output * output;
            if (completed) {
              latencySamples.add(b);
              if (r.outputTokens !== undefined && b > 0) throughputSamples.add(r.outputTokens / b);
            }
          }
          if (r.error === null) addToDistributions(r, d, reading);
          return true;
        },
        quiet,
        options,
      );
      if (scan.records !== state.records) throw changedError(state.source.file, `${state.records} records in the first pass, ${scan.records} now`);
    }
    for (const summary of reading) summary.endPass();
    passes = pass;
  }
  for (const state of files) await checkUnchanged(state);

  const distributions = { latencyS: d.latencyS.result(), ttftS: d.ttftS.result(), tpotS: d.tpotS.result(), itlS: d.itlS.result() };
  const metrics = assembleInferenceMetrics(tally, distributions, totalRecords - tally.records, options);
  if (options.bootstrap !== false) {
    const ci: InferenceIntervals = {
      latencyP50S: orderStatisticInterval(latency, 50, confidence),
      latencyP95S: orderStatisticInterval(latency, 95, confidence),
      requestThroughput: null,
      outputTokensPerS: null,
    };
    const durationS = metrics.durationS;
    if (durationS !== null && durationS > 0 && tally.anyPositiveLatency) {
      ci.requestThroughput = throughputInterval(tally.records, tally.requestAmountSum, tally.latencySum, requestSquares, durationS, confidence);
      ci.outputTokensPerS = throughputInterval(tally.records, tally.outputAmountSum, tally.latencySum, outputSquares, durationS, confidence);
    }
    metrics.ci = ci;
  }
  const result: StreamedInference = {
    metrics,
    totalRecords,
    files: files.map((f) => f.source.file),
    params,
    latencySamples: latencySamples.values,
    latencySamplesStrided: latencySamples.strided,
    throughputSamples: throughputSamples.values,
    passes,
    peakBuffered: Math.max(...[...all].map((s) => s.peakBuffered)),
  };
  if (backend !== undefined) result.backend = backend;
  return result;
}
