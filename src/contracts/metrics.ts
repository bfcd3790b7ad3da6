/**
 * metrics.json: what `hpcbench profile` wrote (the writer's type is MetricsDocument in
 * src/profile/metrics-document.ts). On disk, hpcbench.metrics/2 has every key in snake_case
 * (metrics-keys.ts converts them at the boundary); hpcbench.metrics/1 files, whose keys mix
 * both cases as the in-memory types do, still read. The schema below describes the in-memory
 * document and checks every part a report, compare or CSV walks, down to the lists and objects
 * they index into; figures deeper down are kept as written. Unknown keys are kept, so
 * documents of later versions still read.
 */
import * as z from 'zod';
import { METRICS_SCHEMA, METRICS_SCHEMA_V1, MISSING_REASONS_EN, type MetricsDocument, type MissingCode } from '../profile/metrics-document.js';
import { validateDocument, parseJsonText, readJsonText, type ContractInfo } from './json-file.js';
import { decodeMetricsKeys, encodeMetricsKeys, encodeMetricsPath } from './metrics-keys.js';
import { PROFILE_WARNING_CODES } from '../report/i18n/profile-warnings.js';

/** The version hpcbench writes: every key snake_case. */
export const METRICS_SCHEMA_ID = METRICS_SCHEMA;
/** The first version, read as it is: its keys are those of the in-memory types. */
export { METRICS_SCHEMA_V1 };

const numberOrNull = z.number().nullable();
const section = z.looseObject({});
const optionalSection = section.nullable().optional();
const paramValue = z.union([z.string(), z.number(), z.boolean(), z.null()], { error: 'a string, number, boolean or null' });

// Reports word the code from their catalogue: one they do not know would have no wording.
const warningCodesSchema = z
  .array(
    z.looseObject({
      code: z.enum(PROFILE_WARNING_CODES),
      values: z.record(z.string(), z.union([z.string(), z.number()])),
      task: z.string().optional(),
    }),
  )
  .optional();

const gpuSeriesSchema = z.looseObject({
  gpu: z.string(),
  t: z.array(z.number()),
  utilization: z.array(numberOrNull),
  memoryUsedMiB: z.array(numberOrNull),
  powerW: z.array(numberOrNull),
});

const gpuSchema = z.looseObject({
  files: z.array(z.string()),
  gpus: z.array(z.looseObject({ id: z.string().nullable().optional(), sources: z.array(z.string()).optional() })),
  overall: z.looseObject({ gpus: z.number() }),
  warnings: z.array(z.string()),
  warningCodes: warningCodesSchema,
  series: z.array(gpuSeriesSchema).optional(),
});

const latencySummary = section.nullable();

const inferenceSchema = z.looseObject({
  warnings: z.array(z.string()).optional(),
  warningCodes: warningCodesSchema,
  records: z.number(),
  requests: z.number().nullable(),
  topErrors: z.array(z.looseObject({ message: z.string(), count: z.number() })).optional(),
  latencyS: latencySummary.optional(),
  ttftS: latencySummary.optional(),
  tpotS: latencySummary.optional(),
  itlS: latencySummary.optional(),
  ci: section.optional(),
  params: section.optional(),
});

const trainingSchema = z.looseObject({
  stepEntries: z.number(),
  evalEntries: z.number(),
  warnings: z.array(z.string()).optional(),
  warningCodes: warningCodesSchema,
});

const MISSING_CODES = Object.keys(MISSING_REASONS_EN) as [MissingCode, ...MissingCode[]];

const missingSchema = z.looseObject({
  section: z.enum(['gpu', 'inference', 'training', 'accounting', 'process', 'metadata']),
  reason: z.string(),
  // Reports translate the code: one they do not know has no wording (the fuzz test found the crash).
  code: z.enum(MISSING_CODES).optional(),
  values: z.looseObject({ where: z.string().optional(), job: z.string().optional() }).optional(),
});

const taskSchema = z.looseObject({
  experiment: z.string(),
  task: z.string(),
  params: z.record(z.string(), paramValue).optional(),
  job_id: z.string().nullable().optional(),
  gpu: gpuSchema.nullable().optional(),
  gpu_series: z.array(gpuSeriesSchema),
  inference: inferenceSchema.nullable().optional(),
  latency_samples_s: z.array(z.number()),
  latency_samples_strided: z.boolean().optional(),
  throughput_samples: z.array(z.number()),
  training: trainingSchema.nullable().optional(),
  accounting: optionalSection,
  process: optionalSection,
  metadata: optionalSection,
  checkpoints: optionalSection,
  gpu_processes: optionalSection,
  missing: z.array(missingSchema),
});

