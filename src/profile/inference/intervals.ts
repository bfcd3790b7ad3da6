/**
 * The confidence intervals of an inference run's p50/p95 latency and throughput.
 *
 * Up to ANALYTIC_INTERVALS_ABOVE records: seeded percentile bootstrap, as always (the committed
 * reference outputs are bootstrap intervals). Above it, intervals that need no resampling: a
 * bootstrap of a million records drew iterations × n values and held several n-sized copies
 * (31 of the 38 CPU seconds of profiling a million-record log), while at that size the
 * textbook intervals are as good:
 * - latency percentiles: the distribution-free order-statistic interval (stats/
 *   order-statistic-interval.ts), exact coverage from the binomial, `ranks` and `coverage` say
 *   which order statistics and how much;
 * - throughput: the delta-method normal interval of the same ratio estimator the bootstrap
 *   resamples (stats/ratio-interval.ts).
 * Each analytic interval says its `method`; an interval without one is a bootstrap interval
 * (documents written before this change have none).
 */
import { UsageError } from '../../errors.js';
import { bootstrapCi, selectPercentileStatistic, type BootstrapInterval } from '../../stats/index.js';
import { computeOrderStatisticInterval } from '../../stats/order-statistic-interval.js';
import { computeRatioInterval } from '../../stats/ratio-interval.js';
import { selectPercentile } from '../../stats/select-percentile.js';
import type { InferenceRecord } from './schema.js';
import type { InferenceRecordRows } from './record-table.js';

/**
 * Above this many records (after warm-up) the intervals are analytic, not bootstrapped. Above the
 * golden test's synthetic log (28 000 records), so every committed reference keeps its bootstrap.
 */
export const ANALYTIC_INTERVALS_ABOVE = 50_000;

export interface InferenceInterval extends BootstrapInterval {
  /** Absent: percentile bootstrap (`iterations` resamples). Otherwise no resampling (`iterations` 0). */
  method?: 'order-statistic' | 'normal';
  /** order-statistic: the 1-based ranks [lower, upper] of the ends among the sorted values. */
  ranks?: [number, number];
  /** order-statistic: the exact probability that the ranks' interval holds the percentile. */
  coverage?: number;
}

export interface InferenceIntervals {
  latencyP50S: InferenceInterval | null;
  latencyP95S: InferenceInterval | null;
  requestThroughput: InferenceInterval | null;
  outputTokensPerS: InferenceInterval | null;
}

export interface IntervalOptions {
  iterations?: number;
  confidence?: number;
  seed?: number;
}

/**
 * Throughput as a ratio estimator over resampled record indices: amount done per second of
 * request latency, Σamount* / Σlatency*, scaled by Σlatency / duration so that the original
 * sample gives exactly amount / duration. Resampling amounts alone with the window held fixed
 * gives an interval of zero width whenever every record does the same amount of work (fixed
 * max_new_tokens), although throughput then still varies with latency.
 */
function ratioThroughputStatistic(amounts: Float64Array, latencies: Float64Array, durationS: number): (indices: Float64Array) => number {
  const scale = latencyScale(latencies.length, (i) => latencies[i] as number, durationS);
  return (indices) => {
    let amount = 0;
    let latency = 0;
    for (let i = 0; i < indices.length; i++) {
      const k = indices[i] as number;
      amount += amounts[k] as number;
      latency += latencies[k] as number;
    }
    return latency > 0 ? (amount / latency) * scale : 0;
  };
}

/** From throughput per second of request latency to per second of the measured window: Σlatency / duration. */
function latencyScale(n: number, latencyAt: (i: number) => number, durationS: number): number {
  let totalLatency = 0;
  for (let i = 0; i < n; i++) totalLatency += latencyAt(i);
  return totalLatency / durationS;
}

