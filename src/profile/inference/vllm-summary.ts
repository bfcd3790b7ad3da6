/**
 * vLLM result files without per-request lists (the default of `vllm bench serve --save-result`):
 * their figures are vLLM's own, reported as such (`source: "vllm-summary"`), never recomputed and
 * never zero for want of records. Also the precise refusals for JSON that looks like a vLLM result
 * but is not one (a nightly summary table, an InferenceX aggregate in seconds, a cut file).
 */
import { addProfileWarning, type WarningSink } from '../../report/i18n/profile-warnings.js';
import { InputError } from '../../errors.js';
import type { InferenceMetrics, ReportedSummary } from './metrics.js';
import type { InferenceParams } from './schema.js';
import type { VllmReportedSummary } from './vllm-result.js';

const EMPTY = { n: 0, mean: null, std: null, min: null, max: null, p50: null, p90: null, p95: null, p99: null } as const;

/** One latency metric as a benchmark tool reported it, in seconds; absent figures undefined. */
export interface ReportedStatistic {
  mean?: number;
  std?: number;
  min?: number;
  max?: number;
  p50?: number;
  p90?: number;
  p95?: number;
  p99?: number;
  /** Other percentiles the tool wrote, keyed `p99.9`, `p25`… */
  extra?: Record<string, number>;
}

/** What a summary-only result file says, whichever tool wrote it (vLLM, genai-perf, llmperf). */
export interface BenchmarkSummary {
  source: ReportedSummary['source'];
  /** How the tool's figures were read (units converted, derived rates…): picks the wording of the summary-only warning. */
  note?: 'units-converted' | 'units-converted-no-streaming' | 'llmperf';
  /** Completed requests; undefined when the file does not say (genai-perf exports without request_count). */
  completed?: number;
  failed?: number;
  /** Requests sent, when the file says (failed = sent − completed when `failed` is absent). */
  sent?: number;
  durationS?: number;
  totalInputTokens?: number;
  totalOutputTokens?: number;
  requestThroughput?: number;
  outputThroughput?: number;
  totalTokenThroughput?: number;
  e2el: ReportedStatistic;
  ttft: ReportedStatistic;
  tpot: ReportedStatistic;
  itl: ReportedStatistic;
}

function toSummary(stat: ReportedStatistic, source: ReportedSummary['source'], completed: number | undefined): InferenceMetrics['ttftS'] {
  // vLLM writes 0.0 for the statistics of no requests (np.mean(x or 0)): that is not a latency.
  if (completed === 0 || stat.mean === undefined) return { ...EMPTY };
  const out: ReportedSummary = {
    source,
    n: completed ?? null,
    mean: stat.mean,
    std: stat.std ?? null,
    min: stat.min ?? null,
    max: stat.max ?? null,
    p50: stat.p50 ?? null,
    p90: stat.p90 ?? null,
    p95: stat.p95 ?? null,
    p99: stat.p99 ?? null,
  };
  if (stat.extra !== undefined && Object.keys(stat.extra).length > 0) out.percentiles = { ...stat.extra };
  return out;
}

/** vLLM's `mean_ttft_ms`, `median_ttft_ms`, `p99_ttft_ms`, `p99.9_ttft_ms`… of one metric, in seconds. */
function readVllmStatistic(latencyMs: Record<string, number>, metric: string): ReportedStatistic {
  const stat: ReportedStatistic = {};
  const extra: Record<string, number> = {};
  const pattern = new RegExp(`^(mean|median|std|p\\d+(?:\\.\\d+)?)_${metric}_ms$`);
  for (const [key, value] of Object.entries(latencyMs)) {
    const match = pattern.exec(key);
    if (match === null) continue;
    const name = match[1] as string;
    const seconds = value / 1000;
    if (name === 'mean') stat.mean = seconds;
    else if (name === 'std') stat.std = seconds;
    else if (name === 'median' || name === 'p50') stat.p50 = seconds;
    else if (name === 'p90' || name === 'p95' || name === 'p99') stat[name] = seconds;
    else extra[name] = seconds;
  }
  if (Object.keys(extra).length > 0) stat.extra = extra;
  return stat;
}