const SCHEMA_EXPECTED = `"${METRICS_SCHEMA_ID}" or "${METRICS_SCHEMA_V1}" (regenerate it with \`hpcbench profile\` from this version)`;

/** Only the version, checked first: it decides how the keys are read. */
const versionSchema = z.looseObject({ schema: z.enum([METRICS_SCHEMA_ID, METRICS_SCHEMA_V1], { error: SCHEMA_EXPECTED }) }, { error: 'a JSON object' });

/** The document with its in-memory keys (a /2 file after decoding, or a /1 file as it is). */
export const metricsSchema = z.looseObject({
  schema: z.enum([METRICS_SCHEMA_ID, METRICS_SCHEMA_V1], { error: SCHEMA_EXPECTED }),
  generated_at: z.string().optional(),
  tool: section.optional(),
  run: z.looseObject({
    run_id: z.string().nullable().optional(),
    experiments: z.array(z.string(), { error: 'a list of experiment names' }),
    cluster: z.string().nullable().optional(),
    partition: z.string().nullable().optional(),
    root: z.string().optional(),
  }),
  method: z.looseObject({
    percentile_method: z.enum(['linear', 'nearest-rank']).optional(),
    warmup_records: z.number().optional(),
    warmup_by_experiment: z.record(z.string(), z.number()).optional(),
    bootstrap: z.looseObject({ iterations: z.number(), confidence: z.number(), seed: z.number() }).optional(),
  }),
  sources: z.array(z.looseObject({ file: z.string(), kind: z.string(), task: z.string().nullable().optional() })),
  tasks: z.array(taskSchema),
  sweep: z.array(z.looseObject({ experiment: z.string(), task: z.string() })),
  warnings: z.array(z.string()),
  warning_codes: warningCodesSchema,
});

const METRICS_INFO: ContractInfo = {
  expected: `a ${METRICS_SCHEMA_ID} document written by hpcbench profile`,
  fix: 'regenerate it with `hpcbench profile`',
};

/**
 * A parsed metrics.json (either version) checked against the contract, as the in-memory
 * document; `schema` stays the file's, which reports quote. Errors name fields as the file
 * spells them. An in-memory document passes through unchanged (its keys decode to themselves).
 */
export function validateMetricsDocument(value: unknown, file: string, options: { under?: readonly PropertyKey[] } = {}): MetricsDocument {
  const under = options.under ?? [];
  const { schema } = validateDocument(versionSchema, value, file, METRICS_INFO, { showPath: (path) => [...under, ...path] });
  const current = schema === METRICS_SCHEMA_ID;
  const document = current ? decodeMetricsKeys(value) : value;
  validateDocument(metricsSchema, document, file, METRICS_INFO, { showPath: (path) => [...under, ...(current ? encodeMetricsPath(path) : path)] });
  // The checked document, not zod's copy: that one reorders keys, and reports list them in order.
  // The schema has no defaults or transforms and keeps unknown keys, so nothing else differs.
  return document as MetricsDocument;
}

/**
 * A document as metrics.json of the current version holds it (keys in snake_case), checked
 * against the contract the readers use. A document read from a /1 file is written as /2.
 */
export function encodeMetricsDocument(document: MetricsDocument): unknown {
  const parsed = metricsSchema.safeParse(document);
  // The writer's types promise this; a failure is a bug here, not bad input.
  if (!parsed.success) throw new Error(`metrics document does not match its contract: ${parsed.error.message}`);
  return encodeMetricsKeys({ ...document, schema: METRICS_SCHEMA_ID });
}

/** The text of metrics.json for a document. */
export function serializeMetricsDocument(document: MetricsDocument): string {
  return `${JSON.stringify(encodeMetricsDocument(document), null, 2)}\n`;
}

export function parseMetricsDocument(text: string, file: string): MetricsDocument {
  return validateMetricsDocument(parseJsonText(text, file, METRICS_INFO), file);
}

export function readMetricsDocument(file: string): MetricsDocument {
  return parseMetricsDocument(readJsonText(file, METRICS_INFO), file);
}
