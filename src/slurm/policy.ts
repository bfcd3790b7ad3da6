/**
 * What a job's state means for the user and what to do next: a verdict and concrete advice
 * for every terminal state (the time or memory to ask for next, nodes to exclude), and for jobs
 * pending too long. Pure functions over what squeue/sacct reported.
 */
import { checkpointStopOfExit, explainCheckpointStop, type CheckpointStopReason } from './checkpoint-stop.js';
import type { ExitStatus } from './job-record.js';
import { describeJobState, type JobState } from './job-state.js';
import { formatSlurmMemory } from './memory.js';
import { explainPendingReason } from './pending-reason.js';
import { formatSlurmDuration } from './time.js';
import { expandHostList } from './hostlist.js';

export interface JobFacts {
  state: JobState;
  exitCode?: ExitStatus;
  elapsedSeconds?: number;
  timeLimitSeconds?: number;
  /** Peak resident memory over the job's steps (sacct MaxRSS). */
  maxRssMiB?: number;
  /** Memory the job asked for, in total. */
  reqMemMiB?: number;
  nodes?: string;
  reason?: string;
  /** State of the batch step (`CANCELLED by 0` when OverMemoryKill stopped the script). */
  batchStepState?: JobState;
  /** The last lines of the job's stdout/stderr, when fetched. */
  outputTail?: string;
  /** Seconds since submission, for jobs still pending. */
  pendingSeconds?: number;
  /** Times SLURM requeued the job under the same id, when known (sacct --duplicates). */
  restarts?: number;
}

export interface PolicyContext {
  /** Automatic resubmissions left for this job (`--retries N`). Default 0. */
  retriesLeft?: number;
  /** The partition's MaxTime, to cap a suggested time limit. */
  partitionMaxSeconds?: number;
  /** Memory of one node, to cap a suggested memory request. */
  nodeMemoryMiB?: number;
  /** A job pending longer than this may be cancelled. */
  pendingLimitSeconds?: number;
  /** Nodes already excluded by earlier retries. */
  excludedNodes?: readonly string[];
  /**
   * The job was rendered with `checkpoint:`, so its script ends with 90–93 when it stops
   * requeueing itself. Without it those exit codes are the workload's own.
   */
  checkpointing?: boolean;
}

/** @deprecated Old name of JobVerdict, kept for src/runs; the library root exports report's Verdict. */
export type Verdict = JobVerdict;

type JobVerdictAction =
  | 'none'
  | 'keep-watching'
  | 'wait'
  | 'increase-time'
  | 'increase-memory'
  | 'resubmit-excluding-nodes'
  | 'fix-and-resubmit'
  /** Checkpointed and stopped (requeue off, or `scontrol requeue` failed): resubmitting resumes. */
  | 'resubmit-to-resume'
  /** Stopped at checkpoint.max_restarts. */
  | 'raise-max-restarts'
  | 'cancel';

export interface JobVerdict {
  outcome: 'success' | 'failure' | 'waiting' | 'active';
  action: JobVerdictAction;
  /** One line: what happened. */
  title: string;
  /** What to do next, concretely. */
  advice: string;
  /** The state the verdict is about (FAILED with a memory kill is judged as OUT_OF_MEMORY). */
  effectiveState: JobState;
  /** hpcbench may resubmit by itself (NODE_FAIL/BOOT_FAIL with retries left). */
  resubmit: boolean;
  suggestedTimeSeconds?: number;
  suggestedTime?: string;
  suggestedMemMiB?: number;
  suggestedMem?: string;
  excludeNodes?: string[];
  /** Why a checkpointing job stopped requeueing itself (its exit code 90–93). */
  checkpointStop?: CheckpointStopReason;
}

const MEMORY_KILL_TEXT = /Exceeded job memory limit|Exceeded step memory limit|oom[-_ ]kill|Out Of Memory|memory cgroup out of memory/i;

/**
 * A job killed for memory shows as OUT_OF_MEMORY with cgroups; with OverMemoryKill and no
 * cgroups it shows as FAILED (or CANCELLED) with its batch step "CANCELLED by 0" and
 * "Exceeded job memory limit" in its output.
 */
