/** Messages and line classes of --query-gpu parsing (kept apart so nvidia-smi-query.ts stays the hot path). */
import { InputError } from '../../errors.js';
import { addProfileWarning, type WarningSink } from '../../report/i18n/profile-warnings.js';

export const TABLE_LINE_REASON = "a line of nvidia-smi's human-readable table, not a CSV row";
/** The first line of the `nvidia-smi` table: `Fri Dec  3 13:29:07 2021`. */
export const TABLE_DATE_BANNER = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d\d:\d\d:\d\d \d{4}\s*$/;

/** A row with NUL bytes is binary garbage (a crash, a preallocated file), whatever the parser said. */
export function describeRejection(buffer: Buffer, start: number, end: number, reason: string): string {
  const nul = buffer.indexOf(0, start);
  return nul >= 0 && nul < end ? 'binary garbage (NUL bytes) in the line, not a CSV row' : reason;
}

export function addTruncatedWarning(sink: WarningSink, file: string, line: number): void {
  addProfileWarning(sink, 'gpu-last-line-truncated', { file, line });
}

export function addRestartWarning(sink: WarningSink, file: string, restarts: number): void {
  addProfileWarning(sink, 'gpu-logger-restarted', { file, restarts });
}

/** A file that holds only the `nvidia-smi` table: say so, and how to log CSV instead. */
export function tableOnlyError(file: string, lines: number): InputError {
  return new InputError(`this is the human-readable \`nvidia-smi\` table (${lines} lines), not --query-gpu CSV output; there are no CSV rows to profile`, {
    file,
    hint: 'log with `nvidia-smi --query-gpu=timestamp,index,uuid,utilization.gpu,memory.used,power.draw --format=csv -l 1`',
  });
}
