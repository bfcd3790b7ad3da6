/**
 * Charts as Vega-Lite specs, compiled to Vega and rendered to SVG strings in Node (renderer
 * 'none' + view.toSVG(): no canvas, no browser, no network). The HTML report inlines the SVG,
 * so it opens offline. Each spec carries its data inline.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { TaskMetrics } from '../profile/metrics-document.js';
import type { SweepRow, SweepTable } from './sweep.js';

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

/** A dashed horizontal (y) or vertical (x) line at the SLO, labelled, for latency panels. */
function sloLayers(axis: 'x' | 'y', sloMs: number, label: string): Record<string, unknown>[] {
  const at = { [axis]: { datum: sloMs, type: 'quantitative' } };
  return [
    { mark: { type: 'rule', color: '#b00020', strokeDash: [6, 4], strokeWidth: 1.5 }, encoding: at },
    {
      mark: { type: 'text', color: '#b00020', align: axis === 'y' ? 'left' : 'right', baseline: 'bottom', dx: axis === 'y' ? 2 : -4, dy: -2 },
      encoding: { ...at, [axis === 'y' ? 'x' : 'y']: axis === 'y' ? { value: 0 } : { value: 12 }, text: { value: label } },
    },
  ];
}

/**
 * Empirical CDF of latency (ms) per record: every percentile can be read off it. `fraction`
 * names what a record is (requests, or batches when one record stood for several requests).
 */
export function specLatencyCdf(
  task: TaskMetrics,
  labels: { latency: string; fraction: string; title: string; sloRule?: string },
  options: {
    sloMs?: number | null;
    /** Bootstrap intervals of percentiles (ms) at their level `p` (0.5, 0.95), drawn as horizontal bars on the curve. */
    intervals?: readonly { p: number; low: number; high: number }[];
  } = {},
): ChartSpec | null {
  const samples = [...task.latency_samples_s].sort((a, b) => a - b);
  if (samples.length === 0) return null;
  // A CDF needs no more than a few hundred steps to look exact.
  const step = Math.max(1, Math.floor(samples.length / 400));
  const rows: { ms: number; p: number }[] = [];
  for (let i = 0; i < samples.length; i += step) rows.push({ ms: (samples[i] as number) * 1000, p: (i + 1) / samples.length });
  rows.push({ ms: (samples[samples.length - 1] as number) * 1000, p: 1 });
  const title = `${labels.title}: ${task.experiment}/${task.task}`;
  const curve = {
    mark: { type: 'line', interpolate: 'step-after', point: false },
    encoding: {
      x: { field: 'ms', type: 'quantitative', title: labels.latency, scale: { zero: false } },
      y: { field: 'p', type: 'quantitative', title: labels.fraction, scale: { domain: [0, 1] }, axis: { format: '%' } },
    },
  };
  const slo = options.sloMs;
  const layers: Record<string, unknown>[] = [curve];
  const intervals = options.intervals ?? [];
  if (intervals.length > 0) {
    layers.push({
      data: { values: intervals },
      mark: { type: 'errorbar', ticks: { size: 8 }, thickness: 2, color: '#b45309' },
      // Same titles as the curve's, so the shared axes keep one title each (else "Latency (ms), low").
      encoding: { x: { field: 'low', type: 'quantitative', title: labels.latency }, x2: { field: 'high' }, y: { field: 'p', type: 'quantitative', title: labels.fraction } },
    });
  }
  if (typeof slo === 'number' && Number.isFinite(slo)) layers.push(...sloLayers('x', slo, fillSlo(labels.sloRule, slo)));
  return {
    id: safeId(`latency-${task.experiment}-${task.task}`),
    title,
    spec: { ...base(title), data: { values: rows }, layer: layers } as unknown as TopLevelSpec,
  };
}

function fillSlo(template: string | undefined, sloMs: number): string {
  return (template ?? 'SLO {slo} ms').replace('{slo}', String(sloMs));
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

/** A bootstrap interval of one sweep point, already gated by sample size; null where none is shown. */
export interface SweepPointIntervals {
  throughput: { low: number; high: number } | null;
  p95Ms: { low: number; high: number } | null;
}

export interface SweepChartLabels {
  throughputTokens: string;
  throughputRequests: string;
  latency: string;
  title: string;
  sloRule: string;
  /** The unit shown after a swept parameter's name on the x axis. */
  paramUnit: (param: string) => string;
}

export interface SweepChartOptions {
  sloMs?: number | null;
  /** By task name. */
  intervals?: ReadonlyMap<string, SweepPointIntervals>;
  /** Whether a point's p95 rests on enough records to be plotted (sample-minimums.ts). */
  showP95?: (point: SweepRow) => boolean;
}

function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}

