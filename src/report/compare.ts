/**
 * `hpcbench compare`: per metric, the relative change from a baseline run to a candidate run.
 * Latency and per-request throughput carry a seeded bootstrap interval of the relative change
 * (both runs' samples resampled independently); the other metrics are compared as point values.
 * A change is a regression or an improvement only when it exceeds the noise threshold and its
 * interval excludes zero; the verdict rules live in compare-verdict.ts.
 */
import { UsageError } from '../errors.js';
import { listDocumentExperiments, type MetricsDocument, type TaskMetrics } from '../profile/metrics-document.js';
import { bootstrapRelativeChange, DEFAULT_BOOTSTRAP_SEED, type ChangeInterval, type SampleStatistic } from '../stats/index.js';
import { METRIC_CATALOG, type Direction } from './metric-catalog.js';
import { judgeChange, keepInterval, summarizeVerdict, type OverallVerdict, type Verdict } from './compare-verdict.js';

export type { Verdict } from './compare-verdict.js';

export interface MetricComparison {
  experiment: string;
  task: string;
  metric: string;
  unit: string;
  direction: Direction;
  baseline: number;
  candidate: number;
  /** (candidate − baseline) / baseline. */
  change: number;
  /** Bootstrap interval of `change`; null for metrics without per-request samples. */
  ci: ChangeInterval | null;
  verdict: Verdict;
}

export interface CompareOptions {
  /** Changes within ± this percentage are noise (default 5). */
  noisePct?: number;
  iterations?: number;
  confidence?: number;
  seed?: number;
  /** Compare runs of different experiments, pairing tasks by task name. */
  force?: boolean;
}

export interface RunComparison {
  baseline: { run_id: string | null; experiments: string[] };
  candidate: { run_id: string | null; experiments: string[] };
  noisePct: number;
  seed: number;
  /** The one line a reader needs first: what improved or regressed, judged only where intervals exist. */
  overall: OverallVerdict;
  metrics: MetricComparison[];
  /** Tasks present in only one of the runs, as "baseline: exp/task" or "candidate: exp/task". */
  unmatched: string[];
}

const LATENCY_STATS: SampleStatistic[] = [
  { metric: 'latency_mean_s', kind: 'mean' },
  { metric: 'latency_p50_s', kind: 'percentile', p: 50 },
  { metric: 'latency_p95_s', kind: 'percentile', p: 95 },
  { metric: 'latency_p99_s', kind: 'percentile', p: 99 },
];

function pairTasks(baseline: MetricsDocument, candidate: MetricsDocument, force: boolean): { pairs: [TaskMetrics, TaskMetrics][]; unmatched: string[] } {
  const key = (t: TaskMetrics): string => (force ? t.task : `${t.experiment}/${t.task}`);
  const candidates = new Map(candidate.tasks.map((t) => [key(t), t]));
  const pairs: [TaskMetrics, TaskMetrics][] = [];
  const unmatched: string[] = [];
  const used = new Set<string>();
  for (const b of baseline.tasks) {
    const c = candidates.get(key(b));
    if (c === undefined) unmatched.push(`baseline: ${b.experiment}/${b.task}`);
    else {
      pairs.push([b, c]);
      used.add(key(c));
    }
  }
  for (const c of candidate.tasks) if (!used.has(key(c))) unmatched.push(`candidate: ${c.experiment}/${c.task}`);
  // With --force and one task a side, those two are what the user wants compared.
  if (force && pairs.length === 0 && baseline.tasks.length === 1 && candidate.tasks.length === 1) {
    return { pairs: [[baseline.tasks[0] as TaskMetrics, candidate.tasks[0] as TaskMetrics]], unmatched: [] };
  }
  return { pairs, unmatched };
}

export function compareRuns(baseline: MetricsDocument, candidate: MetricsDocument, options: CompareOptions = {}): RunComparison {
  const noisePct = options.noisePct ?? 5;
  if (!(noisePct >= 0)) throw new UsageError(`--noise must be a percentage ≥ 0, got ${noisePct}`);
  const seed = options.seed ?? DEFAULT_BOOTSTRAP_SEED;
  const boot = { iterations: options.iterations ?? 2000, confidence: options.confidence ?? 0.95, seed };
  const bExperiments = listDocumentExperiments(baseline);
  const cExperiments = listDocumentExperiments(candidate);
  const shared = bExperiments.filter((e) => cExperiments.includes(e));
  if (shared.length === 0 && !options.force) {
    throw new UsageError(
      `the runs measure different experiments: baseline ${baseline.run.run_id ?? '(no run id)'} has ${bExperiments.join(', ') || 'none'}, candidate ${candidate.run.run_id ?? '(no run id)'} has ${cExperiments.join(', ') || 'none'}`,
      'compare two runs of the same experiment, or pass --force to pair their tasks by task name anyway',
    );
  }
  const { pairs, unmatched } = pairTasks(baseline, candidate, options.force === true && shared.length === 0);
  const metrics: MetricComparison[] = [];
  for (const [b, c] of pairs) {
    const intervals = bootstrapRelativeChange(b.latency_samples_s, c.latency_samples_s, LATENCY_STATS, boot);
    const throughput = bootstrapRelativeChange(b.throughput_samples, c.throughput_samples, [{ metric: 'throughput_per_request_mean', kind: 'mean' }], boot);
    for (const def of METRIC_CATALOG) {
      if (def.direction === undefined) continue;
      const before = def.pick(b);
      const after = def.pick(c);
      if (typeof before !== 'number' || typeof after !== 'number' || !Number.isFinite(before) || !Number.isFinite(after) || before === 0) continue;
      const change = after / before - 1;
      const ci = keepInterval(def.name, intervals.get(def.name) ?? null, Math.min(b.latency_samples_s.length, c.latency_samples_s.length));
      metrics.push({ experiment: c.experiment, task: c.task, metric: def.name, unit: def.unit, direction: def.direction, baseline: before, candidate: after, change, ci, verdict: judgeChange(change, def.direction, noisePct, ci) });
    }
    const tpB = b.throughput_samples;
    const tpC = c.throughput_samples;
    const tpCi = keepInterval('throughput_per_request_mean', throughput.get('throughput_per_request_mean') ?? null, Math.min(tpB.length, tpC.length));
    if (tpB.length > 0 && tpC.length > 0) {
      const before = tpB.reduce((s, v) => s + v, 0) / tpB.length;
      const after = tpC.reduce((s, v) => s + v, 0) / tpC.length;
      if (before !== 0) {
        const change = after / before - 1;
        metrics.push({ experiment: c.experiment, task: c.task, metric: 'tokens_per_s_per_request_mean', unit: 'tokens/s', direction: 'higher', baseline: before, candidate: after, change, ci: tpCi, verdict: judgeChange(change, 'higher', noisePct, tpCi) });
      }
    }
  }
  return {
    baseline: { run_id: baseline.run.run_id ?? null, experiments: bExperiments },
    candidate: { run_id: candidate.run.run_id ?? null, experiments: cExperiments },
    noisePct,
    seed,
    overall: summarizeVerdict(metrics),
    metrics,
    unmatched,
  };
}

/** Regressions worse than `pct` percent (for --fail-on-regression). */
export function findRegressions(comparison: RunComparison, pct: number): MetricComparison[] {
  return comparison.metrics.filter((m) => m.verdict === 'regressed' && Math.abs(m.change) * 100 >= pct);
}
