import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { compareRuns, findRegressions } from '../../../src/report/compare.js';
import { renderComparisonMarkdown } from '../../../src/report/compare-format.js';
import { describeOverallVerdict, judgeChange, keepInterval, summarizeVerdict, type Verdict } from '../../../src/report/compare-verdict.js';
import { emptyTask, inferenceRun } from './fixture-doc.js';
import { summarize } from '../../../src/stats/index.js';

describe('compareRuns', () => {
  it('finds a 30 % slowdown a regression, with a bootstrap interval that excludes zero', () => {
    const comparison = compareRuns(inferenceRun('a', 'infer', 1, 1), inferenceRun('b', 'infer', 1.3, 2), { seed: 11, iterations: 500 });
    const p95 = comparison.metrics.find((m) => m.metric === 'latency_p95_s');
    expect(p95?.verdict).toBe('regressed');
    expect(p95?.ci?.low).toBeGreaterThan(0.2);
    expect(p95?.ci?.high).toBeLessThan(0.4);
    // A 50 % throughput drop, but no interval of its change: no verdict either way.
    expect(comparison.metrics.find((m) => m.metric === 'output_tokens_per_s')?.verdict).toBe('no-interval');
    expect(comparison.overall.verdict).toBe('regressed');
    expect(comparison.overall.deciding.map((d) => d.metric)).toContain('latency_p95_s');
    expect(comparison.overall.deciding.map((d) => d.metric)).not.toContain('output_tokens_per_s');
    expect(comparison.overall.withoutInterval).toBe(comparison.metrics.filter((m) => m.verdict === 'no-interval').length);
    expect(comparison.overall.withoutInterval).toBeGreaterThan(0);
    expect(findRegressions(comparison, 20).map((m) => m.metric)).toContain('latency_p95_s');
    expect(findRegressions(comparison, 50)).toEqual([]);
    const reverse = compareRuns(inferenceRun('b', 'infer', 1.3, 2), inferenceRun('a', 'infer', 1, 1), { seed: 11, iterations: 500 });
    expect(reverse.metrics.find((m) => m.metric === 'latency_p95_s')?.verdict).toBe('improved');
    expect(reverse.overall.verdict).toBe('improved');
    const md = renderComparisonMarkdown(comparison);
    const firstLines = md.split('\n').slice(0, 4).join('\n');
    expect(firstLines).toMatch(/^\*\*Overall: REGRESSED — .*`latency_p95_s` \+\d\d\.\d % \(infer\/main\)/m);
    expect(md.indexOf('Overall:')).toBeLessThan(md.indexOf('| Task |'));
    expect(md).toMatch(/\| infer\/main \| `output_tokens_per_s` \|.*\| — \| no interval \|/);
    expect(renderComparisonMarkdown(reverse, 'pt-BR')).toMatch(/^\*\*Resultado geral: melhorou — /m);
  });

  it('calls two draws of the same distribution within noise, and is reproducible for a seed', () => {
    const a = inferenceRun('a', 'infer', 1, 1);
    const b = inferenceRun('b', 'infer', 1, 2);
    const first = compareRuns(a, b, { seed: 3, iterations: 300 });
    expect(first.metrics.filter((m) => m.ci !== null).every((m) => m.verdict === 'within-noise')).toBe(true);
    expect(first.overall).toMatchObject({ verdict: 'within-noise', deciding: [] });
    expect(renderComparisonMarkdown(first)).toMatch(/^\*\*Overall: within noise — no metric with an interval moved beyond ±5 %\.\*\*$/m);
    expect(compareRuns(a, b, { seed: 3, iterations: 300 })).toEqual(first);
  });

  it('refuses runs of different experiments unless forced', () => {
    const a = inferenceRun('a', 'infer', 1, 1);
    const b = inferenceRun('b', 'lora', 1, 1);
    expect(() => compareRuns(a, b)).toThrow(UsageError);
    expect(() => compareRuns(a, b)).toThrow(/different experiments: baseline a has infer, candidate b has lora/);
    const forced = compareRuns(a, b, { force: true, iterations: 100 });
    expect(forced.metrics.length).toBeGreaterThan(0);
  });

  it('lists tasks present in one run only, and renders a table', () => {
    const a = inferenceRun('a', 'infer', 1, 1);
    const b = inferenceRun('b', 'infer', 1, 1);
    b.tasks.push({ ...emptyTask('infer', 'extra') });
    for (const doc of [a, b]) doc.tasks[0]!.inference!.errorRate = 0.0125;
    const comparison = compareRuns(a, b, { iterations: 100 });
    expect(comparison.unmatched).toEqual(['candidate: infer/extra']);
    const md = renderComparisonMarkdown(comparison);
    expect(md).toContain('| infer/main | `latency_p95_s` |');
    expect(md).toContain('Noise threshold: ±5 %; bootstrap seed 24301.');
    expect(md).toMatch(/\| infer\/main \| `error_rate` \| 1\.3 % \| 1\.3 % \| ±0\.0 % \| — \| within noise \|/);
    expect(md).toContain('Not compared (task in one run only): candidate: infer/extra.');
  });

  it('judges changes against the noise threshold and the interval', () => {
    expect(judgeChange(0.04, 'higher', 5, null)).toBe('within-noise');
    expect(judgeChange(0.06, 'higher', 5, null)).toBe('no-interval');
    expect(judgeChange(-0.5, 'lower', 5, null)).toBe('no-interval');
    expect(judgeChange(0.06, 'higher', 5, { low: 0.01, high: 0.1 })).toBe('improved');
    expect(judgeChange(0.06, 'lower', 5, { low: 0.01, high: 0.1 })).toBe('regressed');
    expect(judgeChange(-0.06, 'lower', 5, { low: -0.1, high: -0.01 })).toBe('improved');
    expect(judgeChange(0.2, 'lower', 5, { low: -0.1, high: 0.5 })).toBe('within-noise');
    // An interval that touches zero does not exclude it.
    expect(judgeChange(0.2, 'lower', 5, { low: 0, high: 0.5 })).toBe('within-noise');
  });
});

