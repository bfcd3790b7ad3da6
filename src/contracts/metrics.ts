/**
 * metrics.json: what `hpcbench profile` wrote (the writer's type is MetricsDocument in
 * src/profile/metrics-document.ts). The schema checks every part a report, compare or CSV
 * walks, down to the lists and objects they index into; figures deeper down are kept as
 * written. Unknown keys are kept, so documents of later versions still read.
 */
import { z } from 'zod';
import { MISSING_REASONS_EN, type MetricsDocument, type MissingCode } from '../profile/metrics-document.js';
import { validateDocument, parseJsonText, readJsonText, type ContractInfo } from './json-file.js';

export const METRICS_SCHEMA_ID = 'hpcbench.metrics/1';

const numberOrNull = z.number().nullable();
const section = z.looseObject({});
const optionalSection = section.nullable().optional();
const paramValue = z.union([z.string(), z.number(), z.boolean(), z.null()], { error: 'a string, number, boolean or null' });

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
  series: z.array(gpuSeriesSchema).optional(),
});

const latencySummary = section.nullable();

const inferenceSchema = z.looseObject({
  warnings: z.array(z.string()).optional(),
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

export const metricsSchema = z.looseObject({
  schema: z.literal(METRICS_SCHEMA_ID, { error: `"${METRICS_SCHEMA_ID}" (regenerate it with \`hpcbench profile\` from this version)` }),
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
});

export const METRICS_INFO: ContractInfo = {
  expected: `a ${METRICS_SCHEMA_ID} document written by hpcbench profile`,
  fix: 'regenerate it with `hpcbench profile`',
};

/**
 * A parsed metrics.json checked against the contract (which has no defaults or transforms, so
 * the checked value itself is returned). The figures below the checked parts are kept as
 * written, so the result is the writer's type.
 */
export function validateMetricsDocument(value: unknown, file: string): MetricsDocument {
  validateDocument(metricsSchema, value, file, METRICS_INFO);
  // The document as written, not zod's copy: that one reorders keys, and reports list them in order.
  return value as MetricsDocument;
}

export function parseMetricsDocument(text: string, file: string): MetricsDocument {
  return validateMetricsDocument(parseJsonText(text, file, METRICS_INFO), file);
}

export function readMetricsDocument(file: string): MetricsDocument {
  return parseMetricsDocument(readJsonText(file, METRICS_INFO), file);
}
