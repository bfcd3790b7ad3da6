/**
 * Charts people read: units on every axis, batch sizes on an ordinal axis in numeric order, the
 * legend in numeric order, the SLO line where one is configured, error bars where intervals exist.
 */
import { describe, expect, it } from 'vitest';
import type { SweepPoint } from '../../../src/profile/metrics-document.js';
import { collectChartSpecs } from '../../../src/report/chart-specs.js';
import { renderChartSvg, specLatencyCdf, specSweep, type SweepChartLabels } from '../../../src/report/charts.js';
import { buildReportModel } from '../../../src/report/report-model.js';
import { groupSweeps } from '../../../src/report/sweep.js';
import { summarize } from '../../../src/stats/index.js';
import { inferenceRun } from './fixture-doc.js';

function point(task: string, batch: number, tokens: number, tps: number | null, p95: number): SweepPoint {
  return { experiment: 'infer', task, params: { batch_size: batch, max_new_tokens: tokens }, requests: 100, output_tokens_per_s: tps, request_throughput: 2, latency_p50_s: p95 / 2, latency_p95_s: p95, ttft_p95_s: null, gpu_utilization_mean: null, energy_j: null };
}

const labels: SweepChartLabels = {
  throughputTokens: 'Output throughput (tokens/s)',
  throughputRequests: 'Throughput (requests/s)',
  latency: 'p95 latency (ms)',
  title: 'Sweep',
  sloRule: 'SLO {slo} ms',
  paramUnit: (p) => (p === 'batch_size' ? 'requests per batch' : 'tokens'),
};

/** Every string a spec carries under `key`, anywhere in it. */
function collect(value: unknown, key: string, out: unknown[] = []): unknown[] {
  if (Array.isArray(value)) for (const v of value) collect(v, key, out);
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if (k === key) out.push(v);
      collect(v, key, out);
    }
  }
  return out;
}

// Text order would put 128 before 16 and 32: the order a reader must not see.
const points = [point('0', 1, 128, 90, 0.5), point('1', 1, 16, 40, 0.3), point('2', 16, 128, 300, 2.2), point('3', 16, 16, 200, 1.1), point('4', 4, 32, 120, 0.6), point('5', 1, 32, 60, 0.4), point('6', 4, 16, 100, 0.5), point('7', 4, 128, null, 1.3), point('8', 16, 32, 250, 1.6)];
const [table] = groupSweeps(points);

describe('sweep chart', () => {
  it('puts batch sizes on an ordinal axis in numeric order, with units on every axis', () => {
    const chart = specSweep(table!, 'batch_size', labels, { sloMs: 2000 })!;
    const xs = collect(chart.spec, 'x') as { type?: string; sort?: unknown[]; title?: string; datum?: number }[];
    const fieldX = xs.filter((x) => x.type === 'ordinal');
    expect(fieldX.length).toBeGreaterThan(0);
    for (const x of fieldX) {
      expect(x.sort).toEqual([1, 4, 16]);
      expect(x.title).toBe('batch_size (requests per batch)');
    }
    const titles = collect(chart.spec, 'title').filter((t): t is string => typeof t === 'string' && t !== chart.title);
    expect(titles).toEqual(expect.arrayContaining(['Output throughput (tokens/s)', 'p95 latency (ms)']));
  });

  it('orders the legend numerically (16, 32, 128), not as text (128, 16, 32)', () => {
    const chart = specSweep(table!, 'batch_size', labels)!;
    const colors = collect(chart.spec, 'color') as { field?: string; sort?: string[] }[];
    const series = colors.find((c) => c.field === 'series');
    expect(series?.sort).toEqual(['max_new_tokens=16', 'max_new_tokens=32', 'max_new_tokens=128']);
  });

  it('draws the SLO as a rule on the latency panel, and error bars only where intervals exist', () => {
    const intervals = new Map([['0', { throughput: { low: 80, high: 95 }, p95Ms: { low: 450, high: 560 } }]]);
    const chart = specSweep(table!, 'batch_size', labels, { sloMs: 2000, intervals })!;
    const json = JSON.stringify(chart.spec);
    expect(json).toContain('"datum":2000');
    expect(json).toContain('SLO 2000 ms');
    expect((collect(chart.spec, 'mark') as ({ type?: string } | string)[]).filter((m) => typeof m === 'object' && m.type === 'errorbar')).toHaveLength(2);
    const without = specSweep(table!, 'batch_size', labels)!;
    expect(JSON.stringify(without.spec)).not.toContain('errorbar');
    expect(JSON.stringify(without.spec)).not.toContain('"datum"');
  });

  it('leaves an unknown throughput out instead of drawing 0, and hides a p95 the sample cannot carry', () => {
    const chart = specSweep(table!, 'batch_size', labels, { showP95: (p) => p.task !== '2' })!;
    const rows = (chart.spec as { data: { values: { x: number; series: string; throughput: number | null; p95: number | null }[] } }).data.values;
    expect(rows.find((r) => r.x === 4 && r.series === 'max_new_tokens=128')?.throughput).toBeNull();
    expect(rows.find((r) => r.x === 16 && r.series === 'max_new_tokens=128')?.p95).toBeNull();
    expect(rows.find((r) => r.x === 1 && r.series === 'max_new_tokens=128')?.p95).toBe(500);
    const requestsOnly = groupSweeps(points.map((p) => ({ ...p, output_tokens_per_s: null })))[0]!;
    expect(JSON.stringify(specSweep(requestsOnly, 'batch_size', labels)!.spec)).toContain('Throughput (requests/s)');
  });

  it('renders to an SVG whose axis titles carry their units', async () => {
    const svg = (await renderChartSvg(specSweep(table!, 'batch_size', labels, { sloMs: 2000 })!)).svg;
    expect(svg).toContain('batch_size (requests per batch)');
    expect(svg).toContain('Output throughput (tokens/s)');
    expect(svg).toContain('SLO 2000 ms');
    expect(svg.indexOf('>max_new_tokens=16<')).toBeLessThan(svg.indexOf('>max_new_tokens=128<'));
  });
});

