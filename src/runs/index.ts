/** The run registry and the job lifecycle (submit, status, watch, fetch, cancel). Explicit export list. */
export {
  RUN_RECORD_SCHEMA,
  type RunRecord,
  type RunJob,
  type RunCluster,
  type RunSshSettings,
  type SubmissionAttempt,
  type HistoryEntry,
  type JobFactsRecord,
  type TaskFactsRecord,
  parseRunRecord,
  currentJobIds,
  findJob,
  addHistory,
  runTag,
} from './run-record.js';
export {
  RUN_FILE,
  runDirectory,
  runFilePath,
  writeRunRecord,
  readRunRecord,
  listRunIds,
  resolveRunId,
  writeRunRecordMerged,
  listRuns,
  listRenderedRuns,
  type RenderedRunListing,
  type RunListing,
} from './registry.js';
export {
  MANIFEST_FILE,
  type SubmitManifest,
  type SubmitManifestJob,
  parseSubmitManifest,
  readSubmitManifest,
  taskNames,
  expandArraySpec,
} from './manifest-file.js';
export {
  type ConnectClusterOptions,
  connectCluster,
  describeRunCluster,
  resolveClusterTarget,
  connectionsOpened,
} from './connect.js';
export {
  type QueryCounters,
  type JobQueryOptions,
  type JobQueryResult,
  queryJobs,
  factsOfView,
  factsRecord,
  isViewFinal,
  taskStates,
  taskFacts,
} from './query.js';
export { checkpointAdvice, describeRestarts, formatRestarts, jobRestarts, taskRestarts } from './restarts.js';
export { type LostSubmissionQuery, findLostSubmission } from './lookup.js';
export { type PreflightCheck, type PreflightOptions as SubmitPreflightOptions, runPreflight, assertPreflight, hubDirectoryName } from './preflight.js';
export {
  type SubmitEvent,
  type SubmitRunOptions,
  type SubmitRunResult,
  submitRun,
  resubmitJob,
  createRunRecord,
  remoteRunDir,
  sbatchArgsFor,
  describeSubmitPlan,
  isAmbiguousSubmitError,
} from './submit.js';
export { type StatusRow, type StatusResult, type StatusRunOptions, statusRun } from './status.js';
export {
  TEST_POLL_FLOOR_ENV,
  type WatchEvent,
  type WatchJobStatus,
  type WatchRunOptions,
  type WatchRunResult,
  type JobOutcome,
  watchRun,
  isTransientFault,
  describeFault,
  factsOfRunJob,
  outcomesOf,
} from './watch.js';
export { uploadRun } from './upload.js';
export { type ExitFileOutcome, readExitFiles } from './exit-files.js';
export { type FetchedFile, type FetchRunOptions, type FetchRunResult, fetchRun } from './fetch.js';
export { type CancelRunOptions, type CancelRunResult, cancelRun } from './cancel.js';
export { type AfterRunPlan, type AfterRunJobs, type SubmitAfter, planAfterRun, checkAfterRunJobs } from './after-run.js';
export { type ResubmitPlan, type PlannedResubmission, type ResubmitOptions, type ResubmitResult, planResubmit, resubmitRun, describeResubmission } from './resubmit.js';
