/**
 * Statistics that respect their sample: tails and intervals below the documented minimum n are
 * printed as n and the minimum, batches are counted as batches, an unknown throughput is
 * "unknown" (never 0) and never the best sweep point, and no cell reads "— ms".
 */
import { describe, expect, it } from 'vitest';
import type { SweepPoint } from '../../../src/profile/metrics-document.js';
import { renderHtmlReport } from '../../../src/report/html.js';
import { renderMarkdownReport } from '../../../src/report/markdown.js';
import { buildReportModel } from '../../../src/report/report-model.js';
import nunjucks from 'nunjucks';
import { addStatisticFilters } from '../../../src/report/sample-filters.js';
import type { ReportLang } from '../../../src/report/format.js';
import { countLatencySamples, isStatisticShown, SAMPLE_MINIMUMS } from '../../../src/report/sample-minimums.js';
import { chooseBestPoint, groupSweeps } from '../../../src/report/sweep.js';
import { summarize } from '../../../src/stats/index.js';
import { inferenceRun } from './fixture-doc.js';

const ci = { estimate: 0.2, low: 0.19, high: 0.21, confidence: 0.95, iterations: 200 };

describe('sample minimums', () => {
  it('shows p95 from 20 records, p99 from 100, intervals from 10, a median always, and a tool summary without n as reported', () => {
    expect(SAMPLE_MINIMUMS).toEqual({ p95: 20, p99: 100, interval: 10 });
    expect([isStatisticShown('p95', 19), isStatisticShown('p95', 20)]).toEqual([false, true]);
    expect([isStatisticShown('p99', 99), isStatisticShown('p99', 100)]).toEqual([false, true]);
    expect([isStatisticShown('interval', 9), isStatisticShown('interval', 10)]).toEqual([false, true]);
    expect(isStatisticShown('p50', 1)).toBe(true);
    expect(isStatisticShown('p99', null)).toBe(true);
  });

  it('counts latency records as batches when each stood for several requests', () => {
    const latencyS = summarize(Array.from({ length: 60 }, (_, i) => 1 + i / 100));
    expect(countLatencySamples({ completedRequests: 960, latencyS })).toEqual({ n: 60, unit: 'batches' });
    expect(countLatencySamples({ completedRequests: 60, latencyS })).toEqual({ n: 60, unit: 'requests' });
    expect(countLatencySamples({ completedRequests: null, latencyS })).toEqual({ n: 60, unit: 'requests' });
    expect(countLatencySamples({ completedRequests: 0, latencyS: summarize([]) })).toBeNull();
  });
});

