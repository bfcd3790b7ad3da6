/**
 * The hpcbench inference JSONL schema ("hpcbench.inference/1"), documented in
 * docs/inference-jsonl.md. Reference workloads write one JSON object per line; this module
 * validates one line at a time and normalises it to an `InferenceRecord`.
 */
import * as z from 'zod';

const INFERENCE_SCHEMA_ID = 'hpcbench.inference/1';

/** A sweep point's parameters: flat scalars so that they can key a group and a table column. */
export type InferenceParamValue = string | number | boolean | null;
export type InferenceParams = Record<string, InferenceParamValue>;

const paramsSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]));
const nonNegative = z.number().finite().nonnegative();
const count = z.number().int().nonnegative();

/** The optional first line: names the schema and carries what holds for every record of the file. */
export const inferenceHeaderSchema = z.object({
  schema: z.string().refine((s) => s.startsWith('hpcbench.inference/'), {
    message: `expected "${INFERENCE_SCHEMA_ID}"`,
  }),
  params: paramsSchema.optional(),
  model: z.string().optional(),
  backend: z.string().optional(),
  host: z.string().optional(),
});
export type InferenceHeader = z.infer<typeof inferenceHeaderSchema>;

/** One request, or one batch of `batch_size` requests served together. */
export const inferenceRecordSchema = z
  .object({
    id: z.union([z.string(), z.number()]).optional(),
    start: nonNegative.optional(),
    end: nonNegative.optional(),
    latency_s: nonNegative.optional(),
    batch_size: z.number().int().positive().optional(),
    input_tokens: count.optional(),
    output_tokens: count.optional(),
    ttft_s: nonNegative.optional(),
    token_times_s: z.array(nonNegative).optional(),
    itl_s: z.array(nonNegative).optional(),
    warmup: z.boolean().optional(),
    error: z.string().nullable().optional(),
    params: paramsSchema.optional(),
  })
  .superRefine((r, ctx) => {
    if (r.latency_s === undefined && (r.start === undefined || r.end === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['latency_s'],
        message: 'needs `latency_s` or both `start` and `end` (epoch seconds)',
      });
    }
    if (r.start !== undefined && r.end !== undefined && r.end < r.start) {
      ctx.addIssue({ code: 'custom', path: ['end'], message: `\`end\` (${r.end}) is before \`start\` (${r.start})` });
    }
    // A first token after the last one, or token times out of order, is a clock or logging bug:
    // the record's TTFT/TPOT would be silently wrong.
    const latency = r.latency_s ?? (r.start !== undefined && r.end !== undefined ? r.end - r.start : undefined);
    // end − start of epoch timestamps carries float64 rounding (~1e-7 s at 1.7e9): not an error.
    const rounding = 1e-9 + 8 * Number.EPSILON * Math.max(Math.abs(r.start ?? 0), Math.abs(r.end ?? 0));
    if (r.ttft_s !== undefined && latency !== undefined && r.ttft_s > latency + rounding) {
      ctx.addIssue({ code: 'custom', path: ['ttft_s'], message: `time to first token (${r.ttft_s} s) exceeds the request's latency (${latency} s)` });
    }
    const times = r.token_times_s ?? [];
    for (let i = 1; i < times.length; i++) {
      if ((times[i] as number) < (times[i - 1] as number)) {
        ctx.addIssue({ code: 'custom', path: ['token_times_s', i], message: `token times go backwards (${times[i - 1]} then ${times[i]})` });
        break;
      }
    }
    const first = times[0];
    if (first !== undefined && r.start !== undefined && first < r.start) {
      ctx.addIssue({ code: 'custom', path: ['token_times_s', 0], message: `first token time (${first}) is before \`start\` (${r.start})` });
    }
  });
export type RawInferenceRecord = z.infer<typeof inferenceRecordSchema>;

