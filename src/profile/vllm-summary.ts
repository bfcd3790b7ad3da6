/**
 * vLLM result files without per-request lists (the default of `vllm bench serve --save-result`):
 * their figures are vLLM's own, reported as such (`source: "vllm-summary"`), never recomputed and
 * never zero for want of records. Also the precise refusals for JSON that looks like a vLLM result
 * but is not one (a nightly summary table, an InferenceX aggregate in seconds, a cut file).
 */
import { InputError } from '../errors.js';
import type { InferenceMetrics, ReportedSummary } from './inference-metrics.js';
import type { InferenceParams } from './inference-schema.js';
import type { VllmReportedSummary } from './vllm-result.js';

const EMPTY = { n: 0, mean: null, std: null, min: null, max: null, p50: null, p90: null, p95: null, p99: null } as const;

/** vLLM's `mean_ttft_ms`, `median_ttft_ms`, `p99_ttft_ms`, `p99.9_ttft_ms`… of one metric, in seconds. */
function reportedStatistic(latencyMs: Record<string, number>, metric: string, completed: number): InferenceMetrics['ttftS'] {
  const pick = (stat: string): number | null => {
    const value = latencyMs[`${stat}_${metric}_ms`];
    return value === undefined ? null : value / 1000;
  };
  const mean = pick('mean');
  // vLLM writes 0.0 for the statistics of no requests (np.mean(x or 0)): that is not a latency.
  if (completed === 0 || mean === null) return { ...EMPTY };
  const out: ReportedSummary = {
    source: 'vllm-summary',
    n: completed,
    mean,
    std: pick('std'),
    min: null,
    max: null,
    p50: pick('median') ?? pick('p50'),
    p90: pick('p90'),
    p95: pick('p95'),
    p99: pick('p99'),
  };
  const extra: Record<string, number> = {};
  const pattern = new RegExp(`^p(\\d+(?:\\.\\d+)?)_${metric}_ms$`);
  for (const [key, value] of Object.entries(latencyMs)) {
    const match = pattern.exec(key);
    if (match && !['50', '90', '95', '99'].includes(match[1] as string)) extra[`p${match[1] as string}`] = value / 1000;
  }
  if (Object.keys(extra).length > 0) out.percentiles = extra;
  return out;
}

export interface SummaryMetricsOptions {
  warmupRecords?: number;
}

/** InferenceMetrics from vLLM's summary alone. */
export function computeVllmSummaryMetrics(reported: VllmReportedSummary, params: InferenceParams, options: SummaryMetricsOptions = {}): InferenceMetrics {
  const completed = reported.completed;
  const warnings = ['this vLLM result holds only its summary (no per-request lists): the figures are vLLM\'s own, not recomputed; no confidence intervals, goodput or warm-up exclusion'];
  let failed = reported.failed;
  if (failed === undefined && reported.numPrompts !== undefined && reported.numPrompts >= completed) {
    failed = reported.numPrompts - completed;
    if (failed > 0) warnings.push(`the file has no \`failed\` count: ${failed} failed request(s) = num_prompts ${reported.numPrompts} − completed ${completed}`);
  }
  if (failed === undefined) warnings.push('the file gives neither `failed` nor `num_prompts`: failed requests are unknown and counted as 0');
  const failedRequests = failed ?? 0;
  const requests = completed + failedRequests;
  if (requests > 0 && completed === 0) warnings.push(`every request failed (${failedRequests} of ${requests}); vLLM's latency figures of no request are not reported`);
  if ((options.warmupRecords ?? 0) > 0) warnings.push('warm-up exclusion was asked for, but a summary cannot be split: its figures include every request');
  if (reported.totalOutputTokens === undefined) warnings.push('the file has no total_output_tokens: reported as 0');
  const rate = (value: number | undefined): number | null => value ?? null;
  return {
    source: 'vllm-summary',
    warnings,
    records: 0,
    warmupRecordsExcluded: 0,
    requests,
    completedRequests: completed,
    failedRequests,
    errorRate: requests > 0 ? failedRequests / requests : null,
    topErrors: [],
    durationS: reported.durationS,
    durationSource: 'reported',
    totalInputTokens: reported.totalInputTokens,
    totalOutputTokens: reported.totalOutputTokens ?? 0,
    requestThroughput: rate(reported.requestThroughput),
    outputTokensPerS: rate(reported.outputThroughput),
    totalTokensPerS: rate(reported.totalTokenThroughput),
    latencyS: reportedStatistic(reported.latencyMs, 'e2el', completed),
    ttftS: reportedStatistic(reported.latencyMs, 'ttft', completed),
    tpotS: reportedStatistic(reported.latencyMs, 'tpot', completed),
    itlS: reportedStatistic(reported.latencyMs, 'itl', completed),
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
      const names = rows.map((r) => String(r['Test name'] ?? '?'));
      return new InputError(
        `a vLLM nightly-benchmark summary table (${rows.length} rows: ${names.slice(0, 4).join(', ')}${names.length > 4 ? ', …' : ''}), not one result: each row summarises a separate run, and its "# of req." is the number of prompts sent, not a completed count`,
        { file, hint: 'profile the per-run result files the table was built from (serving_*.json, one per task)' },
      );
    }
    return new InputError(`expected a JSON object (a vLLM serving benchmark result), found a list of ${value.length} entries`, { file, hint: HINT });
  }
  if (typeof value !== 'object' || value === null) return new InputError('expected a JSON object (a vLLM serving benchmark result)', { file, hint: HINT });
  const keys = Object.keys(value);
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
