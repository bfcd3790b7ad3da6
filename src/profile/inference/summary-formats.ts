/**
 * Summary files of other serving benchmarks, read as their tools wrote them (see vllm-summary.ts):
 *
 * - genai-perf `profile_export_genai_perf.json` (and aiperf's `profile_export_aiperf.json`): one
 *   object per metric, `{"unit": "ms", "avg": …, "p50": …, "p99": …, "min": …, "max": …, "std": …}`,
 *   throughputs as `{"unit": "requests/sec" | "tokens/sec", "avg": …}`.
 * - llmperf `*_summary.json` (ray-project/llmperf token_benchmark_ray.py): flat keys in seconds,
 *   `results_ttft_s_mean`, `results_ttft_s_quantiles_p99`, `results_num_completed_requests`,
 *   `results_number_errors`, `results_num_completed_requests_per_min`…
 *
 * Real captures of both are in tests/fixtures/real/{genai-perf,llmperf}/ (PROVENANCE.md).
 */
import { InputError } from '../../errors.js';
import type { BenchmarkSummary, ReportedStatistic } from './vllm-summary.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** genai-perf's metric objects: `{"unit": …, "avg": …}`. */
export function looksLikeGenaiPerfSummary(value: unknown): value is Json {
  if (!isObject(value)) return false;
  const ttft = value.time_to_first_token ?? value.request_latency;
  return isObject(ttft) && 'unit' in ttft && ('avg' in ttft || 'p50' in ttft);
}

/** llmperf's flat `results_*_s_*` keys. */
export function looksLikeLlmperfSummary(value: unknown): value is Json {
  return isObject(value) && Object.keys(value).some((k) => /^results_(ttft|end_to_end_latency|inter_token_latency)_s_/.test(k));
}

/** Divisors to seconds (ms / 1000, as for vLLM's figures). */
const TIME_UNITS: Record<string, number> = { ns: 1e9, us: 1e6, µs: 1e6, ms: 1e3, s: 1, sec: 1, seconds: 1 };

/** A unit field as text; a unit that is not a string or number (a mapping, a list) matches no known unit. */
function unitText(unit: unknown): string {
  return typeof unit === 'string' || typeof unit === 'number' ? String(unit) : '';
}

/** One genai-perf metric object in seconds; its unit must be a time unit. */
function readGenaiStatistic(value: unknown, name: string, file: string): ReportedStatistic {
  if (!isObject(value)) return {};
  const unit = unitText(value.unit);
  const scale = TIME_UNITS[unit];
  if (scale === undefined) throw new InputError(`genai-perf summary: \`${name}\` has unit ${JSON.stringify(unit)}; expected a time unit (ms, s, us, ns)`, { file });
  const stat: ReportedStatistic = {};
  const extra: Record<string, number> = {};
  for (const [key, raw] of Object.entries(value)) {
    const v = num(raw);
    if (v === undefined) continue;
    const seconds = v / scale;
    if (key === 'avg') stat.mean = seconds;
    else if (key === 'std' || key === 'min' || key === 'max' || key === 'p50' || key === 'p90' || key === 'p95' || key === 'p99') stat[key] = seconds;
    else if (/^p\d+(\.\d+)?$/.test(key)) extra[key] = seconds;
  }
  if (Object.keys(extra).length > 0) stat.extra = extra;
  return stat;
}

function countOf(value: unknown): number | undefined {
  return num(value) ?? (isObject(value) ? num(value.avg) : undefined);
}

function rateOf(value: unknown, unit: RegExp, name: string, file: string): number | undefined {
  if (!isObject(value)) return undefined;
  if (!unit.test(unitText(value.unit))) throw new InputError(`genai-perf summary: \`${name}\` has unit ${JSON.stringify(value.unit)}; expected ${unit.source}`, { file });
  return num(value.avg);
}