/** A validated record in the units hpcbench computes with (seconds, tokens). */
export interface InferenceRecord {
  /** Where it came from, for messages. */
  file?: string;
  line?: number;
  /** Which run inside the file, when one file holds several (vLLM --append-result lines). */
  run?: string;
  id?: string | number;
  start?: number;
  end?: number;
  /** Seconds from sending the request (batch) to receiving its last token. */
  latencyS: number;
  batchSize: number;
  /** Totals for the batch when batchSize > 1. */
  inputTokens?: number;
  outputTokens?: number;
  ttftS?: number;
  /** Inter-token latencies in seconds (from `itl_s`, or differences of `token_times_s`). */
  itlsS?: number[];
  warmup: boolean;
  /** null for a successful request; a non-empty message for a failed one. */
  error: string | null;
  params: InferenceParams;
}

export type InferenceLine =
  | { kind: 'header'; header: InferenceHeader }
  | { kind: 'record'; record: InferenceRecord }
  | { kind: 'rejected'; reason: string };

/** Formats a zod failure as "field `x`: message" so a rejected line says which field was wrong. */
export function describeZodIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => {
      const path = issue.path.map(String).join('.');
      return path ? `field \`${path}\`: ${issue.message}` : issue.message;
    })
    .join('; ');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Turns a validated raw record into an InferenceRecord, deriving TTFT and ITLs from token times. */
export function normaliseInferenceRecord(raw: RawInferenceRecord, headerParams: InferenceParams = {}): InferenceRecord {
  const latencyS = raw.latency_s ?? (raw.end as number) - (raw.start as number);
  let ttftS = raw.ttft_s;
  let itlsS = raw.itl_s;
  const times = raw.token_times_s;
  if (times !== undefined && times.length > 0) {
    if (ttftS === undefined && raw.start !== undefined) ttftS = Math.max(0, (times[0] as number) - raw.start);
    if (itlsS === undefined) itlsS = times.slice(1).map((t, i) => Math.max(0, t - (times[i] as number)));
  }
  const error = raw.error === undefined || raw.error === null || raw.error === '' ? null : raw.error;
  const record: InferenceRecord = {
    latencyS,
    batchSize: raw.batch_size ?? 1,
    warmup: raw.warmup ?? false,
    error,
    // Shared, not copied, when the record has no params of its own: a million records, one object.
    params: raw.params === undefined ? headerParams : { ...headerParams, ...raw.params },
  };
  if (raw.id !== undefined) record.id = raw.id;
  if (raw.start !== undefined) record.start = raw.start;
  if (raw.end !== undefined) record.end = raw.end;
  else if (raw.start !== undefined) record.end = raw.start + latencyS;
  if (raw.input_tokens !== undefined) record.inputTokens = raw.input_tokens;
  if (raw.output_tokens !== undefined) record.outputTokens = raw.output_tokens;
  if (ttftS !== undefined) record.ttftS = ttftS;
  if (itlsS !== undefined) record.itlsS = itlsS;
  return record;
}

/**
 * Classifies one line of an inference JSONL file. Never throws: a bad line comes back as
 * `rejected` with a reason, so the caller can count it and carry on.
 */
export function parseInferenceLine(text: string, headerParams: InferenceParams = {}): InferenceLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { kind: 'rejected', reason: `not valid JSON (${detail}); write one JSON object per line, NaN as null` };
  }
  if (!isPlainObject(value)) {
    return { kind: 'rejected', reason: `expected a JSON object, found ${Array.isArray(value) ? 'an array' : typeof value}` };
  }
  if ('schema' in value) {
    const header = inferenceHeaderSchema.safeParse(value);
    if (!header.success) return { kind: 'rejected', reason: `header: ${describeZodIssues(header.error)}` };
    return { kind: 'header', header: header.data };
  }
  // null means "not measured" (Python writers map NaN to null), the same as leaving the key out.
  const present = Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null));
  const parsed = inferenceRecordSchema.safeParse(present);
  if (!parsed.success) return { kind: 'rejected', reason: describeZodIssues(parsed.error) };
  return { kind: 'record', record: normaliseInferenceRecord(parsed.data, headerParams) };
}