describe('latency chart', () => {
  it('says "batches" when a record stood for several requests, and marks the SLO', () => {
    const doc = inferenceRun('a', 'infer', 1, 1);
    const task = doc.tasks[0]!;
    task.inference = { ...task.inference!, completedRequests: 1600, goodput: { slo: { e2eMs: 240 }, goodRequests: 1, unjudgedRequests: 0, requestsPerS: 1, fraction: 0.5 } };
    const [charts] = collectChartSpecs(buildReportModel(doc, undefined), 'en').task;
    const cdf = charts?.find((c) => c.id.startsWith('latency-'));
    const json = JSON.stringify(cdf?.spec);
    expect(json).toContain('Fraction of batches (%)');
    expect(json).toContain('"datum":240');
    const plain = inferenceRun('b', 'infer', 1, 2);
    const [plainCharts] = collectChartSpecs(buildReportModel(plain, undefined), 'pt-BR').task;
    expect(JSON.stringify(plainCharts?.[0]?.spec)).toContain('Fração das requisições (%)');
    expect(JSON.stringify(plainCharts?.[0]?.spec)).not.toContain('datum');
  });

  it('draws the p50 and p95 intervals on the curve only when the sample carries them', () => {
    const withCi = (n: number) => {
      const doc = inferenceRun('a', 'infer', 1, 1);
      const task = doc.tasks[0]!;
      task.latency_samples_s = task.latency_samples_s.slice(0, n);
      const ci = (low: number, high: number) => ({ estimate: (low + high) / 2, low, high, confidence: 0.95, iterations: 200 });
      task.inference = { ...task.inference!, latencyS: summarize(task.latency_samples_s), ci: { latencyP50S: ci(0.21, 0.22), latencyP95S: ci(0.24, 0.25), requestThroughput: null, outputTokensPerS: null } };
      const [charts] = collectChartSpecs(buildReportModel(doc, undefined), 'en').task;
      const spec = charts?.find((c) => c.id.startsWith('latency-'))?.spec;
      const bars = (collect(spec, 'data') as { values?: { p: number; low: number; high: number }[] }[]).filter((d) => d.values?.[0]?.low !== undefined);
      return bars[0]?.values ?? [];
    };
    expect(withCi(400)).toEqual([{ p: 0.5, low: 210, high: 220 }, { p: 0.95, low: 240, high: 250 }]);
    expect(withCi(15).map((v) => v.p)).toEqual([0.5]);
    expect(withCi(9)).toEqual([]);
  });

  it('draws no SLO line without an SLO', () => {
    const task = inferenceRun('a', 'infer', 1, 1).tasks[0]!;
    task.inference = { ...task.inference!, latencyS: summarize(task.latency_samples_s) };
    expect(JSON.stringify(specLatencyCdf(task, { latency: 'Latency (ms)', fraction: 'Fraction of requests (%)', title: 'L' })?.spec)).not.toContain('rule');
  });
});
