/**
 * vLLM's serving benchmark result file (`benchmarks/benchmark_serving.py --save-result`, or
 * `vllm bench serve --save-result [--save-detailed]`). The summary fields are always there;
 * the per-request arrays (input_lens, output_lens, ttfts, itls, latencies, start_times, errors)
 * only in detailed or older results. When they are present every request becomes an
 * InferenceRecord, so the metrics are recomputed with hpcbench's statistics rather than copied.
 */
import * as z from 'zod';
import { InputError } from '../../errors.js';
import { describeZodIssues, type InferenceParams, type InferenceRecord } from './schema.js';
import type { RejectedLines } from '../lines.js';
import { foreignResultError, invalidJsonError } from './vllm-summary.js';

const num = z.number();
const optNum = num.nullable().optional();

/** The fields hpcbench reads; everything else (generated_texts, spec-decode stats…) is ignored. */
export const vllmResultSchema = z.object({
  date: z.string().optional(),
  backend: z.string().optional(),
  label: z.string().nullable().optional(),
  model_id: z.string().optional(),
  tokenizer_id: z.string().nullable().optional(),
  num_prompts: z.number().optional(),
  request_rate: z.union([z.number(), z.string()]).nullable().optional(),
  burstiness: optNum,
  max_concurrency: optNum,
  duration: num.nonnegative(),
  completed: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative().optional(),
  total_input_tokens: z.number().int().nonnegative(),
  total_output_tokens: z.number().int().nonnegative().optional(),
  request_throughput: optNum,
  request_goodput: optNum,
  output_throughput: optNum,
  total_token_throughput: optNum,
  input_lens: z.array(num).optional(),
  output_lens: z.array(num).optional(),
  ttfts: z.array(num.nullable()).optional(),
  itls: z.array(z.array(num)).optional(),
  latencies: z.array(num.nullable()).optional(),
  start_times: z.array(num.nullable()).optional(),
  errors: z.array(z.string().nullable()).optional(),
});
export type VllmResultFile = z.infer<typeof vllmResultSchema>;

/** The summary numbers vLLM printed, kept so that reports can show both side by side. */
export interface VllmReportedSummary {
  durationS: number;
  /** Prompts sent (`num_prompts`), when the file says. */
  numPrompts?: number;
  completed: number;
  failed?: number;
  totalInputTokens: number;
  totalOutputTokens?: number;
  requestThroughput?: number;
  requestGoodput?: number;
  outputThroughput?: number;
  totalTokenThroughput?: number;
  /** Every `mean_*_ms`, `median_*_ms`, `std_*_ms` and `pNN_*_ms` key, as written. */
  latencyMs: Record<string, number>;
}

export interface VllmResult {
  file: string;
  model?: string;
  backend?: string;
  /** Traffic settings that identify a sweep point (request_rate, max_concurrency…). */
  params: InferenceParams;
  reported: VllmReportedSummary;
  /** One record per request; empty when the file was saved without per-request detail. */
  records: InferenceRecord[];
}

const LATENCY_KEY = /^(mean|median|std|p\d+(?:\.\d+)?)_[a-z0-9_]+_ms$/;

function collectLatencyKeys(value: Record<string, unknown>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, v] of Object.entries(value)) {
    if (LATENCY_KEY.test(key) && typeof v === 'number' && Number.isFinite(v)) out[key] = v;
  }
  return out;
}

function buildParams(result: VllmResultFile): InferenceParams {
  const params: InferenceParams = {};
  if (result.request_rate !== undefined && result.request_rate !== null) params.request_rate = result.request_rate;
  if (result.max_concurrency !== undefined) params.max_concurrency = result.max_concurrency;
  if (result.burstiness !== undefined && result.burstiness !== null) params.burstiness = result.burstiness;
  if (result.num_prompts !== undefined) params.num_prompts = result.num_prompts;
  return params;
}

/** Checks that every per-request array has one entry per request; a mismatch means a damaged file. */
function requestCount(result: VllmResultFile, file: string): number {
  const arrays: [string, unknown[] | undefined][] = [
    ['input_lens', result.input_lens],
    ['output_lens', result.output_lens],
    ['ttfts', result.ttfts],
    ['itls', result.itls],
    ['latencies', result.latencies],
    ['start_times', result.start_times],
    ['errors', result.errors],
  ];
  const present = arrays.filter((entry): entry is [string, unknown[]] => entry[1] !== undefined);
  const first = present[0];
  // Without --save-detailed vLLM still keeps `latencies` (and queue_times), but then nothing tells a
  // failed request (latency 0.0) from a good one, so such a file gives no per-request records.
  const detailed = present.some(([name]) => name !== 'latencies' && name !== 'start_times');
  if (first === undefined || !detailed) return 0;
  for (const [name, values] of present) {
    if (values.length !== first[1].length) {
      throw new InputError(
        `vLLM result arrays differ in length: \`${first[0]}\` has ${first[1].length} entries, \`${name}\` has ${values.length}`,
        { file, hint: 'the file looks truncated or edited; re-run the benchmark with --save-result --save-detailed' },
      );
    }
  }
  return first[1].length;
}

/** Why request i cannot be used (its TTFT after its end, a negative inter-token gap), or undefined. */
function implausibleRequest(result: VllmResultFile, i: number): string | undefined {
  const ttft = result.ttfts?.[i];
  const latency = result.latencies?.[i];
  if (typeof ttft === 'number' && typeof latency === 'number' && latency > 0 && ttft > latency) {
    return `request ${i}: time to first token (${ttft} s) exceeds its latency (${latency} s)`;
  }
  const gaps = result.itls?.[i] ?? [];
  const back = gaps.findIndex((g) => g < 0);
  if (back >= 0) return `request ${i}: token times go backwards (inter-token latency ${back} is ${gaps[back]} s)`;
  return undefined;
}