/** The tool-neutral summary of a vLLM result saved without per-request lists. */
export function summariseVllmResult(reported: VllmReportedSummary): BenchmarkSummary {
  const summary: BenchmarkSummary = {
    source: 'vllm-summary',
    completed: reported.completed,
    durationS: reported.durationS,
    totalInputTokens: reported.totalInputTokens,
    e2el: readVllmStatistic(reported.latencyMs, 'e2el'),
    ttft: readVllmStatistic(reported.latencyMs, 'ttft'),
    tpot: readVllmStatistic(reported.latencyMs, 'tpot'),
    itl: readVllmStatistic(reported.latencyMs, 'itl'),
  };
  const optional = {
    failed: reported.failed,
    sent: reported.numPrompts,
    totalOutputTokens: reported.totalOutputTokens,
    requestThroughput: reported.requestThroughput,
    outputThroughput: reported.outputThroughput,
    totalTokenThroughput: reported.totalTokenThroughput,
  };
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) Object.assign(summary, { [key]: value });
  return summary;
}

export interface SummaryMetricsOptions {
  warmupRecords?: number;
}

const TOOL = { 'vllm-summary': 'vLLM', 'genai-perf-summary': 'genai-perf', 'llmperf-summary': 'llmperf' } as const;

/** InferenceMetrics from a tool's summary alone: its own figures, labelled, never recomputed. */
export function computeSummaryMetrics(summary: BenchmarkSummary, params: InferenceParams, options: SummaryMetricsOptions = {}): InferenceMetrics {
  const completed = summary.completed;
  const tool = TOOL[summary.source];
  const sink: WarningSink = { warnings: [], warningCodes: [] };
  addProfileWarning(sink, summary.note === undefined ? 'summary-only' : `summary-only-${summary.note}`, { tool });
  if (completed === undefined) addProfileWarning(sink, 'summary-no-request-count');
  let failed = summary.failed;
  if (failed === undefined && completed !== undefined && summary.sent !== undefined && summary.sent >= completed) {
    failed = summary.sent - completed;
    if (failed > 0) addProfileWarning(sink, 'summary-failed-derived', { failed, sent: summary.sent, completed });
  }
  if (failed === undefined && completed !== undefined) addProfileWarning(sink, 'summary-no-failed-count');
  const failedRequests = failed ?? 0;
  const requests = completed === undefined ? null : completed + failedRequests;
  if (requests !== null && requests > 0 && completed === 0) addProfileWarning(sink, 'summary-all-failed', { failed: failedRequests, requests });
  if ((options.warmupRecords ?? 0) > 0) addProfileWarning(sink, 'summary-warmup-ignored');
  if (summary.totalInputTokens === undefined || summary.totalOutputTokens === undefined) addProfileWarning(sink, 'summary-no-token-totals');
  return {
    source: summary.source,
    ...sink,
    records: 0,
    warmupRecordsExcluded: 0,
    requests,
    completedRequests: completed ?? null,
    failedRequests,
    errorRate: requests !== null && requests > 0 ? failedRequests / requests : null,
    topErrors: [],
    durationS: summary.durationS ?? null,
    durationSource: summary.durationS === undefined ? null : 'reported',
    totalInputTokens: summary.totalInputTokens ?? null,
    totalOutputTokens: summary.totalOutputTokens ?? null,
    requestThroughput: summary.requestThroughput ?? null,
    outputTokensPerS: summary.outputThroughput ?? null,
    totalTokensPerS: summary.totalTokenThroughput ?? null,
    latencyS: toSummary(summary.e2el, summary.source, completed),
    ttftS: toSummary(summary.ttft, summary.source, completed),
    tpotS: toSummary(summary.tpot, summary.source, completed),
    itlS: toSummary(summary.itl, summary.source, completed),
    ci: { latencyP50S: null, latencyP95S: null, requestThroughput: null, outputTokensPerS: null },
    params,
  };
}

