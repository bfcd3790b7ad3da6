/**
 * The SLURM job state as one discriminated union. squeue, sacct and scontrol spell states
 * differently (long names, compact codes, "CANCELLED by 1000", truncated "CANCELLED+"); every
 * spelling is parsed here so the rest of the code switches over one type.
 */

/** Base states with no extra data. */
export type PlainJobStateName =
  | 'PENDING'
  | 'CONFIGURING'
  | 'RUNNING'
  | 'COMPLETING'
  | 'COMPLETED'
  | 'FAILED'
  | 'TIMEOUT'
  | 'OUT_OF_MEMORY'
  | 'NODE_FAIL'
  | 'PREEMPTED'
  | 'REQUEUED'
  | 'REQUEUE_HOLD'
  | 'REQUEUE_FED'
  | 'BOOT_FAIL'
  | 'DEADLINE'
  | 'SUSPENDED'
  | 'RESIZING'
  | 'REVOKED'
  | 'SPECIAL_EXIT'
  | 'STOPPED'
  | 'SIGNALING'
  | 'STAGE_OUT'
  | 'RESV_DEL_HOLD';

export type JobState =
  | { readonly name: PlainJobStateName }
  /** `by` is the uid that cancelled the job ("CANCELLED by 1000"); 0 is root or slurmctld itself. */
  | { readonly name: 'CANCELLED'; readonly by?: string }
  /** A state this version of hpcbench does not know, or a job found nowhere; `raw` keeps the text. */
  | { readonly name: 'UNKNOWN'; readonly raw: string };

export type JobStateName = JobState['name'];

const PLAIN_NAMES: readonly PlainJobStateName[] = [
  'PENDING',
  'CONFIGURING',
  'RUNNING',
  'COMPLETING',
  'COMPLETED',
  'FAILED',
  'TIMEOUT',
  'OUT_OF_MEMORY',
  'NODE_FAIL',
  'PREEMPTED',
  'REQUEUED',
  'REQUEUE_HOLD',
  'REQUEUE_FED',
  'BOOT_FAIL',
  'DEADLINE',
  'SUSPENDED',
  'RESIZING',
  'REVOKED',
  'SPECIAL_EXIT',
  'STOPPED',
  'SIGNALING',
  'STAGE_OUT',
  'RESV_DEL_HOLD',
];
const PLAIN_SET: ReadonlySet<string> = new Set(PLAIN_NAMES);

/** squeue's compact codes (`%t`), as documented in squeue(1). */
const COMPACT_CODES: Readonly<Record<string, PlainJobStateName | 'CANCELLED'>> = {
  PD: 'PENDING',
  CF: 'CONFIGURING',
  R: 'RUNNING',
  CG: 'COMPLETING',
  CD: 'COMPLETED',
  F: 'FAILED',
  CA: 'CANCELLED',
  TO: 'TIMEOUT',
  OOM: 'OUT_OF_MEMORY',
  NF: 'NODE_FAIL',
  PR: 'PREEMPTED',
  RQ: 'REQUEUED',
  RH: 'REQUEUE_HOLD',
  RF: 'REQUEUE_FED',
  BF: 'BOOT_FAIL',
  DL: 'DEADLINE',
  S: 'SUSPENDED',
  RS: 'RESIZING',
  RV: 'REVOKED',
  SE: 'SPECIAL_EXIT',
  ST: 'STOPPED',
  SI: 'SIGNALING',
  SO: 'STAGE_OUT',
  RD: 'RESV_DEL_HOLD',
};

/** Older releases and sacct abbreviate a few names. */
const ALIASES: Readonly<Record<string, PlainJobStateName | 'CANCELLED'>> = {
  COMPLETE: 'COMPLETED',
  CANCELED: 'CANCELLED',
  OOM: 'OUT_OF_MEMORY',
  // squeue's default two-column ST field cuts OOM to OO.
  OO: 'OUT_OF_MEMORY',
  NODEFAIL: 'NODE_FAIL',
};

export function unknownState(raw: string): JobState {
  return { name: 'UNKNOWN', raw };
}

/**
 * Parses any spelling SLURM prints: `RUNNING`, `R`, `CANCELLED by 1000`, `CANCELLED+`
 * (fixed-width truncation), `PENDING+REQUEUE`-style flag suffixes. Never throws: an unknown
 * spelling becomes `UNKNOWN` with the raw text, so a new SLURM release cannot crash a watch.
 */
