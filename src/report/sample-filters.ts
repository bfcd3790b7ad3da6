/**
 * Template filters for the statistics a report prints, so every format applies the same sample
 * minimums (sample-minimums.ts): a tail or an interval over too few records is printed as n and
 * the minimum, a value that cannot be computed as unknown, and a missing latency without a unit.
 */
import type nunjucks from 'nunjucks';
import type { BootstrapInterval } from '../stats/index.js';
import type { InferenceMetrics } from '../profile/inference/metrics.js';
import { formatMs, formatNumber, MISSING, type ReportLang } from './format.js';
import { labelsFor } from './i18n/index.js';
import { countLatencySamples, findMinimum, isStatisticShown, type LatencySampleCount } from './sample-minimums.js';

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
}

function isInterval(ci: unknown): ci is BootstrapInterval {
  return typeof ci === 'object' && ci !== null && isNumber((ci as BootstrapInterval).low) && isNumber((ci as BootstrapInterval).high);
}

export interface StatisticFormatter {
  /** Seconds as "12.3 ms"; a missing value is the bare dash (never "— ms"). */
  msWithUnit(seconds: unknown): string;
  /** A latency statistic `key` (p50, p95, p99) over n records, with its interval when n allows one. */
  latency(seconds: unknown, n: unknown, key: string, ci?: unknown): string;
  /** A throughput with its interval when n allows one; unknown (never 0) when it could not be computed. */
  throughput(value: unknown, n: unknown, ci?: unknown): string;
  /** "60 batches" or "960 requests": what the latency percentiles were computed over. */
  latencySamples(inference: InferenceMetrics | undefined): string;
  /** The same for a count already made (a sweep row's `latency_samples`). */
  sampleCount(samples: LatencySampleCount | null | undefined): string;
  /** The warm-up records excluded per log, per experiment when they differ. */
  warmupCounts(method: { warmup_records: number; warmup_by_experiment?: Record<string, number> }): string;
}

function createStatisticFormatter(lang: ReportLang, escape: (text: string) => string = (t) => t): StatisticFormatter {
  const L = labelsFor(lang);
  const count = (n: unknown): number | null => (isNumber(n) ? n : null);
  const below = (n: number, statistic: string): string => fill(L.belowMinimum, { n: formatNumber(n, lang, 0), min: formatNumber(findMinimum(statistic), lang, 0) });
  const interval = (ci: unknown, n: number | null, show: (v: number) => string): string =>
    isInterval(ci) && ci.low !== ci.high && isStatisticShown('interval', n) ? ` [${show(ci.low)} – ${show(ci.high)}]` : '';
  return {
    msWithUnit: (seconds) => (isNumber(seconds) ? `${formatMs(seconds, lang)} ms` : MISSING),
    latency(seconds, n, key, ci) {
      if (!isNumber(seconds)) return MISSING;
      const records = count(n);
      if (records !== null && !isStatisticShown(key, records)) return below(records, key);
      return `${formatMs(seconds, lang)}${interval(ci, records, (v) => formatMs(v, lang))} ms`;
    },
    throughput(value, n, ci) {
      if (!isNumber(value)) return L.unknown;
      return `${formatNumber(value, lang)}${interval(ci, count(n), (v) => formatNumber(v, lang))}`;
    },
    latencySamples(inference) {
      return this.sampleCount(inference === undefined ? null : countLatencySamples(inference));
    },
    sampleCount(samples) {
      if (samples === null || samples === undefined) return MISSING;
      return fill(samples.unit === 'batches' ? L.samplesOfBatches : L.samplesOfRequests, { n: formatNumber(samples.n, lang, 0) });
    },
    warmupCounts(method) {
      const by = method.warmup_by_experiment;
      if (by === undefined || Object.keys(by).length === 0) return formatNumber(method.warmup_records, lang, 0);
      return Object.entries(by)
        .map(([experiment, n]) => `${formatNumber(n, lang, 0)} (${escape(experiment)})`)
        .join(', ');
    },
  };
}

/** Registers the formatter's filters on a report environment (one call in templates.ts). */
export function addStatisticFilters(env: nunjucks.Environment, lang: ReportLang, escape: (text: string) => string): void {
  const f = createStatisticFormatter(lang, escape);
  env.addFilter('msu', (v: unknown) => f.msWithUnit(v));
  env.addFilter('lat', (v: unknown, n: unknown, key: string, ci?: unknown) => f.latency(v, n, key, ci));
  env.addFilter('tput', (v: unknown, n: unknown, ci?: unknown) => f.throughput(v, n, ci));
  env.addFilter('latency_samples', (inference: InferenceMetrics | undefined) => f.latencySamples(inference));
  env.addFilter('sample_count', (samples: LatencySampleCount | null | undefined) => f.sampleCount(samples));
  env.addFilter('warmup_counts', (method: Parameters<StatisticFormatter['warmupCounts']>[0]) => f.warmupCounts(method));
  env.addGlobal('SAMPLE_MINIMUMS', { p95: findMinimum('p95'), p99: findMinimum('p99'), interval: findMinimum('interval') });
}
