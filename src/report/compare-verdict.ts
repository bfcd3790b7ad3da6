/**
 * The verdicts of `compare`: per metric, and one overall line that a reader sees first.
 * A metric is called improved or regressed only when a bootstrap interval of its change exists
 * and excludes zero: a point value moved by more than the noise threshold may still be noise,
 * and without an interval we cannot tell, so it is reported as "no interval".
 */
import { formatChange, formatValue, type ReportLang } from './format.js';
import { labelsFor } from './i18n/index.js';
import type { Direction } from './metric-catalog.js';
import { isStatisticShown } from './sample-minimums.js';

export type Verdict = 'improved' | 'regressed' | 'within-noise' | 'no-interval';

/** The interval of a relative change; only its bounds matter for a verdict. */
export interface ChangeBounds {
  low: number;
  high: number;
}

export function judgeChange(change: number, direction: Direction, noisePct: number, ci: ChangeBounds | null): Verdict {
  const noise = noisePct / 100;
  if (Math.abs(change) <= noise) return 'within-noise';
  if (ci === null) return 'no-interval';
  if (ci.low <= 0 && ci.high >= 0) return 'within-noise';
  const better = direction === 'higher' ? change > 0 : change < 0;
  return better ? 'improved' : 'regressed';
}

/**
 * An interval of a change is kept only when the smaller of the two samples could carry it: at
 * least SAMPLE_MINIMUMS.interval records, and for a p95 or p99 the tail's own minimum (a p99
 * resampled from 60 records moves with one or two of them). Without it there is no verdict.
 */
export function keepInterval<T>(metric: string, ci: T | null, smallerSample: number): T | null {
  if (ci === null || !isStatisticShown('interval', smallerSample)) return null;
  const tail = /_p(95|99)_s$/.exec(metric)?.[1];
  return tail === undefined || isStatisticShown(`p${tail}`, smallerSample) ? ci : null;
}

/** What decides the overall verdict: one metric, the tasks it moved in, and its largest change. */
export interface DecidingMetric {
  metric: string;
  tasks: string[];
  /** The change of largest magnitude among those tasks (relative, 0.3 = +30 %). */
  largestChange: number;
}

export interface OverallVerdict {
  /** Regressed when any metric regressed (even if others improved): a regression is what a reader must not miss. */
  verdict: 'improved' | 'regressed' | 'within-noise';
  /** The metrics that decide it (regressed ones, else improved ones), largest change first. */
  deciding: DecidingMetric[];
  /** Improved metrics when the verdict is `regressed`, so a mixed result is visible in one line. */
  alsoImproved: DecidingMetric[];
  /** Comparisons beyond the noise threshold that have no interval, hence no verdict. */
  withoutInterval: number;
  compared: number;
}

interface JudgedMetric {
  experiment: string;
  task: string;
  metric: string;
  change: number;
  verdict: Verdict;
}

function groupByMetric(metrics: readonly JudgedMetric[]): DecidingMetric[] {
  const byName = new Map<string, DecidingMetric>();
  for (const m of metrics) {
    const entry = byName.get(m.metric) ?? { metric: m.metric, tasks: [], largestChange: 0 };
    entry.tasks.push(`${m.experiment}/${m.task}`);
    if (Math.abs(m.change) > Math.abs(entry.largestChange)) entry.largestChange = m.change;
    byName.set(m.metric, entry);
  }
  return [...byName.values()].sort((a, b) => Math.abs(b.largestChange) - Math.abs(a.largestChange) || a.metric.localeCompare(b.metric));
}

export function summarizeVerdict(metrics: readonly JudgedMetric[]): OverallVerdict {
  const regressed = groupByMetric(metrics.filter((m) => m.verdict === 'regressed'));
  const improved = groupByMetric(metrics.filter((m) => m.verdict === 'improved'));
  const withoutInterval = metrics.filter((m) => m.verdict === 'no-interval').length;
  const base = { withoutInterval, compared: metrics.length };
  if (regressed.length > 0) return { verdict: 'regressed', deciding: regressed, alsoImproved: improved, ...base };
  if (improved.length > 0) return { verdict: 'improved', deciding: improved, alsoImproved: [], ...base };
  return { verdict: 'within-noise', deciding: [], alsoImproved: [], ...base };
}

/** Tasks beyond this many are counted, not listed, so the overall line stays one line. */
const MAX_TASKS_NAMED = 3;

function describeDeciding(list: readonly DecidingMetric[], lang: ReportLang, escape: (text: string) => string): string {
  const L = labelsFor(lang);
  return list
    .map((d) => {
      const named = d.tasks.slice(0, MAX_TASKS_NAMED).map(escape);
      const rest = d.tasks.length - named.length;
      const tasks = rest > 0 ? [...named, fillLabel(L.moreTasks, { n: rest })] : named;
      return `\`${d.metric}\` ${formatChange(d.largestChange, lang)} (${tasks.join(', ')})`;
    })
    .join('; ');
}

function fillLabel(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in values ? String(values[key]) : whole));
}

/** The overall verdict as the lines printed before the table (Markdown; `escape` guards task names). */
export function describeOverallVerdict(overall: OverallVerdict, noisePct: number, lang: ReportLang, escape: (text: string) => string = (t) => t): string[] {
  const L = labelsFor(lang);
  const lines: string[] = [];
  if (overall.verdict === 'regressed') lines.push(`**${fillLabel(L.overallRegressed, { metrics: describeDeciding(overall.deciding, lang, escape) })}**`);
  else if (overall.verdict === 'improved') lines.push(`**${fillLabel(L.overallImproved, { metrics: describeDeciding(overall.deciding, lang, escape) })}**`);
  else lines.push(`**${fillLabel(L.overallNoise, { noise: formatValue(noisePct, lang) })}**`);
  if (overall.alsoImproved.length > 0) lines.push(fillLabel(L.overallAlsoImproved, { metrics: describeDeciding(overall.alsoImproved, lang, escape) }));
  if (overall.withoutInterval > 0) lines.push(fillLabel(L.overallNoInterval, { count: overall.withoutInterval }));
  return lines;
}
