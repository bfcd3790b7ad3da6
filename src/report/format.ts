/**
 * Number, duration and size formatting for reports, per language. pt-BR writes a decimal comma
 * and a dot (or thin space) for thousands; English a decimal point. Missing values print as an
 * em dash so a table never shows "null" or "NaN".
 */
export type ReportLang = 'en' | 'pt-BR';
export const REPORT_LANGS: readonly ReportLang[] = ['en', 'pt-BR'];

export const MISSING = '—';

const cache = new Map<string, Intl.NumberFormat>();

function formatter(lang: ReportLang, digits: number, grouping: boolean): Intl.NumberFormat {
  const key = `${lang}|${digits}|${grouping}`;
  let f = cache.get(key);
  if (f === undefined) {
    // A report language is a BCP 47 tag, so Intl takes it as it is: a new language needs no change here.
    f = new Intl.NumberFormat(lang === 'en' ? 'en-US' : lang, {
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
      useGrouping: grouping,
    });
    cache.set(key, f);
  }
  return f;
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** Digits that keep about three significant figures for small values, fewer for large ones. */
function autoDigits(value: number): number {
  const abs = Math.abs(value);
  if (abs === 0 || abs >= 100) return abs >= 1000 ? 0 : 1;
  if (abs >= 1) return 2;
  return Math.min(6, Math.max(2, 2 - Math.floor(Math.log10(abs))));
}

export function formatNumber(value: unknown, lang: ReportLang, digits?: number): string {
  if (!isNumber(value)) return MISSING;
  return formatter(lang, digits ?? autoDigits(value), true).format(value);
}

/** A fraction 0..1 as a percentage. */
export function formatPercent(fraction: unknown, lang: ReportLang, digits = 1): string {
  if (!isNumber(fraction)) return MISSING;
  return `${formatter(lang, digits, true).format(fraction * 100)} %`;
}

/** A value already in percent (nvidia-smi utilization). */
export function formatPercentValue(value: unknown, lang: ReportLang, digits = 1): string {
  if (!isNumber(value)) return MISSING;
  return `${formatter(lang, digits, true).format(value)} %`;
}

/** Seconds as milliseconds (latencies are shown in ms). */
export function formatMs(seconds: unknown, lang: ReportLang, digits?: number): string {
  if (!isNumber(seconds)) return MISSING;
  const ms = seconds * 1000;
  return formatNumber(ms, lang, digits ?? (Math.abs(ms) >= 100 ? 1 : 2));
}

/**
 * A time in seconds with its unit, as a reader expects it: a latency always in ms; other times
 * in ms below 10 s and as h:mm:ss above (queue waits, elapsed times), so a 5-minute wait never
 * reads "300,000.0 ms".
 */
export function formatSeconds(seconds: unknown, lang: ReportLang, kind: 'latency' | 'duration' = 'duration'): string {
  if (!isNumber(seconds)) return MISSING;
  return kind === 'latency' || Math.abs(seconds) < 10 ? `${formatMs(seconds, lang)} ms` : formatDuration(seconds);
}

/** A signed relative change (0.05 → "+5.0 %"). */
export function formatChange(fraction: unknown, lang: ReportLang, digits = 1): string {
  if (!isNumber(fraction)) return MISSING;
  const sign = fraction > 0 ? '+' : fraction < 0 ? '−' : '±';
  return `${sign}${formatter(lang, digits, true).format(Math.abs(fraction) * 100)} %`;
}

/** Seconds as h:mm:ss (or m:ss), the way SLURM users read elapsed times. */
export function formatDuration(seconds: unknown): string {
  if (!isNumber(seconds) || seconds < 0) return MISSING;
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number): string => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}

export function formatMiB(value: unknown, lang: ReportLang): string {
  if (!isNumber(value)) return MISSING;
  return value >= 1024 ? `${formatNumber(value / 1024, lang, 1)} GiB` : `${formatNumber(value, lang, 0)} MiB`;
}

/** Anything else (strings, booleans) as text; numbers through formatNumber. */
export function formatValue(value: unknown, lang: ReportLang): string {
  if (value === null || value === undefined || value === '') return MISSING;
  if (typeof value === 'number') return Number.isInteger(value) ? formatNumber(value, lang, 0) : formatNumber(value, lang);
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
