/**
 * HTML report: one self-contained file (inline CSS, charts inlined as SVG rendered in Node by
 * Vega), so it opens offline and can be mailed or attached as is. Text goes through nunjucks
 * autoescaping; only the SVG produced by Vega is inserted unescaped.
 */
import type { ReportLang } from './format.js';
import { labelsFor } from './i18n.js';
import { renderChartSvg, specGpuSeries, specLatencyCdf, specLossCurve, specSweep, type ChartSpec, type RenderedChart } from './charts.js';
import type { ReportModel } from './report-model.js';
import { createReportEnvironment } from './templates.js';
import { addStatisticFilters } from './sample-filters.js';

export interface ChartGroup {
  experiment: string;
  task: string;
  charts: RenderedChart[];
}

/** Every chart the model supports, in report order: per task (GPU, latency, loss), then sweeps. */
export function collectChartSpecs(model: ReportModel, lang: ReportLang): { task: ChartSpec[][]; sweep: ChartSpec[] } {
  const L = labelsFor(lang);
  const task = model.tasks.map((t) =>
    [
      specGpuSeries(t, { utilization: L.utilization, memory: L.memoryMiB, time: L.time, title: L.gpuSeries }),
      specLatencyCdf(t, { latency: L.latencyMs, fraction: L.fraction, title: L.latencyDistribution }),
      specLossCurve(t, { step: L.step, loss: L.loss, train: L.train, eval: L.eval, title: L.lossCurve }),
    ].filter((c): c is ChartSpec => c !== null),
  );
  const sweep = model.sweeps.flatMap((s) =>
    s.table.swept
      .map((param) => specSweep(s.table, param, { throughput: L.throughput, latency: L.p95Ms, title: L.sweepChart }))
      .filter((c): c is ChartSpec => c !== null),
  );
  return { task, sweep };
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
  return env.render('html/report.html.njk', { ...model, taskCharts, sweepCharts });
}
