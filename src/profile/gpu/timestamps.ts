/**
 * Timestamps that users write themselves in front of nvidia-smi's fields, e.g. a job script's
 * `echo "$(date +%s),$(nvidia-smi --query-gpu=… --format=csv,noheader,nounits)"` or
 * `date -Iseconds`. nvidia-smi's own `YYYY/MM/DD HH:MM:SS.mmm` is parsed on the hot path
 * (nvidia-smi-values.ts); these are the slower fallbacks, tried only when that one fails.
 */

/** Epoch seconds (`date +%s`, 9–10 digits, optional fraction) or milliseconds (13 digits). */
const EPOCH = /^(\d{9,10}|\d{13})(?:\.(\d{1,9}))?$/;
/** ISO 8601: `2025-09-08T17:26:50+08:00`, `2025-09-08 17:26:50.123Z`, without a zone too. */
const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * Milliseconds since the epoch for an epoch-seconds or ISO-8601 timestamp, NaN otherwise.
 * An ISO time with an offset is converted to UTC; one without is read as UTC, like nvidia-smi's
 * (only differences between rows matter, and the node's zone is unknown).
 */
export function parseUserTimestamp(text: string): number {
  const epoch = EPOCH.exec(text);
  if (epoch !== null) {
    const whole = Number(epoch[1]);
    const fraction = epoch[2] === undefined ? 0 : Number(`0.${epoch[2]}`);
    // Whole milliseconds keep the integrals exact (see GpuAccumulator.integral).
    return (epoch[1] as string).length === 13 ? whole : Math.round((whole + fraction) * 1000);
  }
  const iso = ISO.exec(text);
  if (iso === null) return Number.NaN;
  const [year, month, day, hour, minute, second] = iso.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return Number.NaN;
  if (hour > 23 || minute > 59 || second > 60) return Number.NaN;
  const ms = iso[7] === undefined ? 0 : Math.round(Number(`0.${iso[7]}`) * 1000);
  let utc = Date.UTC(year, month - 1, day, hour, minute, second) + ms;
  const zone = iso[8];
  if (zone !== undefined && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offset = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0');
    utc -= sign * offset * 60_000;
  }
  return utc;
}

/** What the timestamp field accepts, for rejection messages. */
export const TIMESTAMP_FORMATS = 'YYYY/MM/DD HH:MM:SS.mmm (nvidia-smi), epoch seconds (date +%s) or ISO 8601 (date -Iseconds)';

/** True when timestamps of this form have whole-second resolution (two rows can share one). */
export function isSecondResolution(text: string): boolean {
  return /^\d{9,10}$/.test(text) || /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}(:?\d{2})?)?$/.test(text) || /^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}$/.test(text);
}
