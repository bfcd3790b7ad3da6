/**
 * Markdown report: templates/report/<lang>/report.md.njk rendered over the report model.
 */
import type { ReportLang } from './format.js';
import type { ReportModel } from './report-model.js';
import { createReportEnvironment } from './templates.js';

export function renderMarkdownReport(model: ReportModel, lang: ReportLang = 'en'): string {
  const env = createReportEnvironment(lang, false);
  const text = env.render(`${lang}/report.md.njk`, { ...model });
  // Templates leave blank-line runs where optional sections are skipped; one blank line is enough.
  return `${text.replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}
