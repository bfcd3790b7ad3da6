/**
 * report.json (`hpcbench report --format json`): what the report derived (reference checks,
 * advice, sweep choices, the reproduction bundle) and the whole metrics document, as metrics.json
 * of the current version holds it. hpcbench.report/2 has every key in snake_case, as
 * hpcbench.metrics/2 does; the message values of advice and sweep parameters are data and keep
 * their keys.
 */
import * as z from 'zod';
import type { MetricsDocument } from '../profile/metrics-document.js';
import { parseJsonText, readJsonText, validateDocument, type ContractInfo } from './json-file.js';
import { encodeMetricsDocument, validateMetricsDocument } from './metrics.js';
import { convertKeyToSnake } from './metrics-keys.js';

export const REPORT_SCHEMA_ID = 'hpcbench.report/2';

const fileDigestSchema = z.object({ path: z.string(), sha256: z.string() });
const paramValue = z.union([z.string(), z.number(), z.boolean(), z.null()], { error: 'a string, number, boolean or null' });

export const reportSchema = z.object({
  schema: z.literal(REPORT_SCHEMA_ID, { error: `"${REPORT_SCHEMA_ID}" (write the report again with \`hpcbench report --format json\`)` }),
  report: z.looseObject({
    generated_at: z.string(),
    tool: z.looseObject({ name: z.literal('hpcbench'), version: z.string() }),
    run_id: z.string(),
    references: z.array(
      z.looseObject({
        experiment: z.string(),
        task: z.string(),
        metric: z.string(),
        reference: z.number(),
        tolerance_pct: z.number(),
        direction: z.string(),
        measured: z.number().nullable(),
        deviation: z.number().nullable(),
        status: z.enum(['pass', 'fail', 'missing', 'unknown-metric']),
      }),
    ),
    advice: z.array(
      z.looseObject({
        code: z.string(),
        severity: z.enum(['warning', 'info']),
        experiment: z.string().optional(),
        task: z.string().optional(),
        values: z.record(z.string(), z.union([z.string(), z.number()])),
      }),
    ),
    sweep_choices: z.array(
      z.looseObject({
        experiment: z.string(),
        slo_ms: z.number().nullable(),
        best: z.looseObject({ experiment: z.string(), task: z.string(), params: z.record(z.string(), paramValue) }).nullable(),
        metric: z.string(),
        meeting: z.number(),
        judged: z.number(),
      }),
    ),
    reproduction: z.looseObject({
      scripts: z.array(fileDigestSchema),
      config: fileDigestSchema.nullable(),
      missing: z.array(z.string()),
      refused: z.array(z.looseObject({ path: z.string(), reason: z.string() })).optional(),
    }),
  }),
  // Checked by the metrics contract (see readJsonReport).
  metrics: z.unknown(),
});

export type JsonReportFile = Omit<z.output<typeof reportSchema>, 'metrics'> & { metrics: MetricsDocument };

const REPORT_INFO: ContractInfo = {
  expected: `a ${REPORT_SCHEMA_ID} document written by hpcbench report --format json`,
  fix: 'write it again with `hpcbench report <run> --format json`',
};

/** Keys of the report part that hold data (message values, sweep parameters): kept as they are. */
const REPORT_DATA_KEYS: ReadonlySet<string> = new Set(['values', 'params']);

function encodeReportKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(encodeReportKeys);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    Object.defineProperty(out, convertKeyToSnake(key), { value: REPORT_DATA_KEYS.has(key) ? child : encodeReportKeys(child), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * The report as report.json holds it, from the in-memory report part (the report module's
 * names) and the metrics document; checked against the contract the reader uses.
 */
export function encodeJsonReport(report: object, metrics: MetricsDocument): unknown {
  const document = { schema: REPORT_SCHEMA_ID, report: encodeReportKeys(report), metrics: encodeMetricsDocument(metrics) };
  const parsed = reportSchema.safeParse(document);
  // The report module's types promise this; a failure is a bug here, not bad input.
  if (!parsed.success) throw new Error(`report document does not match its contract: ${parsed.error.message}`);
  return document;
}

/** Parses report.json: the report part checked as written, the metrics document read through its own contract. */
export function parseJsonReport(text: string, file: string): JsonReportFile {
  const value = parseJsonText(text, file, REPORT_INFO);
  const checked = validateDocument(reportSchema, value, file, REPORT_INFO);
  return { ...checked, metrics: validateMetricsDocument(checked.metrics, file, { under: ['metrics'] }) };
}

export function readJsonReport(file: string): JsonReportFile {
  return parseJsonReport(readJsonText(file, REPORT_INFO), file);
}