function detectMemoryKill(facts: JobFacts): boolean {
  if (facts.state.name === 'OUT_OF_MEMORY' || facts.batchStepState?.name === 'OUT_OF_MEMORY') return true;
  if (facts.state.name !== 'FAILED' && facts.state.name !== 'CANCELLED') return false;
  if (facts.outputTail !== undefined && MEMORY_KILL_TEXT.test(facts.outputTail)) return true;
  const batch = facts.batchStepState;
  return facts.state.name === 'FAILED' && batch?.name === 'CANCELLED' && batch.by === '0';
}

function roundUpTo(value: number, unit: number): number {
  return Math.ceil(value / unit) * unit;
}

/**
 * Rounds a time limit up to a unit people would write: 5 min below 1 h, 15 min below 6 h, then 1 h.
 */
function roundTimeLimit(seconds: number): number {
  if (seconds <= 3600) return roundUpTo(seconds, 300);
  if (seconds <= 6 * 3600) return roundUpTo(seconds, 900);
  return roundUpTo(seconds, 3600);
}

interface Suggestion {
  value: number;
  /** The suggestion hit the partition or node maximum. */
  capped: boolean;
  /** The maximum is not above what was already asked: asking for more will not help. */
  exhausted: boolean;
}

/**
 * The time limit to ask for after a TIMEOUT: `factor`× what was used, rounded up, capped.
 */
function suggestTimeLimit(
  usedSeconds: number,
  options: { factor?: number; previousLimitSeconds?: number; partitionMaxSeconds?: number } = {},
): Suggestion {
  const base = Math.max(usedSeconds, options.previousLimitSeconds ?? 0, 60);
  const wanted = roundTimeLimit(base * (options.factor ?? 1.5));
  const max = options.partitionMaxSeconds;
  if (max !== undefined && Number.isFinite(max) && wanted > max) {
    return { value: max, capped: true, exhausted: max <= (options.previousLimitSeconds ?? usedSeconds) };
  }
  return { value: wanted, capped: false, exhausted: false };
}

/**
 * The memory to ask for after an out-of-memory kill: `factor`× the larger of peak and request
 * (a killed job's MaxRSS is often sampled before the spike), in whole GiB, or 256 MiB steps
 * below 1 GiB so a small job is not told to ask for gigabytes.
 */
function suggestMemory(
  usedMiB: number,
  options: { factor?: number; previousMiB?: number; nodeMemoryMiB?: number } = {},
): Suggestion {
  const raw = Math.max(usedMiB, options.previousMiB ?? 0, 1) * (options.factor ?? 1.5);
  const wanted = raw <= 1024 ? roundUpTo(raw, 256) : roundUpTo(raw, 1024);
  const max = options.nodeMemoryMiB;
  if (max !== undefined && wanted > max) {
    return { value: max, capped: true, exhausted: max <= (options.previousMiB ?? usedMiB) };
  }
  return { value: wanted, capped: false, exhausted: false };
}

function verdict(state: JobState, fields: Omit<JobVerdict, 'effectiveState' | 'resubmit'> & { resubmit?: boolean }): JobVerdict {
  return { resubmit: false, ...fields, effectiveState: state };
}

function describeExit(exit: ExitStatus | undefined): string {
  if (!exit) return '';
  if (exit.signal !== 0) return ` (killed by signal ${exit.signal})`;
  if (exit.code === 127) return ' (exit code 127: a command was not found — check module loads and PATH)';
  if (exit.code === 126) return ' (exit code 126: a command is not executable)';
  return ` (exit code ${exit.code})`;
}

function assessTimeout(facts: JobFacts, context: PolicyContext): JobVerdict {
  const used = facts.elapsedSeconds ?? facts.timeLimitSeconds ?? 0;
  const s = suggestTimeLimit(used, {
    ...(facts.timeLimitSeconds === undefined ? {} : { previousLimitSeconds: facts.timeLimitSeconds }),
    ...(context.partitionMaxSeconds === undefined ? {} : { partitionMaxSeconds: context.partitionMaxSeconds }),
  });
  const title = `killed at its time limit after ${formatSlurmDuration(used)}`;
  if (s.exhausted) {
    return verdict(facts.state, {
      outcome: 'failure',
      action: 'fix-and-resubmit',
      title,
      advice: `the partition allows at most ${formatSlurmDuration(s.value)}; save checkpoints and resume, split the work, or pick a partition with a longer limit`,
    });
  }
  const text = formatSlurmDuration(s.value);
  return verdict(facts.state, {
    outcome: 'failure',
    action: 'increase-time',
    title,
    advice: `ask for time: ${text}${s.capped ? ' (the partition maximum; also save checkpoints so a rerun can resume)' : ''}`,
    suggestedTimeSeconds: s.value,
    suggestedTime: text,
  });
}

