/**
 * The bootstrap interval of a relative change between two samples (baseline → candidate), for
 * `hpcbench compare`. Both samples are resampled independently and every statistic (mean,
 * percentiles) is read from the same resamples, so one loop serves them all.
 *
 * Unlike bootstrapCi (bootstrap.ts, one sample, any statistic), a resample here is held as a
 * count per index of the SORTED sample, so percentiles need no sort per resample. The two draw
 * different indices for the same seed, so they are kept apart: folding either into the other
 * would change the intervals that profile or compare print for a given seed.
 */
import { interpolate, locatePercentile, percentile } from './percentile.js';
import { createRng } from './random.js';

export interface ChangeInterval {
  low: number;
  high: number;
  confidence: number;
  iterations: number;
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

/**
 * One resample of a sorted sample, held as a count per original index: drawing indices and
 * counting them gives the resample already in order, so order statistics need no sort (O(n)
 * per resample instead of O(n log n)).
 */
class SortedResample {
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
