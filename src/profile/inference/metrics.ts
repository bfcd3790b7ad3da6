/**
 * Inference metrics with vLLM's definitions (benchmarks/serve.py):
 * - E2E latency per request; TTFT; TPOT = (latency − ttft) / (output_tokens − 1), only when a
 *   request produced more than one token; ITL = every gap between consecutive output tokens.
 * - duration = max(end) − min(start) over the records left after warm-up exclusion, per file
 *   (files of one sweep point are separate runs, so their windows add up).
 * - request throughput = completed requests / duration; output and total tokens / duration.
 * - goodput = completed requests meeting every SLO / duration (vLLM counts TPOT as 0 for
 *   requests of one token).
 * A batch record (batch_size B) stands for B requests: it counts B times in request totals;
 * its per-sequence output is output_tokens / B; latency statistics are taken per record.
 */
import { addProfileWarning, type ProfileWarning, type WarningSink } from '../../report/i18n/profile-warnings.js';
import { summarize, type PercentileMethod, type Summary } from '../../stats/index.js';
import { InferenceRecordRows, toRecordTable, type InferenceRecordSource } from './record-table.js';
import { computeInferenceIntervals, type InferenceIntervals } from './intervals.js';
import type { InferenceParams } from './schema.js';
import { computeTpot, InferenceTally, runKeys, type InferenceSlo } from './tally.js';

export type { InferenceSlo } from './tally.js';

export interface InferenceMetricsOptions {
  /** Drop the first N records of each file, besides those flagged `warmup`. */
  warmupRecords?: number;
  slo?: InferenceSlo;
  /** GPU energy over the same window, joules (from the GPU profiler). */
  gpuEnergyJ?: number;
  /** A duration measured by the benchmark itself (vLLM's), used when records have no timestamps. */
  reportedDurationS?: number;
  /**
   * false turns the intervals off. Up to ANALYTIC_INTERVALS_ABOVE (50 000) records after warm-up
   * they are bootstrapped, default 1000 iterations, the count in each interval; above, they are
   * analytic (intervals.ts) and only `confidence` applies.
   */
  bootstrap?: false | { iterations?: number; confidence?: number; seed?: number };
  percentileMethod?: PercentileMethod;
  /**
   * Above this many records after warm-up the intervals are analytic (default
   * ANALYTIC_INTERVALS_ABOVE); a lower value lets tests reach that path with small logs.
   */
  analyticIntervalsAbove?: number;
}

export interface InferenceGoodput {
  slo: InferenceSlo;
  goodRequests: number;
  /** Requests that could not be judged because a metric an SLO needs is missing. */
  unjudgedRequests: number;
  requestsPerS: number | null;
  /** Good / completed requests. */
  fraction: number | null;
}

export interface InferenceEnergy {
  gpuEnergyJ: number;
  outputTokensPerJoule: number;
  totalTokensPerJoule: number;
  joulesPerOutputToken: number | null;
}

/**
 * A latency statistic as a benchmark reported it, not recomputed: only the figures its file holds
 * (vLLM writes mean, median, std and the pNN it was asked for, never min or max; genai-perf and
 * llmperf write more). `n` is the number
 * of completed requests the benchmark took its statistics over.
 */
export interface ReportedSummary {
  source: 'vllm-summary' | 'genai-perf-summary' | 'llmperf-summary';
  /** Requests the tool's figures cover; null when its file does not say. */
  n: number | null;
  mean: number | null;
  std: number | null;
  min: number | null;
  max: number | null;
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  percentiles?: Record<string, number>;
}

/** Computed from the records, or (for a summary-only result file) as the benchmark reported it. */
export type LatencySummary = Summary | ReportedSummary;

