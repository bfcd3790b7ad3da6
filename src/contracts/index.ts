/** One schema per file hpcbench writes and reads back, shared by the writer and every reader. */
export { type ContractInfo, parseJsonDocument, validateDocument } from './json-file.js';
export { RUN_ID_PATTERN, runIdSchema, isValidRunId } from './run-id.js';
export { jobIdSchema } from './job-id.js';
export { runRecordSchema,  RUN_RECORD_SCHEMA,  } from './run.js';
export { manifestSchema, manifestViewSchema, MANIFEST_SCHEMA_ID,  type Manifest, type ManifestView } from './manifest.js';
export { metadataSchema, METADATA_SCHEMA_ID, type MetadataDocument } from './metadata.js';
export { metricsSchema, METRICS_SCHEMA_ID, METRICS_SCHEMA_V1, validateMetricsDocument, parseMetricsDocument, readMetricsDocument, serializeMetricsDocument } from './metrics.js';
export { reportSchema, REPORT_SCHEMA_ID, parseJsonReport, readJsonReport, type JsonReportFile } from './report.js';
export { processSchema } from './process.js';
export { exitSchema, parseExitDocument, type ExitDocument } from './exit.js';