function buildRecords(result: VllmResultFile, file: string, params: InferenceParams, rejected?: RejectedLines, line = 1): InferenceRecord[] {
  const n = requestCount(result, file);
  const records: InferenceRecord[] = [];
  for (let i = 0; i < n; i++) {
    const implausible = implausibleRequest(result, i);
    if (implausible !== undefined) {
      rejected?.add(file, line, implausible);
      continue;
    }
    const errorText = result.errors?.[i];
    const outputLen = result.output_lens?.[i];
    const ttft = result.ttfts?.[i] ?? undefined;
    const itls = result.itls?.[i];
    // vLLM marks a failed request by a non-empty error; older files only by output_len 0 with no ttft.
    const failed = errorText !== undefined ? errorText !== null && errorText !== '' : outputLen === 0 && !ttft;
    // Older results have no `latencies`; vLLM's own timeline plot rebuilds latency as ttft + sum(itl).
    let latency = result.latencies?.[i] ?? undefined;
    if (latency === undefined && ttft !== undefined) latency = ttft + (itls ?? []).reduce((a, b) => a + b, 0);
    const record: InferenceRecord = {
      file,
      id: i,
      latencyS: latency ?? 0,
      batchSize: 1,
      warmup: false,
      error: failed ? errorText || 'request failed (vLLM recorded no error text)' : null,
      params: { ...params },
    };
    const start = result.start_times?.[i];
    if (start !== undefined && start !== null && !failed) {
      record.start = start;
      record.end = start + record.latencyS;
    }
    const inputLen = result.input_lens?.[i];
    if (inputLen !== undefined) record.inputTokens = inputLen;
    if (outputLen !== undefined) record.outputTokens = outputLen;
    if (!failed && ttft !== undefined) record.ttftS = ttft;
    if (!failed && itls !== undefined) record.itlsS = itls;
    records.push(record);
  }
  return records;
}

/** Parses the text of a vLLM serving benchmark result. Throws InputError naming the file. */
function parseVllmResult(text: string, file: string, rejected?: RejectedLines, line = 1): VllmResult {
  let value: unknown;
  try {
    // vLLM writes Python's json.dumps, which may contain NaN/Infinity; JSON.parse does not accept them.
    // The token first, then the lookbehind: a leading `(?<=[:,[]\s*)` is tried at every position, quadratic on runs of spaces.
    value = JSON.parse(text.replace(/(-?Infinity|NaN)(?<=[:,[]\s*(?:-?Infinity|NaN))(?=\s*[,\]}])/g, 'null'));
  } catch (error) {
    throw invalidJsonError(text, file, error);
  }
  const foreign = typeof value === 'object' && value !== null && !Array.isArray(value) && 'duration' in value ? undefined : foreignResultError(value, file);
  if (foreign !== undefined) throw foreign;
  const parsed = vllmResultSchema.safeParse(value);
  if (!parsed.success) {
    throw new InputError(`not a vLLM serving benchmark result: ${describeZodIssues(parsed.error)}`, {
      file,
      hint: 'expected the keys `duration`, `completed` and `total_input_tokens` written by --save-result',
    });
  }
  const result = parsed.data;
  const params = buildParams(result);
  const reported: VllmReportedSummary = {
    durationS: result.duration,
    completed: result.completed,
    totalInputTokens: result.total_input_tokens,
    latencyMs: collectLatencyKeys(value as Record<string, unknown>),
  };
  if (result.failed !== undefined) reported.failed = result.failed;
  if (result.num_prompts !== undefined) reported.numPrompts = result.num_prompts;
  if (result.total_output_tokens !== undefined) reported.totalOutputTokens = result.total_output_tokens;
  if (typeof result.request_throughput === 'number') reported.requestThroughput = result.request_throughput;
  if (typeof result.request_goodput === 'number') reported.requestGoodput = result.request_goodput;
  if (typeof result.output_throughput === 'number') reported.outputThroughput = result.output_throughput;
  if (typeof result.total_token_throughput === 'number') reported.totalTokenThroughput = result.total_token_throughput;
  const out: VllmResult = { file, params, reported, records: buildRecords(result, file, params, rejected, line) };
  if (result.model_id !== undefined) out.model = result.model_id;
  if (result.backend !== undefined) out.backend = result.backend;
  return out;
}

/** True when a parsed JSON object looks like a vLLM serving result (used for format detection). */
export function looksLikeVllmResult(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    'duration' in value &&
    'completed' in value &&
    'total_input_tokens' in value
  );
}

/**
 * Parses a result file that may hold several results, one JSON object per line, as
 * `vllm bench serve --append-result` writes them. Each result's records get `run` set to
 * `line <n>` so that their time windows stay apart. A single (possibly pretty-printed) document
 * is one result.
 */
export function parseVllmResults(text: string, file: string, rejected?: RejectedLines): VllmResult[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const single = lines.length <= 1 || !lines.every((l) => l.trimStart().startsWith('{') && l.trimEnd().endsWith('}'));
  if (single) return [parseVllmResult(text, file, rejected)];
  const results: VllmResult[] = [];
  let lineNumber = 0;
  for (const line of text.split('\n')) {
    lineNumber++;
    if (line.trim() === '') continue;
    let result: VllmResult;
    try {
      result = parseVllmResult(line, file, rejected, lineNumber);
    } catch (error) {
      if (error instanceof InputError) {
        throw new InputError(error.message.replace(`${file}: `, ''), { file, line: lineNumber, hint: error.hint, cause: error });
      }
      throw error;
    }
    for (const record of result.records) record.run = `line ${lineNumber}`;
    results.push(result);
  }
  return results;
}