export interface InferenceMetrics {
  /**
   * `records`: every figure is computed from per-request records; `vllm-summary`: the file held
   * only vLLM's summary, and the figures are vLLM's own (latencies converted from ms to s).
   */
  source?: 'records' | ReportedSummary['source'];
  /** What a reader must know about these figures (every request failed, a summary-only file…). */
  warnings?: string[];
  /** The same warnings as codes and values, for reports in other languages (absent in documents from before them). */
  warningCodes?: ProfileWarning[];
  /** The inference backend the log header names (infer.py writes `ngram` for its stand-in model); absent when no header says. */
  backend?: string;
  /** Records used (after warm-up); a batch record is one record. */
  records: number;
  warmupRecordsExcluded: number;
  /** null when the file does not say how many requests its figures cover (a summary without a count). */
  requests: number | null;
  completedRequests: number | null;
  failedRequests: number;
  /** failed / all requests; null when there are none. */
  errorRate: number | null;
  /** The most frequent error messages, at most five. */
  topErrors: { message: string; count: number }[];
  durationS: number | null;
  durationSource: 'timestamps' | 'reported' | 'sum-of-latencies' | null;
  /** null when no completed record (or the summary) gives a count: unknown, never 0. */
  totalInputTokens: number | null;
  totalOutputTokens: number | null;
  requestThroughput: number | null;
  outputTokensPerS: number | null;
  totalTokensPerS: number | null;
  /** Seconds. Over completed records. */
  latencyS: LatencySummary;
  ttftS: LatencySummary;
  tpotS: LatencySummary;
  itlS: LatencySummary;
  goodput?: InferenceGoodput;
  energy?: InferenceEnergy;
  /**
   * Seeded percentile-bootstrap intervals, or above ANALYTIC_INTERVALS_ABOVE records analytic
   * ones that say their `method` (intervals.ts); null when there is no data (or bootstrap is off).
   */
  ci: InferenceIntervals;
  /** Parameters shared by every record (the sweep point). */
  params: InferenceParams;
}

/**
 * Applies warm-up exclusion per file: the first N records of every file (or run), and flagged
 * ones. The kept records are rows of the source, in the order the per-run exclusion leaves them
 * (runs in the order first met): row numbers, not a copy of the records.
 */
export function excludeInferenceWarmup(source: InferenceRecordSource, warmupRecords = 0): InferenceRecordRows {
  const table = toRecordTable(source);
  const n = table.length;
  const count = Math.max(0, Math.floor(warmupRecords));
  const keyOf = runKeys();
  let oneRun = true;
  const onlyKey = n > 0 ? keyOf(table.get(0)) : undefined;
  for (let i = 1; i < n && oneRun; i++) oneRun = keyOf(table.get(i)) === onlyKey;
  const kept = new Uint32Array(n);
  let k = 0;
  if (oneRun) {
    // The usual case: no per-run list of a million row numbers.
    for (let i = count; i < n; i++) if (!table.get(i).warmup) kept[k++] = i;
  } else {
    const byRun = new Map<string, number[]>();
    for (let i = 0; i < n; i++) {
      const key = keyOf(table.get(i));
      const list = byRun.get(key);
      if (list === undefined) byRun.set(key, [i]);
      else list.push(i);
    }
    for (const rows of byRun.values()) {
      for (let j = count; j < rows.length; j++) {
        const row = rows[j] as number;
        if (!table.get(row).warmup) kept[k++] = row;
      }
    }
  }
  return new InferenceRecordRows(table, kept.subarray(0, k));
}

/** Duration, its source and the figures made from the tally (everything but the distributions and intervals). */
export function assembleInferenceMetrics(
  tally: InferenceTally,
  distributions: Pick<InferenceMetrics, 'latencyS' | 'ttftS' | 'tpotS' | 'itlS'>,
  warmupRecordsExcluded: number,
  options: InferenceMetricsOptions,
): InferenceMetrics {
  const { durationS, source } = computeDuration(tally, options.reportedDurationS, warmupRecordsExcluded);
  const rate = (amount: number): number | null => (durationS !== null && durationS > 0 ? amount / durationS : null);
  const { completedRequests, failedRequests, totalInputTokens, totalOutputTokens, inputCounted, outputCounted, completedCount } = tally;
  const requests = completedRequests + failedRequests;
  const topErrors = tally.topErrors();
  const sink: WarningSink = { warnings: [], warningCodes: [] };
  // A total over some records only would understate the rate; none at all is unknown, not 0.
  const knownInput = inputCounted > 0 ? totalInputTokens : null;
  const knownOutput = outputCounted > 0 ? totalOutputTokens : null;
  if (outputCounted > 0 && outputCounted < completedCount) {
    addProfileWarning(sink, 'output-tokens-partial', { missing: completedCount - outputCounted, completed: completedCount, counted: outputCounted });
  }
  if (requests > 0 && completedRequests === 0) {
    const first = topErrors[0];
    const counts = { failed: failedRequests, requests };
    if (first === undefined) addProfileWarning(sink, 'all-requests-failed', counts);
    else addProfileWarning(sink, 'all-requests-failed-error', { ...counts, error: first.message });
  }
  const metrics: InferenceMetrics = {
    source: 'records',
    ...sink,
    records: tally.records,
    warmupRecordsExcluded,
    requests,
    completedRequests,
    failedRequests,
    errorRate: requests > 0 ? failedRequests / requests : null,
    topErrors,
    durationS,
    durationSource: source,
    totalInputTokens: knownInput,
    totalOutputTokens: knownOutput,
    requestThroughput: rate(completedRequests),
    outputTokensPerS: knownOutput === null ? null : rate(knownOutput),
    totalTokensPerS: knownOutput === null || knownInput === null ? null : rate(knownInput + knownOutput),
    latencyS: distributions.latencyS,
    ttftS: distributions.ttftS,
    tpotS: distributions.tpotS,
    itlS: distributions.itlS,
    ci: { latencyP50S: null, latencyP95S: null, requestThroughput: null, outputTokensPerS: null },
    params: tally.shared ?? {},
  };
  const goodput = tally.goodput;
  if (options.slo !== undefined && goodput !== undefined) {
    metrics.goodput = {
      slo: options.slo,
      goodRequests: goodput.good,
      unjudgedRequests: goodput.unjudged,
      requestsPerS: durationS !== null && durationS > 0 ? goodput.good / durationS : null,
      fraction: goodput.total > 0 ? goodput.good / goodput.total : null,
    };
  }
  if (options.gpuEnergyJ !== undefined && options.gpuEnergyJ > 0) {
    metrics.energy = {
      gpuEnergyJ: options.gpuEnergyJ,
      outputTokensPerJoule: totalOutputTokens / options.gpuEnergyJ,
      totalTokensPerJoule: (totalInputTokens + totalOutputTokens) / options.gpuEnergyJ,
      joulesPerOutputToken: totalOutputTokens > 0 ? options.gpuEnergyJ / totalOutputTokens : null,
    };
  }
  return metrics;
}

