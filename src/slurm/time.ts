/**
 * SLURM durations and timestamps.
 *
 * sbatch --time accepts MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM and D-HH:MM:SS; squeue prints
 * elapsed time as M:SS / H:MM:SS / D-HH:MM:SS; sacct prints TotalCPU as MM:SS.mmm. All of them
 * read the same way: without a day part, one number is minutes and two are minutes:seconds.
 *
 * Errors: `parseSlurmDuration` throws SlurmFormatError (a plain Error subclass with `text`
 * and `expected`), which config code turns into a ConfigIssue.
 */
import { SlurmFormatError } from '../errors.js';

export type SlurmDuration =
  | { kind: 'seconds'; seconds: number }
  | { kind: 'unlimited' }
  /** The job inherits the partition's limit (sacct prints `Partition_Limit`). */
  | { kind: 'partition-limit' }
  /** SLURM printed INVALID (e.g. an elapsed time it could not compute). */
  | { kind: 'invalid' };

const EXPECTED =
  'a SLURM time such as 30 (minutes), 30:00, 02:00:00, 1-00, 1-12:00 or 1-12:00:00, or UNLIMITED';

const WITH_DAYS = /^(\d+)-(\d+)(?::(\d+)(?::(\d+(?:\.\d+)?))?)?$/;
const WITHOUT_DAYS = /^(\d+)(?::(\d+(?:\.\d+)?))?(?::(\d+(?:\.\d+)?))?$/;

function toNumber(text: string | undefined): number {
  return text === undefined ? 0 : Number(text);
}

/** Parses every form SLURM prints or accepts; never throws. */
export function parseSlurmDurationValue(text: string): SlurmDuration | undefined {
  const t = text.trim();
  const upper = t.toUpperCase();
  if (upper === 'UNLIMITED' || upper === 'INFINITE') return { kind: 'unlimited' };
  if (upper === 'PARTITION_LIMIT') return { kind: 'partition-limit' };
  if (upper === 'INVALID') return { kind: 'invalid' };
  const days = WITH_DAYS.exec(t);
  if (days) {
    const [, d, h, m, s] = days;
    const hours = toNumber(h);
    const minutes = toNumber(m);
    const seconds = toNumber(s);
    if (hours > 23 || minutes > 59 || seconds >= 60) return undefined;
    return { kind: 'seconds', seconds: toNumber(d) * 86_400 + hours * 3600 + minutes * 60 + seconds };
  }
  const plain = WITHOUT_DAYS.exec(t);
  if (plain) {
    const [, a, b, c] = plain;
    if (c !== undefined) {
      // HH:MM:SS — hours may exceed 23 (sbatch accepts 48:00:00).
      if (toNumber(b) > 59 || toNumber(c) >= 60 || b?.includes('.')) return undefined;
      return { kind: 'seconds', seconds: toNumber(a) * 3600 + toNumber(b) * 60 + toNumber(c) };
    }
    if (b !== undefined) {
      if (toNumber(b) >= 60) return undefined;
      return { kind: 'seconds', seconds: toNumber(a) * 60 + toNumber(b) };
    }
    return { kind: 'seconds', seconds: toNumber(a) * 60 };
  }
  return undefined;
}

/** Seconds for a SLURM duration (Infinity for UNLIMITED); throws SlurmFormatError otherwise. */
export function parseSlurmDuration(text: string): number {
  const value = parseSlurmDurationValue(text);
  if (value?.kind === 'seconds') return value.seconds;
  if (value?.kind === 'unlimited') return Number.POSITIVE_INFINITY;
  throw new SlurmFormatError('time', text, EXPECTED);
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/**
 * Formats seconds as sbatch --time wants them: HH:MM:SS below a day, D-HH:MM:SS from a day
 * on, UNLIMITED for Infinity. Fractions are rounded up: asking for less time than computed
 * would kill the job early.
 */
export function formatSlurmDuration(seconds: number): string {
  if (seconds === Number.POSITIVE_INFINITY) return 'UNLIMITED';
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new SlurmFormatError('duration in seconds', String(seconds), 'a finite number of seconds ≥ 0');
  }
  const total = Math.ceil(seconds);
  const days = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const secs = total % 60;
  const clock = `${pad2(hours)}:${pad2(minutes)}:${pad2(secs)}`;
  return days > 0 ? `${days}-${clock}` : clock;
}

/**
 * A SLURM timestamp (`2026-11-24T06:08:27`, in the cluster's local time) or undefined for
 * `Unknown`, `None`, `N/A` and empty. Kept as text: SLURM prints no time zone, so turning it
 * into a Date here would silently assume the laptop's zone.
 */
export function parseSlurmTimestamp(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  if (t === '' || /^(unknown|none|n\/a|\(null\))$/i.test(t)) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(t)) return undefined;
  return t;
}
