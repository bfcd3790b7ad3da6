/**
 * The SLURM client layer: argv builders and output parsers, no I/O (the transport runs the
 * commands). Explicit export list.
 */
export {
  type JobState,
  type JobStateName,
  type PlainJobStateName,
  parseJobState,
  formatJobState,
  describeJobState,
  isTerminal,
  unknownState,
} from './job-state.js';
export { type PendingReasonInfo, explainPendingReason, splitPendingReason } from './pending-reason.js';
export {
  type SlurmCommandOutput,
  type SlurmCondition,
  type SlurmConditionKind,
  classifySlurmStderr,
  checkControllerReachable,
} from './errors.js';
export {
  type SlurmDuration,
  type DurationResult,
  parseSlurmDuration,
  parseSlurmDurationValue,
  tryParseSlurmDuration,
  formatSlurmDuration,
  parseSlurmTimestamp,
} from './time.js';
export {
  type RequestedMemory,
  type Tres,
  parseSlurmMemory,
  tryParseSlurmMemory,
  formatSlurmMemory,
  parseRequestedMemory,
  parseTres,
} from './memory.js';
export { type JobIdParts, tryParseJobId } from './job-id.js';
export { expandHostList } from './hostlist.js';
export { type JobSource, type ExitStatus, type SlurmJobRecord, parseExitStatus } from './job-record.js';
export {
  type SbatchOptions,
  type SbatchSubmission,
  type SbatchTestOnlyEstimate,
  type SbatchTestOnlyResult,
  type Dependency,
  type DependencyClause,
  type DependencyType,
  buildSbatchArgs,
  formatDependency,
  parseSbatchParsable,
  parseSbatchTestOnly,
  parseSbatchErrors,
  readSbatchOutput,
} from './sbatch.js';
export {
  type SqueueQuery,
  type SqueueResult,
  SQUEUE_FIELDS,
  UNIT_SEPARATOR,
  buildSqueueArgs,
  parseSqueue,
  readSqueueOutput,
} from './squeue.js';
export {
  type SacctQuery,
  type SacctJob,
  type SacctStep,
  type SacctResult,
  type ParseSacctOptions,
  SACCT_FIELDS,
  buildSacctArgs,
  isRequeuedAttempt,
  parseSacct,
  readSacctOutput,
  findBatchStep,
} from './sacct.js';
export {
  type CheckpointStopReason,
  type CheckpointReasonCode,
  type CheckpointStopExplanation,
  CHECKPOINT_STOP_REASONS,
  CHECKPOINT_REASON_CODES,
  CHECKPOINT_STOP_EXIT_CODES,
  isCheckpointStopReason,
  checkpointStopOfExit,
  explainCheckpointStop,
} from './checkpoint-stop.js';
export { type ScancelTarget, type ScancelOptions, buildScancelArgs } from './scancel.js';
export { type JobView, mergeJobViews, summariseStates, idsNeedingAccounting } from './merge.js';
// sdiag is read by bench/submit-poll.bench.mjs (controller RPCs per poll cycle), not by the product.
export { type SdiagStats, type RpcCount, type RpcDelta, parseSdiag, diffSdiag } from './sdiag.js';
export { type PollSchedule, type PollScheduleOptions, MIN_POLL_FLOOR_MS, createPollSchedule } from './poll-schedule.js';
export {
  type PolledJob,
  type PollEvent,
  type PollOptions,
  type StateChange,
  type Sleep,
  pollJobs,
  watchJobs,
  sleepWithSignal,
  retryMessage,
} from './poll.js';
export {
  type JobFacts,
  type PolicyContext,
  type JobVerdict,
  type Verdict,
  type JobVerdictAction,
  type Suggestion,
  assessJob,
  detectMemoryKill,
  suggestTimeLimit,
  suggestMemory,
  roundTimeLimit,
} from './policy.js';
