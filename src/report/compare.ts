/**
 * `hpcbench compare`: per metric, the relative change from a baseline run to a candidate run.
 * Latency and per-request throughput carry a seeded bootstrap interval of the relative change
 * (both runs' samples resampled independently); the other metrics are compared as point values.
 * A change is a regression or an improvement only when it exceeds the noise threshold and its
 * interval excludes zero; the verdict rules live in compare-verdict.ts.
 */
import { UsageError } from '../errors.js';
import { listDocumentExperiments, type MetricsDocument, type TaskMetrics } from '../profile/metrics-document.js';
import { createRng, DEFAULT_BOOTSTRAP_SEED, interpolate, locatePercentile, percentile } from '../stats/index.js';
import { METRIC_CATALOG, type Direction } from './metric-catalog.js';
import { judgeChange, summarizeVerdict, type OverallVerdict, type Verdict } from './compare-verdict.js';

export { judgeChange, type Verdict } from './compare-verdict.js';

export interface ChangeInterval {
  low: number;
  high: number;
  confidence: number;
  iterations: number;
}

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

/** Above this many samples a side, an even stride keeps the bootstrap affordable. */
const MAX_BOOTSTRAP_SAMPLES = 20_000;

function stridedSorted(values: readonly number[]): Float64Array {
  let picked: Float64Array;
  if (values.length <= MAX_BOOTSTRAP_SAMPLES) picked = Float64Array.from(values);
  else {
    const step = values.length / MAX_BOOTSTRAP_SAMPLES;
    picked = Float64Array.from({ length: MAX_BOOTSTRAP_SAMPLES }, (_, i) => values[Math.floor(i * step)] as number);
  }
  return picked.sort();
}

/** A statistic of a resample: its mean, or a linear percentile (numpy's default, as in stats). */
export type SampleStatistic = { metric: string; kind: 'mean' } | { metric: string; kind: 'percentile'; p: number };

const LATENCY_STATS: SampleStatistic[] = [
  { metric: 'latency_mean_s', kind: 'mean' },
  { metric: 'latency_p50_s', kind: 'percentile', p: 50 },
  { metric: 'latency_p95_s', kind: 'percentile', p: 95 },
  { metric: 'latency_p99_s', kind: 'percentile', p: 99 },
];

/**
 * One resample of a sorted sample, held as a count per original index: drawing indices and
 * counting them gives the resample already in order, so order statistics need no sort (O(n)
 * per resample instead of O(n log n)).
 */
export class SortedResample {
  private readonly counts: Uint32Array;
  constructor(private readonly sorted: Float64Array) {
    this.counts = new Uint32Array(sorted.length);
  }

  draw(random: () => number): void {
    const n = this.sorted.length;
    this.counts.fill(0);
    for (let i = 0; i < n; i++) {
      const j = Math.floor(random() * n);
      this.counts[j] = (this.counts[j] as number) + 1;
    }
  }

  mean(): number {
    let sum = 0;
    for (let i = 0; i < this.sorted.length; i++) sum += (this.counts[i] as number) * (this.sorted[i] as number);
    return sum / this.sorted.length;
  }

  /** The k-th smallest values of the resample for ascending ranks `ranks` (0-based). */
  orderStatistics(ranks: readonly number[], out: Float64Array): void {
    let seen = 0;
    let r = 0;
    for (let i = 0; i < this.sorted.length && r < ranks.length; i++) {
      seen += this.counts[i] as number;
      while (r < ranks.length && (ranks[r] as number) < seen) {
        out[r] = this.sorted[i] as number;
        r++;
      }
    }
  }

  percentiles(ps: readonly number[]): number[] {
    const n = this.sorted.length;
    const located = ps.map((p) => locatePercentile(n, p, 'linear'));
    const ranks = [...new Set(located.flatMap((l) => [l.lower, Math.min(l.lower + 1, n - 1)]))].sort((a, b) => a - b);
    const values = new Float64Array(ranks.length);
    this.orderStatistics(ranks, values);
    const at = (rank: number): number => values[ranks.indexOf(rank)] as number;
    return located.map((l) => (l.fraction === 0 || l.lower + 1 >= n ? at(l.lower) : interpolate(at(l.lower), at(l.lower + 1), l.fraction)));
  }
}

function evaluate(resample: SortedResample, statistics: readonly SampleStatistic[]): number[] {
  const ps = statistics.flatMap((s) => (s.kind === 'percentile' ? [s.p] : []));
  const values = ps.length > 0 ? resample.percentiles(ps) : [];
  const mean = statistics.some((s) => s.kind === 'mean') ? resample.mean() : Number.NaN;
  let k = 0;
  return statistics.map((s) => (s.kind === 'mean' ? mean : (values[k++] as number)));
}

/** Bootstrap intervals of the relative change of several statistics, from one resampling loop. */
export function bootstrapRelativeChange(
  baseline: readonly number[],
  candidate: readonly number[],
  statistics: readonly SampleStatistic[],
  options: { iterations: number; confidence: number; seed: number },
): Map<string, ChangeInterval> {
  const out = new Map<string, ChangeInterval>();
  if (baseline.length === 0 || candidate.length === 0) return out;
  const b = new SortedResample(stridedSorted(baseline));
  const c = new SortedResample(stridedSorted(candidate));
  const random = createRng(options.seed);
  const changes = statistics.map(() => new Float64Array(options.iterations));
  for (let i = 0; i < options.iterations; i++) {
    b.draw(random);
    c.draw(random);
    const before = evaluate(b, statistics);
    const after = evaluate(c, statistics);
    statistics.forEach((_, k) => {
      const base = before[k] as number;
      (changes[k] as Float64Array)[i] = base === 0 ? Number.NaN : (after[k] as number) / base - 1;
    });
  }
  const tail = ((1 - options.confidence) / 2) * 100;
  statistics.forEach((stat, k) => {
    const values = (changes[k] as Float64Array).filter((v) => Number.isFinite(v)).sort();
    if (values.length === 0) return;
    out.set(stat.metric, { low: percentile(values, tail), high: percentile(values, 100 - tail), confidence: options.confidence, iterations: options.iterations });
  });
  return out;
}

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
      const ci = intervals.get(def.name) ?? null;
      metrics.push({ experiment: c.experiment, task: c.task, metric: def.name, unit: def.unit, direction: def.direction, baseline: before, candidate: after, change, ci, verdict: judgeChange(change, def.direction, noisePct, ci) });
    }
    const tpB = b.throughput_samples;
    const tpC = c.throughput_samples;
    const tpCi = throughput.get('throughput_per_request_mean');
    if (tpB.length > 0 && tpC.length > 0 && tpCi !== undefined) {
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
