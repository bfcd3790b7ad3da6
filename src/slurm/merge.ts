/**
 * One current view per submitted job from one squeue call and at most one sacct call.
 * squeue is authoritative while a job is live; sacct for jobs that finished (when both say so)
 * or aged out of squeue (MinJobAge), and when squeue was not asked. An array job is one view
 * whose `records` are its tasks, and whose state summarises them.
 */
import { isTerminal, unknownState, type JobState, type JobStateName } from './job-state.js';
import { tryParseJobId } from './job-id.js';
import type { JobSource, SlurmJobRecord } from './job-record.js';

export interface JobView {
  /** The id sbatch returned. */
  id: string;
  state: JobState;
  /** Where the state came from; `none` when no command knew the job. */
  source: JobSource | 'none';
  /** The job's record, or one record per array task / pending task range. */
  records: SlurmJobRecord[];
  /** Set when the view needs explaining (not found, mixed sources). */
  note?: string;
}

function belongsTo(record: SlurmJobRecord, id: string): boolean {
  if (record.jobId === id || record.jobIdRaw === id) return true;
  const parts = tryParseJobId(record.jobId);
  // A submitted array (`123`) owns its tasks (`123_4`); a submitted task (`123_4`) only itself.
  return parts !== undefined && parts.baseId === id && parts.jobId !== id;
}

/**
 * Severity for summarising an array: a live task outranks finished ones (the array is not
 * done), and among finished tasks the worst outcome wins.
 */
const RANK: Partial<Record<JobStateName, number>> = {
  RUNNING: 100,
  COMPLETING: 95,
  CONFIGURING: 94,
  SIGNALING: 93,
  STAGE_OUT: 92,
  RESIZING: 91,
  SUSPENDED: 90,
  STOPPED: 89,
  REQUEUED: 85,
  PENDING: 80,
  REQUEUE_HOLD: 79,
  REQUEUE_FED: 78,
  SPECIAL_EXIT: 77,
  RESV_DEL_HOLD: 76,
  UNKNOWN: 70,
  NODE_FAIL: 60,
  BOOT_FAIL: 59,
  OUT_OF_MEMORY: 58,
  TIMEOUT: 57,
  FAILED: 56,
  DEADLINE: 55,
  PREEMPTED: 54,
  CANCELLED: 53,
  REVOKED: 52,
  COMPLETED: 10,
};

/**
 * The state that describes a group of records (an array's tasks).
 */
function summariseStates(states: readonly JobState[]): JobState {
  let best: JobState | undefined;
  for (const state of states) {
    if (best === undefined || (RANK[state.name] ?? 0) > (RANK[best.name] ?? 0)) best = state;
  }
  return best ?? unknownState('no records');
}

function key(record: SlurmJobRecord): string {
  return record.jobId;
}

/**
 * Merges squeue and sacct records for the submitted ids. Pass `squeue` undefined when squeue
 * was not run, and `sacct` undefined when accounting is unavailable.
 */
export function mergeJobViews(
  squeue: readonly SlurmJobRecord[] | undefined,
  sacct: readonly SlurmJobRecord[] | undefined,
  ids: readonly string[],
): JobView[] {
  return ids.map((id) => {
    const live = (squeue ?? []).filter((r) => belongsTo(r, id));
    const accounted = (sacct ?? []).filter((r) => belongsTo(r, id));
    const byKey = new Map<string, SlurmJobRecord>();
    const liveKeys = new Set(live.map(key));
    const liveArray = live.some((r) => r.arrayPendingRange);
    for (const record of accounted) {
      // A pending range in sacct is stale once squeue has the array: squeue's range is current.
      if (record.arrayPendingRange && live.length > 0) continue;
      if (!liveKeys.has(key(record))) byKey.set(key(record), record);
    }
    for (const record of live) {
      // Once both agree a job is over, sacct's record is richer (exit codes, steps, MaxRSS);
      // while sacct lags behind (slurmdbd is updated asynchronously) squeue's state stands.
      const fromSacct = accounted.find((r) => key(r) === key(record));
      if (fromSacct && isTerminal(record.state) && isTerminal(fromSacct.state)) {
        byKey.set(key(record), fromSacct);
      } else {
        // squeue's -o format has no restart count; sacct --duplicates, asked about a live job, does.
        byKey.set(key(record), fromSacct?.restarts === undefined ? record : { ...record, restarts: fromSacct.restarts });
      }
    }
    // When squeue lists a pending range, tasks sacct reports as PENDING inside it are duplicates.
    const records = [...byKey.values()].filter(
      (r) => !(liveArray && r.source !== 'squeue' && r.state.name === 'PENDING'),
    );
    if (records.length === 0) {
      const asked = [squeue ? 'squeue' : undefined, sacct ? 'sacct' : undefined].filter((c) => c !== undefined);
      let note = 'no SLURM command was asked about this job';
      if (asked.length === 2) {
        note = `job ${id} is in neither squeue nor sacct: check the id (another cluster, or purged from accounting)`;
      } else if (asked[0] === 'squeue') {
        note = `job ${id} is not in squeue and accounting is unavailable: it may have aged out (MinJobAge)`;
      } else if (asked[0] === 'sacct') {
        note = `job ${id} is not in sacct`;
      }
      return { id, state: unknownState('not found'), source: 'none' as const, records: [], note };
    }
    const sources = new Set(records.map((r) => r.source));
    const state = records.length === 1 && records[0] ? records[0].state : summariseStates(records.map((r) => r.state));
    const view: JobView = {
      id,
      state,
      source: sources.has('squeue') ? 'squeue' : (records[0]?.source ?? 'none'),
      records,
    };
    if (sources.size > 1) view.note = `tasks from ${[...sources].sort().join(' and ')}`;
    return view;
  });
}

/** Ids still worth asking sacct about: not live in squeue, or live but terminal (exit codes, MaxRSS). */
export function idsNeedingAccounting(squeue: readonly SlurmJobRecord[], ids: readonly string[]): string[] {
  return ids.filter((id) => {
    const live = squeue.filter((r) => belongsTo(r, id));
    return live.length === 0 || live.some((r) => isTerminal(r.state));
  });
}