function bootstrapIntervals(records: InferenceRecordRows, latencies: Float64Array, durationS: number | null, boot: IntervalOptions): InferenceIntervals {
  const ci: InferenceIntervals = {
    latencyP50S: bootstrapCi(latencies, selectPercentileStatistic(50), boot),
    latencyP95S: bootstrapCi(latencies, selectPercentileStatistic(95), boot),
    requestThroughput: null,
    outputTokensPerS: null,
  };
  if (durationS !== null && durationS > 0 && records.some((r) => r.latencyS > 0)) {
    // Records are resampled in pairs (work done, latency): see ratioThroughputStatistic.
    // Filled by loops (Float64Array.from with a map function first lists every value), and one
    // amounts array serves both intervals in turn.
    const n = records.length;
    const indices = new Float64Array(n);
    const recordLatencies = new Float64Array(n);
    const amounts = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const r = records.at(i);
      indices[i] = i;
      recordLatencies[i] = r.latencyS;
      amounts[i] = r.error === null ? r.batchSize : 0;
    }
    ci.requestThroughput = bootstrapCi(indices, ratioThroughputStatistic(amounts, recordLatencies, durationS), boot);
    for (let i = 0; i < n; i++) {
      const r = records.at(i);
      amounts[i] = r.error === null ? (r.outputTokens ?? 0) : 0;
    }
    ci.outputTokensPerS = bootstrapCi(indices, ratioThroughputStatistic(amounts, recordLatencies, durationS), boot);
  }
  return ci;
}

function percentileInterval(latencies: Float64Array, p: number, confidence: number): InferenceInterval | null {
  // The estimate is the bootstrap's (linear, numpy's default), so switching method moves only the ends.
  const interval = computeOrderStatisticInterval(latencies, p, confidence);
  if (interval === null) return null;
  const estimate = selectPercentile(latencies, p);
  const { low, high, lowerRank, upperRank, coverage } = interval;
  return { estimate, low, high, confidence, iterations: 0, method: 'order-statistic', ranks: [lowerRank, upperRank], coverage };
}

function throughputInterval(records: InferenceRecordRows, amountOf: (r: InferenceRecord) => number, durationS: number, confidence: number): InferenceInterval | null {
  const n = records.length;
  const latencyAt = (i: number): number => records.at(i).latencyS;
  const interval = computeRatioInterval(n, (i) => amountOf(records.at(i)), latencyAt, confidence);
  if (interval === null) return null;
  const scale = latencyScale(n, latencyAt, durationS);
  return { estimate: interval.estimate * scale, low: interval.low * scale, high: interval.high * scale, confidence, iterations: 0, method: 'normal' };
}

/** The confidence of the analytic intervals (default 0.95); UsageError outside (0, 1). */
export function checkConfidence(confidence = 0.95): number {
  if (!(confidence > 0 && confidence < 1)) throw new UsageError(`bootstrap confidence must be between 0 and 1 (e.g. 0.95), got ${confidence}`);
  return confidence;
}

/**
 * The four intervals of computeInferenceMetrics. `latencies` (the completed records' latencies)
 * may be reordered. Bootstrap options other than the confidence apply to the bootstrap only.
 * `analyticAbove` lowers the record count above which they are analytic (tests).
 */
export function computeInferenceIntervals(
  records: InferenceRecordRows,
  latencies: Float64Array,
  durationS: number | null,
  boot: IntervalOptions,
  analyticAbove = ANALYTIC_INTERVALS_ABOVE,
): InferenceIntervals {
  if (records.length <= analyticAbove) return bootstrapIntervals(records, latencies, durationS, boot);
  const confidence = checkConfidence(boot.confidence);
  const ci: InferenceIntervals = {
    latencyP50S: percentileInterval(latencies, 50, confidence),
    latencyP95S: percentileInterval(latencies, 95, confidence),
    requestThroughput: null,
    outputTokensPerS: null,
  };
  if (durationS !== null && durationS > 0 && records.some((r) => r.latencyS > 0)) {
    ci.requestThroughput = throughputInterval(records, (r) => (r.error === null ? r.batchSize : 0), durationS, confidence);
    ci.outputTokensPerS = throughputInterval(records, (r) => (r.error === null ? (r.outputTokens ?? 0) : 0), durationS, confidence);
  }
  return ci;
}
