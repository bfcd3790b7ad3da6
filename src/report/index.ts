/**
 * The report module's public API: reports of profiled runs and comparisons between runs.
 */
export { buildReportModel, REPORT_SCHEMA, type ReportModel, type ReportOptions, type EnvironmentRow, type TaskBundle } from './report-model.js';
export { loadRun, loadRunOrMetricsFile, loadBundle, validateMetricsDocument, type LoadedRun, type RunBundle, type BundleFile, type ManifestSummary, type BundleGap } from './run-bundle.js';
export { renderMarkdownReport } from './markdown.js';
export { renderCsvReport, collectTidyRows, type TidyRow } from './csv.js';
export { renderJsonReport, buildJsonReport, type JsonReport } from './json-report.js';
export { renderHtmlReport, collectChartSpecs } from './html.js';
export { renderChartSvg, specGpuSeries, specLatencyCdf, specLossCurve, specSweep, type ChartSpec, type RenderedChart } from './charts.js';
export {
  renderReportFiles,
  writeReportFiles,
  parseReportFormats,
  parseReportLangs,
  reportFileName,
  REPORT_FORMATS,
  type ReportFormat,
  type RenderReportOptions,
} from './write-report.js';
export { adviseOnMetrics, ADVICE_THRESHOLDS, type Advice, type AdviceCode } from './advisor.js';
export { describeAdvice, describeBundleGap, labelsFor } from './i18n/index.js';
export { checkReferences, judgeReference, type ReferenceCheck, type ReferenceSpec, type ReferenceTable } from './references.js';
export { groupSweeps, chooseBestPoint, type SweepTable, type SweepChoice } from './sweep.js';
export { METRIC_CATALOG, findMetric, collectTaskMetrics, type MetricDefinition, type MetricValue, type Direction } from './metric-catalog.js';
export {
  compareRuns,
  findRegressions,
  type RunComparison,
  type MetricComparison,
  type CompareOptions,
  type Verdict as ComparisonVerdict,
} from './compare.js';
export { judgeChange } from './compare-verdict.js';
export { renderComparisonMarkdown } from './compare-format.js';
export { reportOptionsFromConfig, restrictToExperiments } from './config-options.js';
export { formatNumber, formatPercent, formatMs, formatDuration, formatChange, REPORT_LANGS, type ReportLang } from './format.js';
export { buildExampleReport, EXAMPLE_RUN_DIR, EXAMPLE_REPORT_DIR } from './example-report.js';
