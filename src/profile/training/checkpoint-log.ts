/**
 * checkpoints.jsonl: one line per signal the job script handled (hpcbench.checkpoint-event/1),
 * appended across the attempts of a requeued job, in out/<experiment>/<task>/ next to exit.json:
 *
 *   {"schema": "hpcbench.checkpoint-event/1", "restart": 0, "signal": "USR1", "at": "2026-12-01T14:35:16Z",
 *    "grace_s": 40, "waited_s": 17, "workload_exited": true, "workload_exit_code": 0, "checkpoint_changed": true,
 *    "action": "requeued", "reason_code": "requeued", "reason": "requeued (restart 1 of at most 10)"}
 *
 * A job killed mid-write leaves a truncated line: every line that is not such an event is skipped
 * and counted (file and line), never fatal.
 */
import {
  CHECKPOINT_REASON_CODES,
  isCheckpointStopReason,
  type CheckpointReasonCode,
  type CheckpointStopReason,
} from '../../slurm/checkpoint-stop.js';
import type { ExitDocument } from '../../contracts/exit.js';
import { readLines, type ReadProgress, type RejectedLines } from '../lines.js';

const CHECKPOINT_EVENT_SCHEMA = 'hpcbench.checkpoint-event/1';

export type CheckpointAction = 'requeued' | 'stopped' | 'ended';

const ACTIONS: readonly CheckpointAction[] = ['requeued', 'stopped', 'ended'];

/** One handled signal, as metrics.json keeps it. */
export interface CheckpointEvent {
  /** SLURM_RESTART_COUNT of the attempt that got the signal (0 for the first run). */
  restart: number;
  /** `USR1`… for the checkpoint signal, `TERM` for scancel, the time limit or preemption. */
  signal: string;
  /** When the script handled it (UTC, ISO 8601), when recorded. */
  at: string | null;
  /** Seconds the script waited for the workload to exit. */
  waited_s: number | null;
  action: CheckpointAction;
  reason_code: CheckpointReasonCode;
}

/** What a task's checkpoint log, exit.json and sacct say about its restarts (metrics.json `checkpoints`). */
export interface CheckpointMetrics {
  /**
   * Times the job was requeued under the same id: the largest of the log's count (restart of an
   * event, plus one after a requeue), exit.json's restart_count, metadata.json's and sacct's.
   */
  restarts: number;
  events: CheckpointEvent[];
  /** Why the job stopped requeueing itself (exit.json `stop_reason`, else the last event that stopped); null when it did not. */
  stop_reason: CheckpointStopReason | null;
  /** Lines of checkpoints.jsonl skipped as truncated or malformed. */
  rejected_lines: number;
}

function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

/** An event from one parsed line, or why the line is not one. */
function readCheckpointEvent(value: unknown): CheckpointEvent | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const v = value as Record<string, unknown>;
  if (v.schema !== CHECKPOINT_EVENT_SCHEMA) return `schema ${JSON.stringify(v.schema)} is not ${CHECKPOINT_EVENT_SCHEMA}`;
  if (!isNonNegativeInteger(v.restart)) return `restart ${JSON.stringify(v.restart)} is not a whole number`;
  if (typeof v.signal !== 'string' || v.signal === '') return `signal ${JSON.stringify(v.signal)} is not a signal name`;
  if (!ACTIONS.includes(v.action as CheckpointAction)) return `action ${JSON.stringify(v.action)} is not one of ${ACTIONS.join(', ')}`;
  if (!CHECKPOINT_REASON_CODES.includes(v.reason_code as CheckpointReasonCode)) {
    return `reason_code ${JSON.stringify(v.reason_code)} is not one of ${CHECKPOINT_REASON_CODES.join(', ')}`;
  }
  const waited = v.waited_s;
  if (waited !== undefined && waited !== null && !(typeof waited === 'number' && Number.isFinite(waited) && waited >= 0)) {
    return `waited_s ${JSON.stringify(waited)} is not a number of seconds`;
  }
  return {
    restart: v.restart,
    signal: v.signal,
    at: typeof v.at === 'string' && v.at !== '' ? v.at : null,
    waited_s: typeof waited === 'number' ? waited : null,
    action: v.action as CheckpointAction,
    reason_code: v.reason_code as CheckpointReasonCode,
  };
}

export interface CheckpointLog {
  events: CheckpointEvent[];
  rejected: number;
}

/** Streams checkpoints.jsonl; bad lines go to `rejected` with their line number. */
export async function readCheckpointLog(
  file: string,
  options: { rejected: RejectedLines; onProgress?: (progress: ReadProgress) => void },
): Promise<CheckpointLog> {
  const events: CheckpointEvent[] = [];
  let rejected = 0;
  const reject = (line: number, reason: string): void => {
    rejected += 1;
    options.rejected.add(file, line, reason);
  };
  for await (const line of readLines(file, { allowEmpty: true, ...(options.onProgress ? { onProgress: options.onProgress } : {}) })) {
    const text = line.text.trim();
    if (text === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      reject(line.lineNumber, line.terminated ? 'not valid JSON' : 'truncated: the job ended while writing this line');
      continue;
    }
    const event = readCheckpointEvent(parsed);
    if (typeof event === 'string') reject(line.lineNumber, event);
    else events.push(event);
  }
  return { events, rejected };
}

/** What exit.json says about restarts and the stop (fields of the job script's EXIT trap). */
export interface ExitRecord {
  restartCount?: number;
  stopReason?: CheckpointStopReason;
}

/** The fields of exit.json (checked by its contract, src/contracts/exit.ts) that the summary uses. */
export function readExitRecord(document: ExitDocument): ExitRecord {
  const out: ExitRecord = {};
  if (document.restart_count !== undefined) out.restartCount = document.restart_count;
  if (document.stop_reason !== undefined && document.stop_reason !== null) out.stopReason = document.stop_reason;
  return out;
}

/**
 * The checkpoints section of a task from its log and the other sources' restart counts;
 * undefined when nothing says the task checkpointed or restarted.
 */
export function summariseCheckpoints(
  log: CheckpointLog | undefined,
  exit: ExitRecord,
  otherRestarts: readonly (number | undefined)[],
): CheckpointMetrics | undefined {
  const events = log?.events ?? [];
  const counts = [
    ...events.map((e) => e.restart + (e.action === 'requeued' ? 1 : 0)),
    ...[exit.restartCount, ...otherRestarts].filter((n): n is number => n !== undefined),
  ];
  const restarts = counts.length > 0 ? Math.max(...counts) : 0;
  const lastStop = [...events].reverse().find((e) => e.action === 'stopped');
  const stop = exit.stopReason ?? (lastStop !== undefined && isCheckpointStopReason(lastStop.reason_code) ? lastStop.reason_code : null);
  if (log === undefined && stop === null && restarts === 0) return undefined;
  return { restarts, events, stop_reason: stop, rejected_lines: log?.rejected ?? 0 };
}
