/**
 * summarize() (summary.ts) of a stream read several times, in memory that does not grow with the
 * number of values: the percentiles are the same order statistics, interpolated the same way
 * (StreamingRankSelector), so they are equal bit for bit; the mean is the same compensated sum
 * taken in stream order instead of sorted order, and the standard deviation the same compensated
 * Σ(x − mean)² from the second pass, so both agree with summarize() to about 1e-15 relative.
 *
 * Protocol: add() every value and endPass(), again while `needsPass`; between the first and the
 * second pass, selectRanks() may ask for more order statistics (orderStatistic() reads them).
 */
import { UsageError } from '../errors.js';
import { CompensatedSum } from './compensated-sum.js';
import { locatePercentile, percentileOfRanks, type PercentileMethod } from './percentile.js';
import { StreamingRankSelector, type RankSelectorOptions } from './streaming-rank-selector.js';
import type { Summary } from './summary.js';

const REPORTED_PERCENTILES = [50, 90, 95, 99] as const;

/** The 0-based order statistics percentile p needs among n values (one, or two to interpolate). */
export function percentileRanks(n: number, p: number, method: PercentileMethod): number[] {
  const { lower, fraction } = locatePercentile(n, p, method);
  return fraction === 0 || lower + 1 >= n ? [lower] : [lower, lower + 1];
}

export interface StreamingSummaryOptions extends RankSelectorOptions {
  method?: PercentileMethod;
}

export class StreamingSummary {
  private readonly method: PercentileMethod;
  private readonly selector: StreamingRankSelector;
  private readonly sum = new CompensatedSum();
  private readonly squares = new CompensatedSum();
  private mean = 0;
  private pass = 0;

  constructor(options: StreamingSummaryOptions = {}) {
    this.method = options.method ?? 'linear';
    this.selector = new StreamingRankSelector(options);
  }

  /** Values counted in the first pass. */
  get n(): number {
    return this.selector.n;
  }

  /** Whether the summary needs another pass over the values. */
  get needsPass(): boolean {
    if (this.pass === 0) return true;
    return this.selector.n > 0 && (this.pass < 2 || this.selector.needsPass);
  }

  /** The most values the selection held at once. */
  get peakBuffered(): number {
    return this.selector.peakBuffered;
  }

  add(x: number): void {
    if (this.pass === 0) {
      if (!Number.isFinite(x)) {
        throw new UsageError(`cannot summarize: value ${this.selector.n} is ${String(x)}; expected finite numbers (missing values must be left out, not stored as NaN)`);
      }
      this.sum.add(x);
    } else if (this.pass === 1) {
      this.squares.add((x - this.mean) ** 2);
    }
    if (this.selector.needsPass) this.selector.add(x);
  }

  endPass(): void {
    if (this.selector.needsPass) this.selector.finishPass();
    this.pass++;
    if (this.pass !== 1) return;
    const n = this.selector.n;
    if (n === 0) return;
    this.mean = this.sum.value / n;
    const ranks = [0, n - 1];
    for (const p of REPORTED_PERCENTILES) ranks.push(...percentileRanks(n, p, this.method));
    this.selector.select(ranks);
  }

  /** More 0-based ranks to read; only between the first and the second pass. */
  selectRanks(ranks: readonly number[]): void {
    if (this.pass !== 1) throw new Error('selectRanks() is called between the first and the second pass');
    this.selector.select(ranks);
  }

  orderStatistic(rank: number): number {
    return this.selector.valueAt(rank);
  }

  /** Percentile p (by the summary's method, or the one given) from the selected order statistics. */
  percentile(p: number, method: PercentileMethod = this.method): number {
    return percentileOfRanks(this.selector.n, p, method, (rank) => this.selector.valueAt(rank));
  }

  /** summarize()'s result; once `needsPass` is false. */
  result(): Summary {
    const n = this.selector.n;
    if (n === 0) return { n: 0, mean: null, std: null, min: null, max: null, p50: null, p90: null, p95: null, p99: null };
    if (this.needsPass) throw new Error('the summary needs another pass over the values');
    return {
      n,
      mean: this.mean,
      std: n >= 2 ? Math.sqrt(this.squares.value / (n - 1)) : null,
      min: this.selector.valueAt(0),
      max: this.selector.valueAt(n - 1),
      p50: this.percentile(50),
      p90: this.percentile(90),
      p95: this.percentile(95),
      p99: this.percentile(99),
    };
  }
}
