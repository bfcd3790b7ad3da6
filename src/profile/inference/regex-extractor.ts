/**
 * User-defined regex extractors for any text log, declared in the experiment config:
 *
 *   extractors:
 *     - pattern: 'batch=(?<batch_size>\d+) latency=(?<latency_ms>[\d.]+)ms out=(?<output_tokens>\d+)'
 *     - pattern: 'ttft ([\d.]+) s'
 *       fields: [ttft_s]          # names for unnamed groups, in order
 *
 * Named groups (or `fields`) become fields; values that look like numbers become numbers.
 * Lines that match no pattern are ignored (a text log is mostly noise); a matching line whose
 * fields do not make a valid inference record is rejected with a reason.
 */
import { ConfigError, type ConfigIssue } from '../../errors.js';
import {
  describeZodIssues,
  inferenceRecordSchema,
  normaliseInferenceRecord,
  type InferenceParams,
  type InferenceRecord,
} from './schema.js';

/** One extractor as written in the config. */
export interface RegexExtractorSpec {
  pattern: string;
  /** Field names for unnamed capture groups, in order. Named groups keep their own names. */
  fields?: string[];
  /** Regular expression flags; only `i`, `s`, `u`, `m` make sense for one line. */
  flags?: string;
  /** Only for logs of this file name (`*` matches any characters), e.g. `server-*.log`; default all. */
  file?: string;
}

/** The extractors that apply to a log named `name` (their `file`, when given, matches it). */
export function selectExtractorsForFile<T extends RegexExtractorSpec>(specs: readonly T[], name: string): T[] {
  return specs.filter((spec) => {
    if (spec.file === undefined) return true;
    const pattern = spec.file.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
    return new RegExp(`^${pattern}$`).test(name);
  });
}

export interface CompiledExtractor {
  regex: RegExp;
  fields: readonly string[];
}

export type ExtractedValue = number | string;
export type ExtractedFields = Record<string, ExtractedValue>;

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Compiles the extractors once, checking every one; all problems are reported together as a
 * ConfigError located at `configPath` (e.g. `experiments.vllm.profile.extractors`).
 */
export function compileExtractors(specs: readonly RegexExtractorSpec[], configPath: string): CompiledExtractor[] {
  const issues: ConfigIssue[] = [];
  const compiled: CompiledExtractor[] = [];
  specs.forEach((spec, index) => {
    const where = `${configPath}[${index}]`;
    const flags = spec.flags ?? '';
    if (/[gy]/.test(flags)) {
      issues.push({ path: `${where}.flags`, message: `flags "${flags}" include g or y; each line is matched once, remove them` });
      return;
    }
    let regex: RegExp;
    try {
      regex = new RegExp(spec.pattern, flags);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      issues.push({
        path: `${where}.pattern`,
        message: `invalid regular expression ${JSON.stringify(spec.pattern)}: ${detail}; check brackets and escape backslashes in YAML`,
      });
      return;
    }
    const badName = (spec.fields ?? []).find((name) => !FIELD_NAME.test(name));
    if (badName !== undefined) {
      issues.push({ path: `${where}.fields`, message: `field name ${JSON.stringify(badName)} is not an identifier (letters, digits, _)` });
      return;
    }
    const hasNamedGroup = /\(\?<[A-Za-z_]/.test(spec.pattern);
    if (!hasNamedGroup && (spec.fields ?? []).length === 0) {
      issues.push({
        path: `${where}.pattern`,
        message: 'the pattern captures no field; use named groups like (?<latency_ms>[\\d.]+) or list `fields`',
      });
      return;
    }
    compiled.push({ regex, fields: spec.fields ?? [] });
  });
  if (issues.length > 0) throw new ConfigError(issues, 'fix the regex extractors in the experiment config');
  return compiled;
}

function convertValue(text: string): ExtractedValue {
  return NUMBER.test(text.trim()) ? Number(text.trim()) : text;
}

/**
 * Applies every extractor to one line and merges what they capture (a later pattern wins on
 * a repeated name). Returns undefined when no extractor matches.
 */
export function extractFields(extractors: readonly CompiledExtractor[], text: string): ExtractedFields | undefined {
  let fields: ExtractedFields | undefined;
  for (const { regex, fields: names } of extractors) {
    const match = regex.exec(text);
    if (match === null) continue;
    fields ??= {};
    names.forEach((name, i) => {
      const value = match[i + 1];
      if (value !== undefined) (fields as ExtractedFields)[name] = convertValue(value);
    });
    for (const [name, value] of Object.entries(match.groups ?? {})) {
      if (value !== undefined) fields[name] = convertValue(value);
    }
  }
  return fields;
}

/** Field names in milliseconds accepted from text logs, and the schema field they feed. */
const MILLISECOND_FIELDS: Record<string, string> = {
  latency_ms: 'latency_s',
  ttft_ms: 'ttft_s',
  e2e_ms: 'latency_s',
};
const RECORD_FIELDS = new Set([
  'id',
  'start',
  'end',
  'latency_s',
  'batch_size',
  'input_tokens',
  'output_tokens',
  'ttft_s',
  'warmup',
  'error',
]);

/**
 * Maps extracted fields onto the inference schema: `*_ms` latency fields are converted to
 * seconds, `warmup` accepts true/false/1/0, `param_<name>` becomes sweep parameter `<name>`,
 * and other captures are ignored.
 */
export function fieldsToInferenceRecord(
  fields: ExtractedFields,
  headerParams: InferenceParams = {},
): { record: InferenceRecord } | { reason: string } {
  const raw: Record<string, unknown> = {};
  const params: InferenceParams = {};
  for (const [name, value] of Object.entries(fields)) {
    const seconds = MILLISECOND_FIELDS[name];
    if (seconds !== undefined) {
      raw[seconds] = typeof value === 'number' ? value / 1000 : value;
    } else if (name === 'warmup') {
      raw.warmup = value === 1 || value === 'true' || value === 'True';
    } else if (name === 'error') {
      raw.error = String(value);
    } else if (RECORD_FIELDS.has(name)) {
      raw[name] = value;
    } else if (name.startsWith('param_') && name.length > 6) {
      params[name.slice(6)] = value;
    }
    // Any other capture is ignored: helper groups must not split records into sweep points.
  }
  if (Object.keys(params).length > 0) raw.params = params;
  const parsed = inferenceRecordSchema.safeParse(raw);
  if (!parsed.success) return { reason: `extracted fields do not make a record: ${describeZodIssues(parsed.error)}` };
  return { record: normaliseInferenceRecord(parsed.data, headerParams) };
}
