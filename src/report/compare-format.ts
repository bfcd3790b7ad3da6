/**
 * A comparison as a Markdown table: readable in a terminal, pasteable into an issue or a paper.
 * Its words come from the language's catalogue (src/report/i18n/).
 */
import type { RunComparison } from './compare.js';
import { codeSpan, escapeMarkdown } from './markdown-escape.js';
import { formatChange, formatNumber, formatPercent, formatSeconds, formatValue, type ReportLang } from './format.js';
import { describeOverallVerdict, type Verdict } from './compare-verdict.js';
import { catalogueFor } from './i18n/index.js';


function value(v: number, unit: string, lang: ReportLang, metric: string): string {
  if (unit === 's') return formatSeconds(v, lang, /^(latency|ttft|tpot|itl)_/.test(metric) ? 'latency' : 'duration');
  if (unit === 'fraction') return formatPercent(v, lang);
  return `${formatNumber(v, lang)} ${unit}`;
}

function verdictWord(verdict: Verdict, lang: ReportLang): string {
  return catalogueFor(lang).compare[verdict];
}

export function renderComparisonMarkdown(comparison: RunComparison, lang: ReportLang = 'en'): string {
  const w = catalogueFor(lang).compare;
  const lines = [
    `# ${w.title}: ${escapeMarkdown(comparison.baseline.run_id ?? '?')} → ${escapeMarkdown(comparison.candidate.run_id ?? '?')}`,
    '',
    // The verdict comes before the table: a reader should not have to scan 90 rows for it.
    ...describeOverallVerdict(comparison.overall, comparison.noisePct, lang, escapeMarkdown),
    '',
    `${w.noise}: ±${formatValue(comparison.noisePct, lang)} %; ${w.seed} ${comparison.seed}.`,
    '',
  ];
  if (comparison.metrics.length === 0) lines.push(w.none);
  else {
    lines.push(`| ${w.task} | ${w.metric} | ${w.baseline} | ${w.candidate} | ${w.change} | ${w.ci} | ${w.verdict} |`, '|---|---|---:|---:|---:|---:|---|');
    for (const m of comparison.metrics) {
      const ci = m.ci === null ? '—' : `[${formatChange(m.ci.low, lang)}, ${formatChange(m.ci.high, lang)}]`;
      lines.push(`| ${escapeMarkdown(`${m.experiment}/${m.task}`)} | ${codeSpan(m.metric, true)} | ${value(m.baseline, m.unit, lang, m.metric)} | ${value(m.candidate, m.unit, lang, m.metric)} | ${formatChange(m.change, lang)} | ${ci} | ${verdictWord(m.verdict, lang)} |`);
    }
  }
  if (comparison.unmatched.length > 0) lines.push('', `${w.unmatched}: ${escapeMarkdown(comparison.unmatched.join('; '))}.`);
  return `${lines.join('\n')}\n`;
}
