/**
 * Charts as Vega-Lite specs, compiled to Vega and rendered to SVG strings in Node (renderer
 * 'none' + view.toSVG(): no canvas, no browser, no network). The HTML report inlines the SVG,
 * so it opens offline. Each spec carries its data inline.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { TaskMetrics } from '../profile/metrics-document.js';
import type { SweepTable } from './sweep.js';

export interface ChartSpec {
  /** Stable id, used as the HTML element id (and by the browser test). */
  id: string;
  title: string;
  spec: TopLevelSpec;
}

export interface RenderedChart {
  id: string;
  title: string;
  svg: string;
}

const WIDTH = 560;
const HEIGHT = 220;
const FONT = 'sans-serif';

/** The HTML caption names the chart, so the SVG carries no title of its own (`description` keeps it for screen readers). */
function base(title: string): Pick<TopLevelSpec, '$schema' | 'config' | 'description'> & { width: number; height: number } {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    description: title,
    width: WIDTH,
    height: HEIGHT,
    config: { font: FONT, axis: { labelFont: FONT, titleFont: FONT }, legend: { labelFont: FONT, titleFont: FONT }, title: { font: FONT } },
  };
}

function safeId(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]+/g, '-');
}

/** GPU utilization (%) and memory used (MiB) over time, one line per GPU, two panels. */
export function specGpuSeries(task: TaskMetrics, labels: { utilization: string; memory: string; time: string; title: string }): ChartSpec | null {
  const rows: { t: number; gpu: string; utilization: number | null; memory: number | null }[] = [];
  for (const s of task.gpu_series) {
    s.t.forEach((t, i) => rows.push({ t, gpu: s.gpu, utilization: s.utilization[i] ?? null, memory: s.memoryUsedMiB[i] ?? null }));
  }
  if (rows.length === 0) return null;
  const title = `${labels.title}: ${task.experiment}/${task.task}`;
  const x = { field: 't', type: 'quantitative' as const, title: labels.time };
  const color = { field: 'gpu', type: 'nominal' as const, title: 'GPU' };
  return {
    id: safeId(`gpu-${task.experiment}-${task.task}`),
    title,
    spec: {
      ...base(title),
      data: { values: rows },
      vconcat: [
        { width: WIDTH, height: 160, mark: { type: 'line', interpolate: 'monotone' }, encoding: { x, y: { field: 'utilization', type: 'quantitative', title: labels.utilization, scale: { domain: [0, 100] } }, color } },
        { width: WIDTH, height: 160, mark: { type: 'line', interpolate: 'monotone' }, encoding: { x, y: { field: 'memory', type: 'quantitative', title: labels.memory }, color } },
      ],
    } as TopLevelSpec,
  };
}

/** Empirical CDF of per-request latency (ms): every percentile can be read off it. */
export function specLatencyCdf(task: TaskMetrics, labels: { latency: string; fraction: string; title: string }): ChartSpec | null {
  const samples = [...task.latency_samples_s].sort((a, b) => a - b);
  if (samples.length === 0) return null;
  // A CDF needs no more than a few hundred steps to look exact.
  const step = Math.max(1, Math.floor(samples.length / 400));
  const rows: { ms: number; p: number }[] = [];
  for (let i = 0; i < samples.length; i += step) rows.push({ ms: (samples[i] as number) * 1000, p: (i + 1) / samples.length });
  rows.push({ ms: (samples[samples.length - 1] as number) * 1000, p: 1 });
  const title = `${labels.title}: ${task.experiment}/${task.task}`;
  return {
    id: safeId(`latency-${task.experiment}-${task.task}`),
    title,
    spec: {
      ...base(title),
      data: { values: rows },
      mark: { type: 'line', interpolate: 'step-after', point: false },
      encoding: {
        x: { field: 'ms', type: 'quantitative', title: labels.latency, scale: { zero: false } },
        y: { field: 'p', type: 'quantitative', title: labels.fraction, scale: { domain: [0, 1] }, axis: { format: '%' } },
      },
    } as TopLevelSpec,
  };
}

/** Training (and evaluation) loss against the optimizer step. */
export function specLossCurve(task: TaskMetrics, labels: { step: string; loss: string; train: string; eval: string; title: string }): ChartSpec | null {
  const training = task.training;
  if (training === undefined || training.lossCurve.length === 0) return null;
  const rows = [
    ...training.lossCurve.map((p) => ({ step: p.step, loss: p.value, curve: labels.train })),
    ...training.evalLossCurve.map((p) => ({ step: p.step, loss: p.value, curve: labels.eval })),
  ];
  const title = `${labels.title}: ${task.experiment}/${task.task}`;
  return {
    id: safeId(`loss-${task.experiment}-${task.task}`),
    title,
    spec: {
      ...base(title),
      data: { values: rows },
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'step', type: 'quantitative', title: labels.step },
        y: { field: 'loss', type: 'quantitative', title: labels.loss, scale: { zero: false } },
        color: { field: 'curve', type: 'nominal', title: null },
      },
    } as TopLevelSpec,
  };
}

/**
 * Throughput and p95 latency against one swept parameter; the other swept parameters become
 * the line colour, so a two-parameter sweep still reads as one chart per parameter.
 */
export function specSweep(
  table: SweepTable,
  param: string,
  labels: { throughput: string; latency: string; title: string },
): ChartSpec | null {
  const others = table.swept.filter((p) => p !== param);
  const rows = table.points
    .filter((p) => p.params[param] !== undefined && p.params[param] !== null)
    .map((p) => ({
      x: p.params[param],
      series: others.length > 0 ? others.map((o) => `${o}=${String(p.params[o])}`).join(', ') : table.experiment,
      throughput: p.output_tokens_per_s ?? p.request_throughput,
      p95: p.latency_p95_s === null ? null : p.latency_p95_s * 1000,
    }));
  if (rows.length < 2) return null;
  const numeric = rows.every((r) => typeof r.x === 'number');
  const x = { field: 'x', type: numeric ? ('quantitative' as const) : ('ordinal' as const), title: param };
  const color = { field: 'series', type: 'nominal' as const, title: others.join(', ') || null };
  const title = `${labels.title} ${param}: ${table.experiment}`;
  return {
    id: safeId(`sweep-${table.experiment}-${param}`),
    title,
    spec: {
      ...base(title),
      data: { values: rows },
      vconcat: [
        { width: WIDTH, height: 160, mark: { type: 'line', point: true }, encoding: { x, y: { field: 'throughput', type: 'quantitative', title: labels.throughput }, color } },
        { width: WIDTH, height: 160, mark: { type: 'line', point: true }, encoding: { x, y: { field: 'p95', type: 'quantitative', title: labels.latency }, color } },
      ],
    } as TopLevelSpec,
  };
}

/** Compiles and renders one chart to an SVG string. */
export async function renderChartSvg(chart: ChartSpec): Promise<RenderedChart> {
  const compiled = compile(chart.spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    return { id: chart.id, title: chart.title, svg };
  } finally {
    view.finalize();
  }
}