function assessMemory(facts: JobFacts, context: PolicyContext): JobVerdict {
  const effective: JobState = { name: 'OUT_OF_MEMORY' };
  const used = facts.maxRssMiB ?? facts.reqMemMiB ?? 0;
  const s = suggestMemory(used, {
    ...(facts.reqMemMiB === undefined ? {} : { previousMiB: facts.reqMemMiB }),
    ...(context.nodeMemoryMiB === undefined ? {} : { nodeMemoryMiB: context.nodeMemoryMiB }),
  });
  const peak = facts.maxRssMiB === undefined ? '' : ` (peak ${formatSlurmMemory(facts.maxRssMiB)})`;
  const asked = facts.reqMemMiB === undefined ? '' : ` of ${formatSlurmMemory(facts.reqMemMiB)}`;
  const title = `killed for exceeding its memory${asked}${peak}`;
  if (s.exhausted) {
    return verdict(effective, {
      outcome: 'failure',
      action: 'fix-and-resubmit',
      title,
      advice: `a node has only ${formatSlurmMemory(s.value)}; lower the batch size, use gradient checkpointing or a smaller model, or use more nodes`,
    });
  }
  const text = formatSlurmMemory(s.value);
  return verdict(effective, {
    outcome: 'failure',
    action: 'increase-memory',
    title,
    advice: `ask for memory: ${text}${s.capped ? ' (all of a node)' : ''}`,
    suggestedMemMiB: s.value,
    suggestedMem: text,
  });
}

function assessNodeFailure(facts: JobFacts, context: PolicyContext): JobVerdict {
  const retries = context.retriesLeft ?? 0;
  const failed = facts.nodes === undefined ? [] : safeExpand(facts.nodes);
  const exclude = [...new Set([...(context.excludedNodes ?? []), ...failed])];
  const where = failed.length > 0 ? ` on ${facts.nodes}` : '';
  const title = `${describeJobState(facts.state)}${where}`;
  const fields = exclude.length > 0 ? { excludeNodes: exclude } : {};
  if (retries > 0) {
    return verdict(facts.state, {
      outcome: 'failure',
      action: 'resubmit-excluding-nodes',
      title,
      advice: `not the job's fault: resubmitting${exclude.length > 0 ? ` without ${exclude.join(',')}` : ''} (${retries} ${retries === 1 ? 'retry' : 'retries'} left)`,
      resubmit: true,
      ...fields,
    });
  }
  return verdict(facts.state, {
    outcome: 'failure',
    action: 'resubmit-excluding-nodes',
    title,
    advice: `not the job's fault: resubmit${exclude.length > 0 ? ` with --exclude=${exclude.join(',')}` : ''}, or pass --retries N to let hpcbench do it`,
    ...fields,
  });
}

function assertNever(value: never): never {
  throw new Error(`unhandled job state ${JSON.stringify(value)}`);
}

function safeExpand(nodes: string): string[] {
  try {
    return expandHostList(nodes);
  } catch {
    return [nodes];
  }
}

function restartsText(restarts: number | undefined): string {
  if (restarts === undefined || restarts === 0) return '';
  return ` after ${restarts} ${restarts === 1 ? 'restart' : 'restarts'}`;
}

/** A checkpointing job that ended with 90–93: why it stopped requeueing, and what to do. */
function assessCheckpointStop(facts: JobFacts, reason: CheckpointStopReason): JobVerdict {
  const { title, advice } = explainCheckpointStop(reason, facts.restarts);
  let action: JobVerdictAction;
  switch (reason) {
    case 'requeue-disabled':
    case 'requeue-failed':
      action = 'resubmit-to-resume';
      break;
    case 'max-restarts':
      action = 'raise-max-restarts';
      break;
    case 'no-progress':
      action = 'fix-and-resubmit';
      break;
    default:
      return assertNever(reason);
  }
  return verdict(facts.state, { outcome: 'failure', action, title, advice, checkpointStop: reason });
}