/**
 * Throughput and p95 latency against one swept parameter; the other swept parameters become
 * the line colour, so a two-parameter sweep still reads as one chart per parameter. The x axis
 * is ordinal (batch sizes 1, 4, 16, 128 sit evenly, as on a log axis), legends are in numeric
 * order, intervals are drawn as error bars where they exist, and the SLO as a dashed line.
 */
export function specSweep(table: SweepTable, param: string, labels: SweepChartLabels, options: SweepChartOptions = {}): ChartSpec | null {
  const others = table.swept.filter((p) => p !== param);
  const points = table.points.filter((p) => p.params[param] !== undefined && p.params[param] !== null);
  // One throughput unit per chart: tokens when any point logged them, else requests; unknown values are left out, never drawn as 0.
  const useTokens = points.some((p) => p.output_tokens_per_s !== null);
  const showP95 = options.showP95 ?? (() => true);
  const seriesOf = (p: SweepRow): string => (others.length > 0 ? others.map((o) => `${o}=${String(p.params[o])}`).join(', ') : table.experiment);
  const rows = points.map((p) => {
    const ci = options.intervals?.get(p.task);
    const p95Shown = p.latency_p95_s !== null && showP95(p);
    return {
      x: p.params[param],
      series: seriesOf(p),
      throughput: useTokens ? p.output_tokens_per_s : p.request_throughput,
      throughputLow: ci?.throughput?.low ?? null,
      throughputHigh: ci?.throughput?.high ?? null,
      p95: p95Shown ? (p.latency_p95_s as number) * 1000 : null,
      p95Low: p95Shown ? (ci?.p95Ms?.low ?? null) : null,
      p95High: p95Shown ? (ci?.p95Ms?.high ?? null) : null,
    };
  });
  if (rows.length < 2) return null;
  const xOrder = [...new Set(rows.map((r) => r.x))].sort(compareValues);
  // Legend in numeric order of the other parameters (1, 4, 16, 128), not text order (1, 128, 16, 4).
  const seriesOrder = [...new Map(
    [...points].sort((a, b) => {
      for (const o of others) {
        const c = compareValues(a.params[o], b.params[o]);
        if (c !== 0) return c;
      }
      return 0;
    }).map((p) => [seriesOf(p), true]),
  ).keys()];
  const x = { field: 'x', type: 'ordinal' as const, sort: xOrder, title: `${param} (${labels.paramUnit(param)})`, axis: { labelAngle: 0 } };
  const color = { field: 'series', type: 'nominal' as const, title: others.join(', ') || null, sort: seriesOrder, scale: { domain: seriesOrder } };
  const panel = (field: 'throughput' | 'p95', title: string, extra: Record<string, unknown>[]): Record<string, unknown> => ({
    width: WIDTH,
    height: 160,
    layer: [
      { mark: { type: 'line', point: true }, encoding: { x, y: { field, type: 'quantitative', title }, color } },
      ...(rows.some((r) => r[`${field}Low`] !== null)
        ? [{ transform: [{ filter: `datum.${field}Low != null` }], mark: { type: 'errorbar', ticks: { size: 10 }, thickness: 1.5 }, encoding: { x, y: { field: `${field}Low`, type: 'quantitative', title }, y2: { field: `${field}High` }, color } }]
        : []),
      ...extra,
    ],
  });
  const slo = options.sloMs;
  const sloLines = typeof slo === 'number' && Number.isFinite(slo) ? sloLayers('y', slo, fillSlo(labels.sloRule, slo)) : [];
  const title = `${labels.title} ${param}: ${table.experiment}`;
  return {
    id: safeId(`sweep-${table.experiment}-${param}`),
    title,
    spec: {
      ...base(title),
      data: { values: rows },
      vconcat: [panel('throughput', useTokens ? labels.throughputTokens : labels.throughputRequests, []), panel('p95', labels.latency, sloLines)],
      resolve: { scale: { color: 'shared' } },
      // The panels are built as plain records (layers differ per panel); vega-lite validates the whole at compile time.
    } as unknown as TopLevelSpec,
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
