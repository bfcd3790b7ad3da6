/** The run registry and the job lifecycle (submit, status, watch, fetch, cancel). Explicit export list. */
export { type RunRecord, type RunJob, type RunCluster } from './run-record.js';
export { readRunRecord, listRunIds, resolveRunId, listRuns, type RunListing } from './registry.js';
export { type SubmitManifest, parseSubmitManifest, readSubmitManifest } from './manifest-file.js';
export { type JobQueryOptions, type JobQueryResult, queryJobs } from './query.js';
export { type SubmitEvent, type SubmitRunOptions, type SubmitRunResult, submitRun } from './submit.js';
export { type StatusRow, type StatusResult, type StatusRunOptions, statusRun } from './status.js';
export { type WatchEvent, type WatchRunOptions, type WatchRunResult, type JobOutcome, watchRun } from './watch.js';
export { type FetchedFile, type FetchRunOptions, type FetchRunResult, fetchRun } from './fetch.js';
export { type CancelRunOptions, type CancelRunResult, cancelRun } from './cancel.js';
export { type ResubmitPlan, type ResubmitOptions, type ResubmitResult, planResubmit, resubmitRun } from './resubmit.js';
