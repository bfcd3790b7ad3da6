/**
 * One shape for a job as squeue, sacct and scontrol describe it, so merging and display code
 * does not care where a fact came from (`source` says).
 */
import { InputError } from '../errors.js';
import type { JobState } from './job-state.js';
import { parseSlurmDurationValue } from './time.js';

export type JobSource = 'squeue' | 'sacct' | 'scontrol';

/** `ExitCode=2:0` — the exit code, and the signal that killed the process (0 when none). */
export interface ExitStatus {
  code: number;
  signal: number;
}

export interface SlurmJobRecord {
  /** The id as printed: `123`, `123_4`, `123_[5-9]`, `123+0`. */
  jobId: string;
  /** The unique numeric id (an array task has its own); absent for a pending task range. */
  jobIdRaw?: string;
  arrayJobId?: string;
  arrayTaskId?: string;
  /** arrayTaskId is a bracketed range of tasks that have not started (`5-9%2`). */
  arrayPendingRange?: boolean;
  hetJobId?: string;
  hetJobOffset?: string;
  name: string;
  state: JobState;
  /** Pending or failure reason as SLURM prints it; absent when `None`. */
  reason?: string;
  exitCode?: ExitStatus;
  derivedExitCode?: ExitStatus;
  elapsedSeconds?: number;
  /** Absent when the limit is unlimited, inherited or unknown (see timeLimitText). */
  timeLimitSeconds?: number;
  timeLimitText?: string;
  /** The node list in SLURM's compressed form (`node[01-04]`); absent before the job starts. */
  nodes?: string;
  nodeCount?: number;
  cpus?: number;
  partition?: string;
  user?: string;
  account?: string;
  comment?: string;
  /** SLURM timestamps in the cluster's local time, e.g. `2026-11-24T06:08:27`. */
  submitTime?: string;
  startTime?: string;
  endTime?: string;
  workDir?: string;
  /**
   * Times SLURM requeued the job under the same id (SLURM_RESTART_COUNT of the current attempt),
   * counted from `sacct --duplicates`; absent when sacct was not asked (squeue's `-o` format has
   * no field for it) or the job never restarted.
   */
  restarts?: number;
  source: JobSource;
}

/** Parses `0:0`, `1:0`, `0:9`; undefined for empty or malformed text. */
export function parseExitStatus(text: string | undefined): ExitStatus | undefined {
  const match = /^(\d+):(\d+)$/.exec(text?.trim() ?? '');
  if (!match?.[1] || !match[2]) return undefined;
  return { code: Number(match[1]), signal: Number(match[2]) };
}

/** Fills timeLimitSeconds/timeLimitText from squeue/sacct/scontrol time limit text. */
export function readTimeLimit(text: string): Pick<SlurmJobRecord, 'timeLimitSeconds' | 'timeLimitText'> {
  const t = text.trim();
  if (t === '' || t === 'NOT_SET' || t === 'N/A') return {};
  const value = parseSlurmDurationValue(t);
  if (value?.kind === 'seconds') return { timeLimitSeconds: value.seconds, timeLimitText: t };
  return { timeLimitText: t };
}

/** Elapsed seconds from text, undefined when SLURM printed INVALID or nothing. */
export function readElapsed(text: string): number | undefined {
  const value = parseSlurmDurationValue(text);
  return value?.kind === 'seconds' ? value.seconds : undefined;
}

/** Text fields SLURM fills with a placeholder when empty. */
export function readOptionalText(text: string | undefined): string | undefined {
  const t = text?.trim() ?? '';
  if (t === '' || t === '(null)' || t === 'N/A' || t === 'None assigned' || t === '(None)') return undefined;
  return t;
}

export function readCount(text: string | undefined): number | undefined {
  const t = text?.trim() ?? '';
  if (!/^\d+$/.test(t)) return undefined;
  return Number(t);
}

/**
 * Splits delimited command output into rows of exactly `width` fields; a row with another
 * count means the format and the parser disagree, reported with its line number.
 */
export function splitRows(
  stdout: string,
  delimiter: string,
  width: number,
  command: string,
): { line: number; fields: string[] }[] {
  const rows: { line: number; fields: string[] }[] = [];
  const lines = stdout.split('\n');
  lines.forEach((raw, index) => {
    const text = raw.replace(/\r$/, '');
    if (text.trim() === '') return;
    const fields = text.split(delimiter);
    if (fields.length !== width) {
      throw new InputError(
        `expected ${width} fields separated by ${JSON.stringify(delimiter)}, found ${fields.length}: ${JSON.stringify(text.slice(0, 120))}`,
        {
          file: `${command} output`,
          line: index + 1,
          hint: `hpcbench parses ${command} with a fixed format; if the cluster's SLURM prints differently, report it with this line.`,
        },
      );
    }
    rows.push({ line: index + 1, fields });
  });
  return rows;
}