export function parseJobState(text: string): JobState {
  const raw = text.trim();
  const cancelled = /^CANCELL?ED(?:\+)?(?:\s+by\s+(\S+))?$/i.exec(raw);
  if (cancelled) {
    return cancelled[1] === undefined ? { name: 'CANCELLED' } : { name: 'CANCELLED', by: cancelled[1] };
  }
  // Flags after '+' (and the bare '+' of a truncated column) do not change the base state.
  const base = raw.split('+')[0]?.trim().toUpperCase() ?? '';
  if (base === '') return unknownState(raw);
  if (PLAIN_SET.has(base)) return { name: base as PlainJobStateName };
  const mapped = COMPACT_CODES[base] ?? ALIASES[base];
  if (mapped === 'CANCELLED') return { name: 'CANCELLED' };
  if (mapped !== undefined) return { name: mapped };
  return unknownState(raw);
}

/** Formats a state back the way sacct prints it (`CANCELLED by 1000`). */
export function formatJobState(state: JobState): string {
  if (state.name === 'CANCELLED') return state.by === undefined ? 'CANCELLED' : `CANCELLED by ${state.by}`;
  if (state.name === 'UNKNOWN') return `UNKNOWN (${state.raw})`;
  return state.name;
}

function assertNever(value: never): never {
  throw new Error(`unhandled job state ${JSON.stringify(value)}`);
}

/**
 * A job in a terminal state will not change again by itself. PREEMPTED counts as terminal
 * (SLURM treats it as finished; a requeued job reappears as PENDING), REQUEUED does not (the
 * job is on its way back to the queue). UNKNOWN is not terminal: the caller decides how long to
 * keep looking.
 */
export function isTerminal(state: JobState): boolean {
  switch (state.name) {
    case 'COMPLETED':
    case 'FAILED':
    case 'CANCELLED':
    case 'TIMEOUT':
    case 'OUT_OF_MEMORY':
    case 'NODE_FAIL':
    case 'PREEMPTED':
    case 'BOOT_FAIL':
    case 'DEADLINE':
    case 'REVOKED':
      return true;
    case 'PENDING':
    case 'CONFIGURING':
    case 'RUNNING':
    case 'COMPLETING':
    case 'REQUEUED':
    case 'REQUEUE_HOLD':
    case 'REQUEUE_FED':
    case 'SUSPENDED':
    case 'RESIZING':
    case 'SPECIAL_EXIT':
    case 'STOPPED':
    case 'SIGNALING':
    case 'STAGE_OUT':
    case 'RESV_DEL_HOLD':
    case 'UNKNOWN':
      return false;
    default:
      return assertNever(state);
  }
}

/** One sentence for a person. */
export function describeJobState(state: JobState): string {
  switch (state.name) {
    case 'PENDING':
      return 'waiting in the queue';
    case 'CONFIGURING':
      return 'allocated, nodes are booting or being configured';
    case 'RUNNING':
      return 'running';
    case 'COMPLETING':
      return 'finishing: processes are being cleaned up on the nodes';
    case 'COMPLETED':
      return 'completed with exit code 0';
    case 'FAILED':
      return 'failed: the script or a step exited with a non-zero code';
    case 'CANCELLED':
      return state.by === undefined ? 'cancelled' : `cancelled by uid ${state.by}`;
    case 'TIMEOUT':
      return 'killed at its time limit';
    case 'OUT_OF_MEMORY':
      return 'killed for using more memory than it asked for';
    case 'NODE_FAIL':
      return 'ended because a node it ran on failed';
    case 'PREEMPTED':
      return 'preempted by a higher-priority job';
    case 'REQUEUED':
      return 'requeued: it will return to the queue';
    case 'REQUEUE_HOLD':
      return 'requeued and held: release it with `scontrol release`';
    case 'REQUEUE_FED':
      return 'requeued by the federation';
    case 'BOOT_FAIL':
      return 'ended because a node failed to boot';
    case 'DEADLINE':
      return 'ended at its --deadline without running to completion';
    case 'SUSPENDED':
      return 'suspended: it keeps its allocation but does not run';
    case 'RESIZING':
      return 'changing size';
    case 'REVOKED':
      return 'revoked: a sibling cluster of the federation runs it';
    case 'SPECIAL_EXIT':
      return 'held after a special exit code: release it with `scontrol release`';
    case 'STOPPED':
      return 'stopped: processes received SIGSTOP but keep their allocation';
    case 'SIGNALING':
      return 'being signalled';
    case 'STAGE_OUT':
      return 'staging out data (burst buffer)';
    case 'RESV_DEL_HOLD':
      return 'held because its reservation was deleted';
    case 'UNKNOWN':
      return `in an unknown state (${state.raw})`;
    default:
      return assertNever(state);
  }
}
