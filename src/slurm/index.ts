/**
 * The SLURM client layer: argv builders and output parsers, no I/O (the transport runs the
 * commands). Explicit export list.
 */
export { type JobState, type JobStateName, parseJobState, formatJobState, isTerminal } from './job-state.js';
export { type SlurmCommandOutput, checkControllerReachable } from './errors.js';
export { parseSlurmDuration, formatSlurmDuration } from './time.js';
export { type SlurmJobRecord, parseExitStatus } from './job-record.js';
export { type Dependency, buildSbatchArgs, parseSbatchTestOnly, readSbatchOutput } from './sbatch.js';
export { buildSqueueArgs, readSqueueOutput } from './squeue.js';
export { type SacctJob, type SacctFieldSet, buildSacctArgs, readSacctOutput, findBatchStep } from './sacct.js';
export { checkpointStopOfExit, explainCheckpointStop } from './checkpoint-stop.js';
export { buildScancelArgs } from './scancel.js';
export { type JobView, mergeJobViews, idsNeedingAccounting } from './merge.js';
export { type PollEvent, type Sleep, watchJobs } from './poll.js';
export { type JobFacts, type Verdict, assessJob } from './policy.js';
