/**
 * Markdown report: templates/report/md/report.md.njk rendered over the report model; one template
 * for every language, its words from the language's catalogue (src/report/i18n/).
 */
import type { ReportLang } from './format.js';
import type { ReportModel } from './report-model.js';
import { createReportEnvironment } from './templates.js';
import { escapeMarkdown } from './markdown-escape.js';
import { addStatisticFilters } from './sample-filters.js';
import { describeMethodLines } from './method-lines.js';

export function renderMarkdownReport(model: ReportModel, lang: ReportLang = 'en'): string {
  const env = createReportEnvironment(lang, false);
  addStatisticFilters(env, lang, escapeMarkdown);
  const text = env.render('md/report.md.njk', { ...model, methodLines: describeMethodLines(model, lang, escapeMarkdown) });
  // Templates leave blank-line runs where optional sections are skipped; one blank line is enough.
  return `${text.replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}