function computeDuration(tally: InferenceTally, reported: number | undefined, warmupExcluded: number): { durationS: number | null; source: InferenceMetrics['durationSource'] } {
  if (tally.records === 0) return { durationS: null, source: null };
  // Failed requests may carry no timestamps (vLLM records none for a request that never started).
  if (tally.anyTimed && tally.allCompletedTimed) {
    let total = 0;
    for (const w of tally.windows.values()) total += w.end - w.start;
    return { durationS: total, source: 'timestamps' };
  }
  // The benchmark's own window includes the records we would have dropped, so only use it whole.
  if (reported !== undefined && warmupExcluded === 0) return { durationS: reported, source: 'reported' };
  // Without timestamps, assume requests ran one after another (a sequential batch loop).
  return { durationS: tally.latencySum, source: 'sum-of-latencies' };
}

export function computeInferenceMetrics(
  allRecords: InferenceRecordSource,
  options: InferenceMetricsOptions = {},
): InferenceMetrics {
  const records = excludeInferenceWarmup(allRecords, options.warmupRecords ?? 0);
  const warmupRecordsExcluded = allRecords.length - records.length;
  // One pass over the records, not filtered copies and flatMaps: with a million records each of
  // those is a million-entry array, or a million small ones. Sums keep the records' order.
  const tally = new InferenceTally(options.slo);
  let ttftCount = 0;
  let tpotCount = 0;
  const itls: number[] = [];
  for (const r of records) {
    tally.add(r);
    if (r.error !== null) continue;
    if (r.ttftS !== undefined) ttftCount++;
    if (computeTpot(r) !== undefined) tpotCount++;
    const recordItls = r.itlsS;
    if (recordItls !== undefined) for (const itl of recordItls) itls.push(itl);
  }
  // Sized by the pass above, not grown by push: growth leaves copies behind, and nothing
  // collects them while the bootstrap runs (it allocates nothing for seconds).
  const latencies = new Float64Array(tally.completedCount);
  const ttfts = new Float64Array(ttftCount);
  const tpots = new Float64Array(tpotCount);
  for (let i = 0, l = 0, t = 0, p = 0; i < records.length; i++) {
    const r = records.at(i);
    if (r.error !== null) continue;
    latencies[l++] = r.latencyS;
    const ttft = r.ttftS;
    if (ttft !== undefined) ttfts[t++] = ttft;
    const tpot = computeTpot(r);
    if (tpot !== undefined) tpots[p++] = tpot;
  }
  const method = options.percentileMethod ?? 'linear';
  const distributions = {
    latencyS: summarize(latencies, { method }),
    ttftS: summarize(ttfts, { method }),
    tpotS: summarize(tpots, { method }),
    itlS: summarize(itls, { method }),
  };
  const metrics = assembleInferenceMetrics(tally, distributions, warmupRecordsExcluded, options);
  if (options.bootstrap !== false) {
    // Above ANALYTIC_INTERVALS_ABOVE records the intervals need no resampling (intervals.ts).
    metrics.ci = computeInferenceIntervals(records, latencies, metrics.durationS, { iterations: 1000, ...(options.bootstrap ?? {}) }, options.analyticIntervalsAbove);
  }
  return metrics;
}
