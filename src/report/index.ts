/**
 * The report module's public API: reports of profiled runs and comparisons between runs.
 */
export { buildReportModel, type ReportModel, type ReportOptions } from './report-model.js';
export { loadRun, type LoadedRun } from './run-bundle.js';
export { renderMarkdownReport } from './markdown.js';
export { renderCsvReport } from './csv.js';
export { renderJsonReport } from './json-report.js';
export { renderHtmlReport } from './html.js';
export {
  renderReportFiles,
  writeReportFiles,
  REPORT_FORMATS,
  type ReportFormat,
  type RenderReportOptions,
} from './write-report.js';
export {
  compareRuns,
  findRegressions,
  type RunComparison,
  type MetricComparison,
  type CompareOptions,
  type Verdict as ComparisonVerdict,
} from './compare.js';
export { renderComparisonMarkdown } from './compare-format.js';
export { REPORT_LANGS, type ReportLang } from './format.js';