describe('statistic cells', () => {
  /** The filters as templates call them. */
  function filters(lang: ReportLang) {
    const env = new nunjucks.Environment(null, { autoescape: false });
    addStatisticFilters(env, lang, (t) => t);
    const render = (template: string, ctx: Record<string, unknown>): string => env.renderString(template, ctx);
    return {
      latency: (v: unknown, n: unknown, key: string, c?: unknown) => render('{{ v | lat(n, key, c) }}', { v, n, key, c }),
      msWithUnit: (v: unknown) => render('{{ v | msu }}', { v }),
      throughput: (v: unknown, n: unknown, c?: unknown) => render('{{ v | tput(n, c) }}', { v, n, c }),
      latencySamples: (i: unknown) => render('{{ i | latency_samples }}', { i }),
      warmupCounts: (m: unknown) => render('{{ m | warmup_counts }}', { m }),
    };
  }
  const en = filters('en');
  const pt = filters('pt-BR');

  it('prints a tail below its minimum as n and the minimum, and its interval only from 10 records', () => {
    expect(en.latency(0.2, 4, 'p95', ci)).toBe('n = 4, below 20');
    expect(pt.latency(0.2, 4, 'p95', ci)).toBe('n = 4, abaixo de 20');
    expect(en.latency(0.2, 60, 'p99')).toBe('n = 60, below 100');
    expect(en.latency(0.2, 25, 'p95', ci)).toBe('200.0 [190.0 – 210.0] ms');
    expect(en.latency(0.2, 4, 'p50', ci)).toBe('200.0 ms');
    expect(en.latency(0.2, 9, 'p50', ci)).toBe('200.0 ms');
    expect(en.latency(0.2, 10, 'p50', ci)).toBe('200.0 [190.0 – 210.0] ms');
  });

  it('never prints a unit after a missing value, and an unknown throughput as unknown, never 0', () => {
    expect(en.latency(null, 100, 'p95')).toBe('—');
    expect(en.msWithUnit(undefined)).toBe('—');
    expect(en.msWithUnit(0.0123)).toBe('12.30 ms');
    expect(en.throughput(null, 100)).toBe('unknown');
    expect(pt.throughput(null, 100)).toBe('desconhecido');
    expect(en.throughput(83.02, 60, { low: 78.87, high: 85.55 })).toBe('83.02 [78.87 – 85.55]');
    expect(en.throughput(83.02, 5, { low: 78.87, high: 85.55 })).toBe('83.02');
  });

  it('says how many records and batches the percentiles rest on, and the warm-up per experiment', () => {
    const latencyS = summarize(Array.from({ length: 60 }, () => 1));
    expect(en.latencySamples({ ...inferenceRun('a', 'infer', 1, 1).tasks[0]!.inference!, completedRequests: 960, latencyS })).toBe('60 batches');
    expect(pt.latencySamples({ ...inferenceRun('a', 'infer', 1, 1).tasks[0]!.inference!, completedRequests: 960, latencyS })).toBe('60 lotes');
    expect(en.latencySamples(inferenceRun('a', 'infer', 1, 1).tasks[0]!.inference)).toBe('400 requests');
    expect(en.warmupCounts({ warmup_records: 0, warmup_by_experiment: { lora: 0, infer: 2 } })).toBe('0 (lora), 2 (infer)');
    expect(en.warmupCounts({ warmup_records: 3 })).toBe('3');
  });
});

/** An inference run of `n` records of `batch` requests each, warm-up 2 records in `infer` and 0 in `lora`. */
function smallBatchRun(n: number, batch: number) {
  const doc = inferenceRun('small', 'infer', 1, 4);
  const task = doc.tasks[0]!;
  const latencies = task.latency_samples_s.slice(0, n);
  task.latency_samples_s = latencies;
  task.inference = {
    ...task.inference!,
    records: n,
    requests: n * batch,
    completedRequests: n * batch,
    outputTokensPerS: null,
    totalTokensPerS: null,
    totalOutputTokens: null,
    latencyS: summarize(latencies),
    ci: { latencyP50S: ci, latencyP95S: ci, requestThroughput: null, outputTokensPerS: null },
  };
  doc.method.warmup_records = 2;
  doc.method.warmup_by_experiment = { lora: 0, infer: 2 };
  return doc;
}

describe('reports over a small batched sample', () => {
  const model = buildReportModel(smallBatchRun(4, 16), undefined, { now: () => new Date('2026-11-24T07:00:00Z') });

  it('Markdown: n instead of p95/p99 and intervals, batches named, unknown throughput, no "— ms"', () => {
    for (const lang of ['en', 'pt-BR'] as const) {
      const md = renderMarkdownReport(model, lang);
      expect(md).not.toContain('— ms');
      expect(md).not.toMatch(/0[.,]0+ tok/);
      expect(md).not.toContain('[190');
    }
    const md = renderMarkdownReport(model, 'en');
    const row = md.split('\n').find((l) => l.startsWith('| infer | main | 64 |')) ?? '';
    expect(row).toContain('| 4 batches |');
    expect(row).toContain('n = 4, below 20');
    expect(row).toContain('n = 4, below 100');
    expect(row).toContain('| unknown |');
    expect(md).toContain('p95 is shown from 20 latency records, p99 from 100, bootstrap intervals from 10');
  });

  it('HTML: the same cells, and the method line counts the warm-up records the Markdown does', async () => {
    const html = await renderHtmlReport(model, 'en');
    expect(html).not.toContain('— ms');
    expect(html).toContain('<td class="n">4 batches</td>');
    expect(html).toContain('n = 4, below 20');
    expect(html).toContain('Warm-up records excluded from the start of each inference log: per experiment, 0 (lora), 2 (infer);');
    expect(renderMarkdownReport(model, 'en')).toMatch(/excluded from the start of each inference log: per experiment, 0 \(lora\), 2 \(infer\);/);
  });
});

