/**
 * HTML report: one self-contained file (inline CSS, charts inlined as SVG rendered in Node by
 * Vega), so it opens offline and can be mailed or attached as is. Text goes through nunjucks
 * autoescaping; only the SVG produced by Vega is inserted unescaped.
 */
import type { ReportLang } from './format.js';
import { renderChartSvg, type RenderedChart } from './charts.js';
import { collectChartSpecs } from './chart-specs.js';

import type { ReportModel } from './report-model.js';
import { createReportEnvironment } from './templates.js';
import { addStatisticFilters } from './sample-filters.js';
import { describeMethodLines } from './method-lines.js';

export interface ChartGroup {
  experiment: string;
  task: string;
  charts: RenderedChart[];
}

export async function renderHtmlReport(model: ReportModel, lang: ReportLang = 'en'): Promise<string> {
  const specs = collectChartSpecs(model, lang);
  const taskCharts: ChartGroup[] = [];
  for (const [i, list] of specs.task.entries()) {
    const t = model.tasks[i];
    if (t === undefined || list.length === 0) continue;
    const charts: RenderedChart[] = [];
    for (const spec of list) charts.push(await renderChartSvg(spec));
    taskCharts.push({ experiment: t.experiment, task: t.task, charts });
  }
  const sweepCharts: RenderedChart[] = [];
  for (const spec of specs.sweep) sweepCharts.push(await renderChartSvg(spec));
  const env = createReportEnvironment(lang, true);
  // HTML autoescapes every filter's output, so names need no escaping of their own.
  addStatisticFilters(env, lang, (t) => t);
  return env.render('html/report.html.njk', { ...model, taskCharts, sweepCharts, methodLines: describeMethodLines(model, lang) });
}
