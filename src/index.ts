/**
 * The library API: an explicit export list. Add exports here as modules land.
 */
export * from './errors.js';
export { quoteShell, shellCommand } from './shell-quote.js';
export * from './stats/index.js';
export {
  scanLines,
  scanLineBytes,
  MAX_LINE_BYTES,
  readLines,
  RejectedLines,
  enforceStrict,
  emptyFileError,
  unrecognisedFileError,
  type Line,
  type ReadProgress,
  type ReadLinesOptions,
  type ScanResult,
  type RejectedLine,
  type RejectedLinesReport,
} from './profile/lines.js';
export {
  loadConfig,
  loadConfigText,
  findConfigFile,
  resolveConfigPath,
  PRESETS,
  findPreset,
  JOB_NAME_PATTERN,
  type ResolvedConfig,
  type Cluster,
  type Partition,
  type Experiment,
  type Resources,
  type Profiling,
  type Checkpoint,
  type Sweep,
  type Preset,
} from './config/index.js';
export {
  listInitFiles,
  renderInitConfig,
  writeInitFiles,
  validateInitAnswers,
  INIT_PRESETS,
  type InitAnswers,
  type InitFile,
  type InitPreset,
} from './config/init-project.js';
export { generateConfigJsonSchema, listSchemaKeyPaths, type JsonSchemaNode } from './config/json-schema.js';
export * from './slurm/index.js';
export {
  LocalTransport,
  SshTransport,
  resolveSshTarget,
  resolveSshSettings,
  describeTarget,
  parseKnownHosts,
  checkHostKey,
  fingerprintSha256,
  knownHostName,
  DEFAULT_EXEC_TIMEOUT_MS,
  type Transport,
  type TransportKind,
  type ExecOptions,
  type ExecResult,
  type RemoteStat,
  type RemoteDirEntry,
  type DownloadResult,
  type FileWriteOptions,
  type SshTarget,
  type SshTargetSettings,
  type SshTransportOptions,
  type LocalTransportOptions,
} from './transport/index.js';
export {
  INFERENCE_SCHEMA_ID,
  inferenceHeaderSchema,
  inferenceRecordSchema,
  parseInferenceLine,
  normaliseInferenceRecord,
  type InferenceHeader,
  type InferenceRecord,
  type InferenceLine,
  type InferenceParams,
  type InferenceParamValue,
  type RawInferenceRecord,
} from './profile/inference/schema.js';
export {
  readInferenceLog,
  detectInferenceFormat,
  type InferenceLog,
  type InferenceLogFormat,
  type ReadInferenceLogOptions,
} from './profile/inference/log.js';
// Records of streamed logs are read-only views of typed-array columns; toPlainInferenceRecord copies one.
export { InferenceRecordView, toPlainInferenceRecord } from './profile/inference/columns.js';
export {
  computeInferenceMetrics,
  computeTpot,
  excludeInferenceWarmup,
  type InferenceMetrics,
  type InferenceMetricsOptions,
  type InferenceSlo,
  type InferenceGoodput,
  type InferenceEnergy,
  type LatencySummary,
  type ReportedSummary,
} from './profile/inference/metrics.js';
export {
  aggregateInferenceSweep,
  groupInferenceRecords,
  paramsKey,
  type InferenceSweepPoint,
  type InferenceSweepOptions,
} from './profile/inference/sweep.js';
export {
  parseVllmResult,
  looksLikeVllmResult,
  vllmResultSchema,
  type VllmResult,
  type VllmResultFile,
  type VllmReportedSummary,
} from './profile/inference/vllm-result.js';
export {
  computeSummaryMetrics,
  summariseVllmResult,
  type BenchmarkSummary,
  type ReportedStatistic,
} from './profile/inference/vllm-summary.js';
export { readGenaiPerfSummary, readLlmperfSummary } from './profile/inference/summary-formats.js';
export {
  compileExtractors,
  extractFields,
  fieldsToInferenceRecord,
  type RegexExtractorSpec,
  type CompiledExtractor,
  type ExtractedFields,
  type ExtractedValue,
} from './profile/inference/regex-extractor.js';
export {
  readTrainingLog,
  parseTrainingJsonLine,
  parseTrainerLine,
  classifyTrainingDict,
  detectTrainingFormat,
  type ClassifyOptions as TrainingClassifyOptions,
  type TrainingLog,
  type TrainingLogFormat,
  type TrainingRecord,
  type TrainingStepRecord,
  type TrainingEvalRecord,
  type TrainingSummaryRecord,
  type TrainingLine,
  type ReadTrainingLogOptions,
} from './profile/training/log.js';
export { parsePythonDict, type PythonScalar } from './profile/training/python-dict.js';
export { readTrainerState, parseTrainerState, type TrainerState } from './profile/training/trainer-state.js';
export { TrainerProgress } from './profile/training/stdout.js';
export {
  computeTrainingMetrics,
  type TrainingLogContext,
  type TrainingLogSource,
  type TrainingMetrics,
  type CurvePoint,
  type TrainingFigureSource,
} from './profile/training/metrics.js';
export {
  computeAccountingMetrics,
  toAccountingRates,
  type AccountingRecord,
  type AccountingRates,
  type AccountingMetrics,
  type AccountingOptions,
} from './profile/accounting/accounting.js';
export { readSacctFigures, readSacctJobs, looksLikeSacctOutput, type ReadSacctOptions } from './profile/accounting/sacct-read.js';
export { computeEfficiencies, type SacctJobFigures } from './profile/accounting/sacct.js';
export { readSacctTable, type SacctTable, type SacctTableRow } from './slurm/sacct-table.js';
export { queryJobEfficiency, buildEfficiencySacctArgs, type EfficiencyReport, type JobEfficiency } from './profile/accounting/efficiency.js';
export { formatEfficiencyReport, toEfficiencyJson } from './profile/accounting/efficiency-format.js';
export {
  sampleProcessTree,
  summarizeProcessSamples,
  listDescendantsFromProc,
  listDescendantsFromPs,
  descendantsFromTable,
  toProcessSamplesDocument,
  writeProcessSamples,
  type ProcessSamplesDocument,
  type ProcessSamples,
  type ProcessUsage,
  type ProcessUsageSummary,
  type ProcessSamplerOptions,
  type ProcessSamplerDeps,
} from './profile/process-sampler.js';
export * from './runs/index.js';
export { ExactHistogram } from './profile/exact-histogram.js';
export {
  GPU_METRIC_NAMES,
  BUSY_UTILIZATION_THRESHOLD,
  GpuAccumulator,
  computeDeviceMetrics,
  computeOverallMetrics,
  type GpuMetricName,
  type GpuIdentity,
  type GpuMetrics,
  type GpuDeviceMetrics,
  type GpuOverallMetrics,
  type MetricDistribution,
} from './profile/gpu/metrics.js';
export { GpuLogAccumulator } from './profile/gpu/log-accumulator.js';
export { DEFAULT_GPU_QUERY_FIELDS, parseHeaderLine, parseFieldName, type QueryField, type QueryFieldRole } from './profile/gpu/nvidia-smi-fields.js';
export { QueryGpuParser, type QueryGpuOptions } from './profile/gpu/nvidia-smi-query.js';
export { parseQueryGpuFiles, summarizeQueryGpuLogs } from './profile/gpu/nvidia-smi-query-files.js';
export { DmonParser, parseDmonFiles, summarizeDmonLogs, type DmonOptions } from './profile/gpu/nvidia-smi-dmon.js';
export {
  summarizeComputeApps,
  DEFAULT_COMPUTE_APPS_FIELDS,
  type ComputeAppUsage,
  type ComputeAppsSummary,
} from './profile/gpu/nvidia-smi-apps.js';
export {
  detectNvidiaSmiFormat,
  summarizeNvidiaSmiLogs,
  type NvidiaSmiFormat,
  type NvidiaSmiSummary,
  type NvidiaSmiOptions,
} from './profile/gpu/nvidia-smi.js';
export {
  renderRun,
  writeRun,
  orderExperiments,
  renderJobScript,
  PREFETCH_SCRIPT,
  createTemplateEnvironment,
  templateSearchPath,
  SHIPPED_TEMPLATES_DIR,
  listTemplates,
  listJobTemplateNames,
  findTemplate,
  readTemplate,
  buildJobView,
  preflightRun,
  expandSweep,
  formatArraySpec,
  createRunId,
  sha256Hex,
  MANIFEST_SCHEMA,
  RUN_ID_PATTERN,
  applySetOverrides,
  parseSetArgument,
  type RenderOptions,
  type RenderedRun,
  type WriteOptions,
  type TemplateEntry,
  type JobView,
  type RunManifest,
  type ManifestJob,
  type ManifestFile,
  type ManifestArray,
  type ParamRecord,
  type SetOverride,
} from './render/index.js';
export * from './report/index.js';
