/**
 * The method section's sentences, built once for every format: the Markdown template prints them
 * as a list, the HTML template as the same list (their `code` spans become <code>). Words come from
 * the catalogue; `escape` applies to values from the run (experiment names).
 */
import { formatNumber, formatPercent, formatValue, type ReportLang } from './format.js';
import { labelsFor } from './i18n/index.js';
import type { ReportModel } from './report-model.js';
import { SAMPLE_MINIMUMS } from './sample-minimums.js';
import { ANALYTIC_INTERVALS_ABOVE } from '../profile/inference/intervals.js';

type Escape = (text: string) => string;

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
}

export function describeMethodLines(model: ReportModel, lang: ReportLang, escape: Escape = (t) => t): string[] {
  const L = labelsFor(lang);
  const method = model.doc.method;
  const int = (n: number): string => formatNumber(n, lang, 0);
  const byExperiment = method.warmup_by_experiment;
  const which =
    byExperiment !== undefined && Object.keys(byExperiment).length > 0
      ? fill(L.warmupPerExperiment, { list: Object.entries(byExperiment).map(([e, n]) => `${int(n)} (${escape(e)})`).join(', ') })
      : fill(L.warmupFirst, { n: int(method.warmup_records) });
  const t = model.thresholds;
  return [
    fill(L.warmupLine, { which }),
    fill(L.sampleRule, { p95: int(SAMPLE_MINIMUMS.p95), p99: int(SAMPLE_MINIMUMS.p99), ci: int(SAMPLE_MINIMUMS.interval) }),
    fill(L.percentilesLine, { method: method.percentile_method === 'linear' ? L.percentileLinear : L.percentileNearest }),
    L.stdLine,
    fill(L.ciLine, {
      confidence: formatNumber(method.bootstrap.confidence * 100, lang, 0),
      iterations: int(method.bootstrap.iterations),
      seed: escape(String(method.bootstrap.seed)),
    }),
    ...(hasAnalyticInterval(model.doc.tasks)
      ? [fill(L.analyticCiLine, { n: int(ANALYTIC_INTERVALS_ABOVE), confidence: formatNumber(method.bootstrap.confidence * 100, lang, 0) })]
      : []),
    fill(L.gpuMethodLine, { busy: model.busyThresholdsPct.map((b) => formatValue(b, lang)).join(' / ') }),
    L.accountingMethodLine,
    fill(L.thresholdsLine, {
      idle: formatPercent(t.idleBusyFraction, lang),
      lowUtil: formatValue(t.lowUtilizationPercent, lang),
      lowCpu: formatPercent(t.lowCpuEfficiency, lang),
      memNear: formatPercent(t.memoryNearLimit, lang),
      z: formatNumber(t.outlierZ, lang),
      minP99: formatValue(t.minSamplesP99, lang),
    }),
  ];
}

/** Whether any interval in the tasks was computed without resampling (it carries a `method`; see profile/inference/intervals.ts). */
function hasAnalyticInterval(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasAnalyticInterval);
  if (value === null || typeof value !== 'object') return false;
  const record = value as Record<string, unknown>;
  if ((record.method === 'order-statistic' || record.method === 'normal') && typeof record.low === 'number') return true;
  return Object.values(record).some(hasAnalyticInterval);
}