describe('best sweep point', () => {
  function point(task: string, batch: number, tps: number | null, rps: number | null): SweepPoint {
    return { experiment: 'infer', task, params: { batch_size: batch }, requests: 100, output_tokens_per_s: tps, request_throughput: rps, latency_p50_s: 0.1, latency_p95_s: 0.2, ttft_p95_s: null, gpu_utilization_mean: null, energy_j: null };
  }

  it('never picks a point whose throughput is unknown (null) or not measured (0)', () => {
    const [table] = groupSweeps([point('0', 1, 80, 2), point('1', 4, null, 9), point('2', 16, 0, 20)]);
    const choice = chooseBestPoint(table!, null);
    expect(choice.metric).toBe('output_tokens_per_s');
    expect(choice.best?.task).toBe('0');
    const [noTokens] = groupSweeps([point('0', 1, null, 2), point('1', 4, null, null), point('2', 16, null, 0)]);
    expect(chooseBestPoint(noTokens!, null)).toMatchObject({ metric: 'request_throughput', best: { task: '0' } });
    const [nothing] = groupSweeps([point('0', 1, null, null), point('1', 4, null, 0)]);
    expect(chooseBestPoint(nothing!, null).best).toBeNull();
  });

  it('carries the record counts of each point from its task', () => {
    const doc = inferenceRun('a', 'infer', 1, 1);
    const [table] = groupSweeps([{ ...point('main', 1, 80, 2) }, point('other', 4, 90, 3)], doc.tasks);
    expect(table?.points.map((p) => [p.task, p.latency_n])).toEqual([['main', 400], ['other', null]]);
    expect(table?.points.map((p) => p.latency_samples)).toEqual([{ n: 400, unit: 'requests' }, null]);
  });

  it('labels the sweep table\'s latency records as batches next to the request count, in both formats', async () => {
    const doc = smallBatchRun(30, 16);
    const second = structuredClone(doc.tasks[0]!);
    second.task = 'b1';
    second.inference = { ...second.inference!, requests: 30, completedRequests: 30 };
    doc.tasks.push(second);
    doc.sweep = [
      { ...point('main', 16, 80, 2), requests: 480 },
      { ...point('b1', 1, 40, 1), requests: 30 },
    ];
    const model = buildReportModel(doc, undefined, { now: () => new Date('2026-11-24T07:00:00Z') });
    const md = renderMarkdownReport(model, 'en');
    expect(md).toMatch(/\| main \(best\) \| 16 \| 480 \| 30 batches \|/);
    expect(md).toMatch(/\| b1 \| 1 \| 30 \| 30 requests \|/);
    const html = await renderHtmlReport(model, 'pt-BR');
    expect(html).toContain('<td class="n">480</td><td class="n">30 lotes</td>');
  });
});

describe('one home for the minimums', () => {
  it('the advisor warns about small samples from the same numbers the tables use', async () => {
    const { ADVICE_THRESHOLDS } = await import('../../../src/report/advisor.js');
    expect(ADVICE_THRESHOLDS.minSamplesP95).toBe(SAMPLE_MINIMUMS.p95);
    expect(ADVICE_THRESHOLDS.minSamplesP99).toBe(SAMPLE_MINIMUMS.p99);
  });
});
