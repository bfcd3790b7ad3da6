/**
 * The library API of hpcbench: an explicit export list, grouped by concern in the order data
 * flows (config → render → submit/status/fetch → profile → report/compare). Anything not listed
 * here is internal and may change without notice; the CLI (src/cli) uses these same functions.
 */

// Errors: every class carries an exit code and a hint; only the CLI turns them into exit codes.
export {
  ExitCode,
  HpcbenchError,
  UsageError,
  ConfigError,
  InputError,
  UnsafeWriteError,
  RunLockedError,
  RemoteError,
  CheckFailedError,
  InterruptedError,
  RenderError,
  SlurmFormatError,
  ControllerUnreachableError,
  AccountingUnavailableError,
  SlurmCommandError,
  SbatchRejectedError,
  SshConnectError,
  ConnectionLostError,
  DownloadRefusedError,
  formatIssue,
  isHpcbenchError,
  type ConfigIssue,
  type DownloadRefusalReason,
} from './errors.js';

// Configuration: load and validate hpcbench.yaml, cluster presets, `hpcbench init`, the JSON Schema for editors.
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

// Contracts: one schema per file hpcbench writes and reads back (run.json, manifest, metadata, metrics,
// report.json, process.json, exit.json). metrics.json and report.json are snake_case on disk; the readers
// return the in-memory documents.
export {
  type ContractInfo,
  parseJsonDocument,
  validateDocument,
  RUN_ID_PATTERN,
  runIdSchema,
  isValidRunId,
  jobIdSchema,
  runRecordSchema,
  RUN_RECORD_SCHEMA,
  manifestSchema,
  manifestViewSchema,
  MANIFEST_SCHEMA_ID,
  type Manifest,
  type ManifestView,
  metadataSchema,
  METADATA_SCHEMA_ID,
  type MetadataDocument,
  metricsSchema,
  METRICS_SCHEMA_ID,
  METRICS_SCHEMA_V1,
  validateMetricsDocument,
  // The text of metrics.json (fetched or piped, not on disk), as parseJsonReport reads report.json's.
  parseMetricsDocument,
  readMetricsDocument,
  serializeMetricsDocument,
  reportSchema,
  REPORT_SCHEMA_ID,
  parseJsonReport,
  readJsonReport,
  type JsonReportFile,
  processSchema,
  // How a job script ended (its EXIT trap's exit.json in out/<experiment>/<task>/).
  exitSchema,
  parseExitDocument,
  type ExitDocument,
} from './contracts/index.js';

// Render: experiments to sbatch scripts and a run directory (templates, sweeps, --set overrides, preflight).
export {
  renderRun,
  writeRun,
  createRunId,
  // The environment RenderOptions.environment takes: one per process when rendering many runs.
  createTemplateEnvironment,
  listTemplates,
  findTemplate,
  readTemplate,
  SHIPPED_TEMPLATES_DIR,
  preflightRun,
  checkLoadedConfig,
  expandSweep,
  applySetOverrides,
  parseSetArgument,
  type RenderOptions,
  type RenderedRun,
  type WriteOptions,
  type TemplateEnvironmentOptions,
  type TemplateEntry,
  type PreflightResult,
  type ConfigCheck,
  type ParamRecord,
  type SetOverride,
} from './render/index.js';

// Shell quoting: the one function every value that reaches a shell passes through.
export { quoteShell, shellCommand } from './shell-quote.js';