/** Reads a genai-perf (or aiperf) summary export. */
export function readGenaiPerfSummary(value: Json, file: string): BenchmarkSummary {
  // Triton 24.12's genai-perf writes no request_count (tests/fixtures/real/genai-perf/): its figures
  // are read, and the number of requests they cover is unknown.
  const completed = countOf(value.request_count);
  const summary: BenchmarkSummary = {
    source: 'genai-perf-summary',
    note: 'units-converted',
    e2el: readGenaiStatistic(value.request_latency, 'request_latency', file),
    ttft: readGenaiStatistic(value.time_to_first_token, 'time_to_first_token', file),
    // genai-perf's inter-token latency is per request (latency − ttft)/(tokens − 1): vLLM's TPOT.
    tpot: readGenaiStatistic(value.inter_token_latency, 'inter_token_latency', file),
    itl: {},
  };
  if (completed !== undefined) summary.completed = completed;
  // Without streaming there is no first token before the last: genai-perf then reports the whole
  // response time as TTFT, which must not be read as a time to first token.
  if (value.inter_token_latency === undefined && summary.ttft.mean !== undefined && summary.ttft.mean === summary.e2el.mean && summary.ttft.p99 === summary.e2el.p99) {
    summary.note = 'units-converted-no-streaming';
  }
  const failed = countOf(value.error_request_count);
  if (failed !== undefined) summary.failed = failed;
  const requestThroughput = rateOf(value.request_throughput, /^requests?\/s(ec)?$/, 'request_throughput', file);
  if (requestThroughput !== undefined) summary.requestThroughput = requestThroughput;
  const outputThroughput = rateOf(value.output_token_throughput, /^tokens\/s(ec)?$/, 'output_token_throughput', file);
  if (outputThroughput !== undefined) summary.outputThroughput = outputThroughput;
  return summary;
}

/** llmperf's `results_<metric>_s_{mean,stddev,min,max,quantiles_pNN}`, already in seconds. */
function readLlmperfStatistic(value: Json, metric: string): ReportedStatistic {
  const prefix = `results_${metric}_s_`;
  const stat: ReportedStatistic = {};
  const extra: Record<string, number> = {};
  for (const [key, raw] of Object.entries(value)) {
    if (!key.startsWith(prefix)) continue;
    const v = num(raw);
    if (v === undefined) continue;
    const name = key.slice(prefix.length);
    if (name === 'mean') stat.mean = v;
    else if (name === 'stddev') stat.std = v;
    else if (name === 'min' || name === 'max') stat[name] = v;
    else if (name.startsWith('quantiles_p')) {
      const p = name.slice('quantiles_'.length);
      if (p === 'p50' || p === 'p90' || p === 'p95' || p === 'p99') stat[p] = v;
      else extra[p] = v;
    }
  }
  if (Object.keys(extra).length > 0) stat.extra = extra;
  return stat;
}

/** Reads an llmperf `*_summary.json`. */
export function readLlmperfSummary(value: Json, file: string): BenchmarkSummary {
  const completed = num(value.results_num_completed_requests);
  if (completed === undefined) {
    throw new InputError('llmperf summary without `results_num_completed_requests`', { file, hint: 'expected the *_summary.json that llmperf token_benchmark_ray.py writes' });
  }
  const summary: BenchmarkSummary = {
    source: 'llmperf-summary',
    note: 'llmperf',
    completed,
    e2el: readLlmperfStatistic(value, 'end_to_end_latency'),
    ttft: readLlmperfStatistic(value, 'ttft'),
    tpot: readLlmperfStatistic(value, 'inter_token_latency'),
    itl: {},
  };
  const failed = num(value.results_number_errors);
  if (failed !== undefined) summary.failed = failed;
  const sent = num(value.results_num_requests_started);
  if (sent !== undefined) summary.sent = sent;
  const perMin = num(value.results_num_completed_requests_per_min);
  if (perMin !== undefined) summary.requestThroughput = perMin / 60;
  const output = num(value.results_mean_output_throughput_token_per_s);
  if (output !== undefined) summary.outputThroughput = output;
  return summary;
}