describe('intervals that the sample can carry', () => {
  it('keeps an interval from 10 records, a p95 interval from 20 and a p99 interval from 100 (the smaller run decides)', () => {
    const ci = { low: 0.1, high: 0.2 };
    expect(keepInterval('latency_mean_s', ci, 9)).toBeNull();
    expect(keepInterval('latency_mean_s', ci, 10)).toBe(ci);
    expect(keepInterval('latency_p95_s', ci, 19)).toBeNull();
    expect(keepInterval('latency_p95_s', ci, 20)).toBe(ci);
    expect(keepInterval('latency_p99_s', ci, 99)).toBeNull();
    expect(keepInterval('latency_p99_s', ci, 100)).toBe(ci);
    expect(keepInterval('latency_p50_s', null, 400)).toBeNull();
  });

  it('gives a 30 % slower p99 over 60 records no verdict, while its p50 and p95 regress', () => {
    const shrink = (doc: ReturnType<typeof inferenceRun>) => {
      const t = doc.tasks[0]!;
      t.latency_samples_s = t.latency_samples_s.slice(0, 60);
      t.throughput_samples = t.throughput_samples.slice(0, 60);
      t.inference = { ...t.inference!, latencyS: summarize(t.latency_samples_s) };
      return doc;
    };
    const comparison = compareRuns(shrink(inferenceRun('a', 'infer', 1, 1)), shrink(inferenceRun('b', 'infer', 1.3, 2)), { seed: 11, iterations: 300 });
    const verdict = (metric: string) => comparison.metrics.find((m) => m.metric === metric);
    expect(verdict('latency_p99_s')).toMatchObject({ ci: null, verdict: 'no-interval' });
    expect(verdict('latency_p95_s')?.verdict).toBe('regressed');
    expect(verdict('latency_p50_s')?.verdict).toBe('regressed');
    expect(comparison.overall.deciding.map((d) => d.metric)).not.toContain('latency_p99_s');
  });
});

describe('summarizeVerdict', () => {
  const row = (task: string, metric: string, change: number, verdict: Verdict) => ({ experiment: 'e', task, metric, change, verdict });

  it('calls the run regressed when any metric regressed, naming those metrics largest change first, and keeps the improvements', () => {
    const overall = summarizeVerdict([
      row('0', 'latency_p95_s', 0.12, 'regressed'),
      row('1', 'latency_p95_s', 0.3, 'regressed'),
      row('0', 'latency_mean_s', 0.4, 'regressed'),
      row('0', 'output_tokens_per_s', 0.2, 'improved'),
      row('0', 'elapsed_s', 0.9, 'no-interval'),
      row('0', 'gpu_energy_j', 0.01, 'within-noise'),
    ]);
    expect(overall.verdict).toBe('regressed');
    expect(overall.deciding).toEqual([
      { metric: 'latency_mean_s', tasks: ['e/0'], largestChange: 0.4 },
      { metric: 'latency_p95_s', tasks: ['e/0', 'e/1'], largestChange: 0.3 },
    ]);
    expect(overall.alsoImproved.map((d) => d.metric)).toEqual(['output_tokens_per_s']);
    expect(overall).toMatchObject({ withoutInterval: 1, compared: 6 });
    const lines = describeOverallVerdict(overall, 5, 'en');
    expect(lines[0]).toBe('**Overall: REGRESSED — `latency_mean_s` +40.0 % (e/0); `latency_p95_s` +30.0 % (e/0, e/1).**');
    expect(lines[1]).toBe('Improved: `output_tokens_per_s` +20.0 % (e/0).');
    // The wording is the catalogue's; what matters is the count and the table's word for it.
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatch(/\b1\b/);
    expect(lines[2]).toContain('"no interval"');
  });

  it('never lets a change without an interval decide, and names at most three tasks per metric', () => {
    expect(summarizeVerdict([row('0', 'elapsed_s', 0.9, 'no-interval')]).verdict).toBe('within-noise');
    const many = summarizeVerdict(['0', '1', '2', '3', '4'].map((t) => row(t, 'latency_p50_s', -0.2, 'improved')));
    expect(many.verdict).toBe('improved');
    expect(describeOverallVerdict(many, 5, 'pt-BR')[0]).toBe('**Resultado geral: melhorou — `latency_p50_s` −20,0 % (e/0, e/1, e/2, mais 2).**');
  });
});