// Transport: where commands run (SSH with ~/.ssh/config, or this machine) and how a cluster entry connects.
export {
  LocalTransport,
  SshTransport,
  resolveSshTarget,
  resolveSshSettings,
  describeTarget,
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
export { connectCluster, describeRunCluster, type ConnectClusterOptions } from './runs/connect.js';

// SLURM job states: one discriminated union for what squeue and sacct report.
export { parseJobState, formatJobState, isTerminal, type JobState, type JobStateName, type JobView as SlurmJobView } from './slurm/index.js';

// Runs: submit, status, watch, fetch, cancel and resubmit a run, and its registry (results/<run-id>/run.json).
export {
  submitExperiment,
  resumeSubmission,
  type SubmitExperimentOptions,
  type SubmitExperimentResult,
  type SubmitExperimentEvent,
  type ResumeSubmissionOptions,
} from './runs/submit-experiment.js';
export {
  submitRun,
  statusRun,
  watchRun,
  fetchRun,
  cancelRun,
  planResubmit,
  resubmitRun,
  queryJobs,
  readRunRecord,
  listRuns,
  listRunIds,
  resolveRunId,
  readSubmitManifest,
  parseSubmitManifest,
  type SubmitEvent,
  type SubmitRunOptions,
  type SubmitRunResult,
  type StatusRow,
  type StatusResult,
  type StatusRunOptions,
  type WatchEvent,
  type WatchRunOptions,
  type WatchRunResult,
  type JobOutcome,
  type FetchRunOptions,
  type FetchRunResult,
  type FetchedFile,
  type CancelRunOptions,
  type CancelRunResult,
  type ResubmitPlan,
  type ResubmitOptions,
  type ResubmitResult,
  type JobQueryOptions,
  type JobQueryResult,
  type RunRecord,
  type RunJob,
  type RunCluster,
  type RunListing,
  type SubmitManifest,
} from './runs/index.js';

// Profile: a fetched run (or loose log files) to metrics.json, and the readers of each source.
export { profileRun, profileFiles, type ProfileOptions } from './profile/profile-run.js';
export { METRICS_SCHEMA, type MetricsDocument, type TaskMetrics } from './profile/metrics-document.js';
export { readInferenceLog, detectInferenceFormat, type InferenceLog, type ReadInferenceLogOptions } from './profile/inference/log.js';
export { computeInferenceMetrics, type InferenceMetrics, type InferenceMetricsOptions } from './profile/inference/metrics.js';
export { aggregateInferenceSweep, type InferenceSweepPoint } from './profile/inference/sweep.js';
export { type InferenceRecord } from './profile/inference/schema.js';
// readInferenceLog's JSONL and text records are views of typed columns (spreading one copies nothing): a record as a plain object.
export { toPlainInferenceRecord } from './profile/inference/columns.js';
export { readTrainingLog, type TrainingLog, type TrainingRecord } from './profile/training/log.js';
// trainer_state.json's text (the Trainer writes one into each checkpoint-*/) to records and its top-level figures.
export { parseTrainerState, type TrainerState } from './profile/training/trainer-state.js';
export { computeTrainingMetrics, type TrainingMetrics } from './profile/training/metrics.js';
export { summarizeNvidiaSmiLogs, type NvidiaSmiSummary, type NvidiaSmiOptions } from './profile/gpu/nvidia-smi.js';
// One nvidia-smi format each, for a caller who knows what the files hold (summarizeNvidiaSmiLogs detects it).
export { summarizeQueryGpuLogs } from './profile/gpu/nvidia-smi-query-files.js';
export { summarizeDmonLogs, type DmonOptions } from './profile/gpu/nvidia-smi-dmon.js';
export { type QueryGpuOptions } from './profile/gpu/nvidia-smi-query.js';
export { type GpuMetrics } from './profile/gpu/metrics-types.js';
export { readSacctFigures, type ReadSacctOptions } from './profile/accounting/sacct-read.js';
export { computeAccountingMetrics, type AccountingMetrics, type AccountingRates } from './profile/accounting/accounting.js';
export { queryJobEfficiency, type EfficiencyReport, type JobEfficiency } from './profile/accounting/efficiency.js';
// seff's figures plus GPU-hours and the charge for jobs read from saved sacct output (readSacctFigures), no cluster needed.
export { chargeJob } from './profile/accounting/efficiency.js';
export { formatEfficiencyReport, toEfficiencyJson } from './profile/accounting/efficiency-format.js';

// Statistics: percentiles, summaries and seeded bootstrap intervals, as metrics.json and compare use them.
export {
  percentile,
  sortedCopy,
  summarize,
  bootstrapCi,
  percentileStatistic,
  meanStatistic,
  bootstrapRelativeChange,
  DEFAULT_BOOTSTRAP_SEED,
  countOutliers,
  excludeWarmup,
  type PercentileMethod,
  type Summary,
  type BootstrapOptions,
  type BootstrapInterval,
  type ChangeInterval,
} from './stats/index.js';

// Report: Markdown (en, pt-BR), CSV, JSON and HTML reports of a profiled run.
export { buildReports, type BuildReportsOptions, type BuiltReports } from './report/build-report.js';
export {
  loadRun,
  buildReportModel,
  renderMarkdownReport,
  renderCsvReport,
  renderJsonReport,
  renderHtmlReport,
  renderReportFiles,
  writeReportFiles,
  REPORT_FORMATS,
  REPORT_LANGS,
  type LoadedRun,
  type ReportModel,
  type ReportOptions,
  type ReportFormat,
  type ReportLang,
  type RenderReportOptions,
} from './report/index.js';
// Report wording: one catalogue per language; a library user adds a language with a catalogue of their own.
export { registerCatalogue, type Catalogue } from './report/i18n/index.js';

// Compare: the relative change of every metric between two runs, with bootstrap intervals and a verdict.
export {
  compareRuns,
  findRegressions,
  renderComparisonMarkdown,
  type RunComparison,
  type MetricComparison,
  type CompareOptions,
  type ComparisonVerdict,
} from './report/index.js';