const HINT = 'expected the result file written by `vllm bench serve --save-result` (or benchmark_serving.py)';

/**
 * The refusal for a JSON.parse failure: a file cut short (the usual case: a copy interrupted, an
 * excerpt, a job killed while writing) is named as such, with the offset where it ends.
 */
export function invalidJsonError(text: string, file: string, error: unknown): InputError {
  const detail = error instanceof Error ? error.message : String(error);
  const position = /position (\d+)/.exec(detail);
  const at = position ? Number(position[1]) : text.length;
  const end = text.trimEnd().length;
  const byteOffset = Buffer.byteLength(text.slice(0, at), 'utf8');
  const line = text.slice(0, at).split('\n').length;
  if (at >= end || /end of (JSON )?input/i.test(detail)) {
    return new InputError(
      `truncated JSON: the document ends at byte offset ${byteOffset} (line ${line}) before it is closed (${detail}); the file was cut short`,
      { file, line, hint: `copy the complete file again (a job killed while writing leaves it cut); ${HINT}`, cause: error },
    );
  }
  return new InputError(`not valid JSON at byte offset ${byteOffset} (line ${line}): ${detail}`, { file, line, hint: HINT, cause: error });
}

/** A precise refusal for vLLM-derived JSON that is not a result file, or undefined. */
export function foreignResultError(value: unknown, file: string): InputError | undefined {
  if (Array.isArray(value)) {
    const rows = value.filter((r): r is Record<string, unknown> => typeof r === 'object' && r !== null && !Array.isArray(r));
    if (rows.length > 0 && rows.some((r) => Object.keys(r).some((k) => /TTFT|TPOT|Tput/.test(k)))) {
      const names = rows.map((r) => {
        const name = r['Test name'];
        return typeof name === 'string' || typeof name === 'number' ? String(name) : '?';
      });
      return new InputError(
        `a vLLM nightly-benchmark summary table (${rows.length} rows: ${names.slice(0, 4).join(', ')}${names.length > 4 ? ', …' : ''}), not one result: each row summarises a separate run, and its "# of req." is the number of prompts sent, not a completed count`,
        { file, hint: 'profile the per-run result files the table was built from (serving_*.json, one per task)' },
      );
    }
    return new InputError(`expected a JSON object (a vLLM serving benchmark result), found a list of ${value.length} entries`, { file, hint: HINT });
  }
  if (typeof value !== 'object' || value === null) return new InputError('expected a JSON object (a vLLM serving benchmark result)', { file, hint: HINT });
  const keys = Object.keys(value);
  if (Array.isArray((value as Record<string, unknown>).experiments) && !('duration' in value)) {
    return new InputError(
      'a genai-perf / perf_analyzer per-request export (profile_export.json): hpcbench does not read it yet, because its output token counts need the model\'s tokenizer',
      { file, hint: 'profile the summary genai-perf writes next to it, profile_export_genai_perf.json' },
    );
  }
  const inSeconds = keys.filter((k) => /^(mean|median|p\d+(?:\.\d+)?)_(ttft|tpot|itl|e2el)$/.test(k));
  if (inSeconds.length > 0 && !('duration' in value)) {
    const perGpu = keys.filter((k) => k.endsWith('_per_gpu'));
    const mean = (value as Record<string, unknown>).mean_ttft;
    return new InputError(
      `an aggregate of a vLLM run (InferenceX style), not a vLLM result: its latencies have no unit suffix and are in seconds (${inSeconds.slice(0, 3).join(', ')}${typeof mean === 'number' ? `; mean_ttft ${mean} s` : ''}), its throughputs are per GPU (${perGpu.join(', ') || 'none'}), and it has no request count or duration`,
      { file, hint: 'profile the raw `vllm bench serve --save-result` JSON that the aggregate was made from' },
    );
  }
  return undefined;
}