function assessPending(facts: JobFacts, context: PolicyContext): JobVerdict {
  const info = facts.reason === undefined ? undefined : explainPendingReason(facts.reason);
  const why = info === undefined ? 'no reason given yet' : `${info.code}: ${info.explanation}`;
  const limit = context.pendingLimitSeconds;
  const waited = facts.pendingSeconds;
  const overLimit = limit !== undefined && waited !== undefined && waited > limit;
  if (info?.blocking || overLimit) {
    const how = overLimit ? `pending for ${formatSlurmDuration(waited)}, over the limit of ${formatSlurmDuration(limit)}` : 'pending and cannot start as is';
    return verdict(facts.state, {
      outcome: 'waiting',
      action: 'cancel',
      title: `${how} (${why})`,
      advice: 'cancel it with `hpcbench cancel` and resubmit with other resources or another partition, or keep waiting',
    });
  }
  return verdict(facts.state, {
    outcome: 'waiting',
    action: 'keep-watching',
    title: `${describeJobState(facts.state)} (${why})`,
    advice: 'nothing to do: it starts when SLURM schedules it',
  });
}

/** The verdict for a job in any state. */
export function assessJob(facts: JobFacts, context: PolicyContext = {}): JobVerdict {
  const state = facts.state;
  if (detectMemoryKill(facts)) return assessMemory(facts, context);
  switch (state.name) {
    case 'PENDING':
    case 'REQUEUE_HOLD':
    case 'REQUEUE_FED':
    case 'SPECIAL_EXIT':
    case 'RESV_DEL_HOLD':
      return assessPending(facts, context);
    case 'COMPLETED':
      return verdict(state, { outcome: 'success', action: 'none', title: `completed${restartsText(facts.restarts)}`, advice: 'collect its logs with `hpcbench fetch`' });
    case 'TIMEOUT':
      return assessTimeout(facts, context);
    case 'NODE_FAIL':
    case 'BOOT_FAIL':
      return assessNodeFailure(facts, context);
    case 'PREEMPTED':
    case 'REQUEUED':
      return verdict(state, {
        outcome: 'waiting',
        action: 'wait',
        title: describeJobState(state),
        advice:
          'not the job\'s fault: where the partition requeues preempted jobs it comes back as PENDING by itself — keep watching; otherwise resubmit it',
      });
    case 'FAILED': {
      const stop = context.checkpointing === true ? checkpointStopOfExit(facts.exitCode) : undefined;
      if (stop !== undefined) return assessCheckpointStop(facts, stop);
      return verdict(state, {
        outcome: 'failure',
        action: 'fix-and-resubmit',
        title: `failed${describeExit(facts.exitCode)}`,
        advice: 'read the end of its stderr (`hpcbench fetch`, then the .err file) and fix the script or the inputs',
      });
    }
    case 'CANCELLED':
      return verdict(state, {
        outcome: 'failure',
        action: 'none',
        title: describeJobState(state),
        advice: state.by === '0' ? 'cancelled by root or SLURM itself: ask the admins if you did not expect it' : 'resubmit it if the cancellation was a mistake',
      });
    case 'DEADLINE':
      return verdict(state, {
        outcome: 'failure',
        action: 'fix-and-resubmit',
        title: describeJobState(state),
        advice: 'move or drop --deadline, or ask for less time so it can start earlier',
      });
    case 'REVOKED':
      return verdict(state, { outcome: 'success', action: 'none', title: describeJobState(state), advice: 'follow the job on the sibling cluster' });
    case 'OUT_OF_MEMORY':
      return assessMemory(facts, context);
    case 'UNKNOWN':
      return verdict(state, {
        outcome: 'active',
        action: 'keep-watching',
        title: describeJobState(state),
        advice: 'hpcbench keeps looking; if it stays unknown, check `sacct -j <id>` on the login node',
      });
    case 'RUNNING':
    case 'CONFIGURING':
    case 'COMPLETING':
    case 'SUSPENDED':
    case 'RESIZING':
    case 'STOPPED':
    case 'SIGNALING':
    case 'STAGE_OUT':
      return verdict(state, { outcome: 'active', action: 'keep-watching', title: describeJobState(state), advice: 'nothing to do yet' });
    default:
      return assertNever(state);
  }
}
