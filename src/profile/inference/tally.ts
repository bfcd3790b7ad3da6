/**
 * Everything computeInferenceMetrics needs from the records besides the latency distributions,
 * taken one record at a time in the order the records are used (warm-up excluded): counts,
 * token totals, each run's time window, goodput, the most frequent errors and the parameters
 * every record shares. One tally serves the in-memory profile (records held in columns) and the
 * streamed one (records read again from disk, streaming-metrics.ts), so both give the same
 * figures from the same sums taken in the same order.
 */
import type { InferenceParams, InferenceRecord } from './schema.js';

/** Service-level objectives in milliseconds, as vLLM's --goodput takes them. */
export interface InferenceSlo {
  ttftMs?: number;
  tpotMs?: number;
  e2eMs?: number;
}

/**
 * Distinct error messages counted for topErrors. Messages are cut to 200 characters, so the map
 * stays under a few MiB; a log with more distinct messages than this counts every failure in
 * failedRequests, but only the first this many messages compete for the top five.
 */
const MAX_DISTINCT_ERRORS = 10_000;

/** Time per output token of one record (per sequence for a batch), or undefined when not defined. */
export function computeTpot(record: InferenceRecord): number | undefined {
  if (record.ttftS === undefined || record.outputTokens === undefined) return undefined;
  const perSequence = record.outputTokens / record.batchSize;
  if (perSequence <= 1) return undefined;
  return Math.max(0, record.latencyS - record.ttftS) / (perSequence - 1);
}

/** One contiguous run: a file, or one result of a file that holds several. */
function runKey(record: InferenceRecord): string {
  return `${record.file ?? ''}\u0000${record.run ?? ''}`;
}

/**
 * runKey of each record in turn, built only when the file or run differs from the previous
 * record's: a million records of one file make one key string, not a million.
 */
export function runKeys(): (record: InferenceRecord) => string {
  let file: string | undefined;
  let run: string | undefined;
  let key: string | undefined;
  return (record) => {
    const f = record.file;
    const r = record.run;
    if (key === undefined || f !== file || r !== run) {
      file = f;
      run = r;
      key = runKey(record);
    }
    return key;
  };
}

/** Goodput counts over the completed requests. */
interface GoodputTally {
  good: number;
  unjudged: number;
  total: number;
}

/** The tally of the records used, fed one record at a time in their order. */
export class InferenceTally {
  records = 0;
  failedRequests = 0;
  completedRequests = 0;
  totalInputTokens = 0;
  totalOutputTokens = 0;
  inputCounted = 0;
  outputCounted = 0;
  /** Completed records (a batch is one record). */
  completedCount = 0;
  /** Whether some record is timed, and every completed one. */
  anyTimed = false;
  allCompletedTimed = true;
  /** Each run's window over its timed records, runs in the order met. */
  readonly windows = new Map<string, { start: number; end: number }>();
  /** Σ latency of every record used, in order: the sequential-loop duration and the throughput intervals' denominator. */
  latencySum = 0;
  /** Σ of the throughput intervals' amounts (completed requests, output tokens), in order. */
  requestAmountSum = 0;
  outputAmountSum = 0;
  anyPositiveLatency = false;
  readonly errors = new Map<string, number>();
  shared: InferenceParams | undefined;
  readonly goodput: GoodputTally | undefined;
  private readonly keyOf = runKeys();

  constructor(private readonly slo: InferenceSlo | undefined) {
    this.goodput = slo === undefined ? undefined : { good: 0, unjudged: 0, total: 0 };
  }

  add(r: InferenceRecord): void {
    this.records++;
    const latency = r.latencyS;
    this.latencySum += latency;
    if (latency > 0) this.anyPositiveLatency = true;
    this.countParams(r.params);
    const timed = r.start !== undefined && r.end !== undefined;
    if (timed) {
      this.anyTimed = true;
      const key = this.keyOf(r);
      const w = this.windows.get(key) ?? { start: Number.POSITIVE_INFINITY, end: Number.NEGATIVE_INFINITY };
      w.start = Math.min(w.start, r.start as number);
      w.end = Math.max(w.end, r.end as number);
      this.windows.set(key, w);
    }
    if (r.error !== null) {
      this.failedRequests += r.batchSize;
      this.countError(r.error, r.batchSize);
      return;
    }
    if (!timed) this.allCompletedTimed = false;
    this.completedRequests += r.batchSize;
    this.requestAmountSum += r.batchSize;
    this.outputAmountSum += r.outputTokens ?? 0;
    const input = r.inputTokens;
    const output = r.outputTokens;
    if (input !== undefined) {
      this.totalInputTokens += input;
      this.inputCounted++;
    }
    if (output !== undefined) {
      this.totalOutputTokens += output;
      this.outputCounted++;
    }
    this.completedCount++;
    if (this.goodput !== undefined && this.slo !== undefined) this.judgeGoodput(r, this.slo, this.goodput);
  }

  private countParams(params: InferenceParams): void {
    if (this.shared === undefined) {
      this.shared = { ...params };
      return;
    }
    for (const key of Object.keys(this.shared)) if (params[key] !== this.shared[key]) delete this.shared[key];
  }

  private countError(error: string, batchSize: number): void {
    const message = error.slice(0, 200);
    const count = this.errors.get(message);
    if (count !== undefined) this.errors.set(message, count + batchSize);
    else if (this.errors.size < MAX_DISTINCT_ERRORS) this.errors.set(message, batchSize);
  }

  private judgeGoodput(r: InferenceRecord, slo: InferenceSlo, tally: GoodputTally): void {
    tally.total += r.batchSize;
    const checks: (boolean | undefined)[] = [];
    if (slo.ttftMs !== undefined) checks.push(r.ttftS === undefined ? undefined : r.ttftS * 1000 <= slo.ttftMs);
    if (slo.tpotMs !== undefined) {
      const single = r.outputTokens !== undefined && r.outputTokens / r.batchSize <= 1;
      const tpot = single ? 0 : computeTpot(r);
      checks.push(tpot === undefined ? undefined : tpot * 1000 <= slo.tpotMs);
    }
    if (slo.e2eMs !== undefined) checks.push(r.latencyS * 1000 <= slo.e2eMs);
    if (checks.includes(undefined)) tally.unjudged += r.batchSize;
    else if (checks.every(Boolean)) tally.good += r.batchSize;
  }

  /** The most frequent error messages, at most five (ties in the order first met). */
  topErrors(): { message: string; count: number }[] {
    return [...this.errors.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([message, count]) => ({ message, count }));
  }
}
