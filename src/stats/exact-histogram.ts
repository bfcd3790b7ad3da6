import { percentileOfRanks, checkPercentile, type PercentileMethod } from './percentile.js';

/** An ExactHistogram as plain data (survives structured cloning to and from worker threads). */
export interface ExactHistogramState {
  decimals: number;
  dense: Uint32Array;
  sparse: [number, number][];
}

/** Keys at or above this go to the sparse map: bounds the dense array to 4 MiB. */
const DENSE_LIMIT = 1 << 20;

/** Count, exact key sum and extreme keys of the dense part, computed when asked. */
interface DenseSummary {
  count: number;
  keySum: number;
  minKey: number;
  maxKey: number;
}

/**
 * Exact distribution of a metric whose values are integers or fixed-point (nvidia-smi prints
 * utilization, memory, temperature and clocks as integers and power with two decimals), kept
 * as counts. Memory grows with the number of DISTINCT values, never with the number of samples,
 * and percentiles are exact: the order statistics are read from cumulative counts and
 * interpolated exactly as numpy does on the full sample.
 *
 * A value is stored as the integer key value·10^decimals in a dense Uint32Array when that key is
 * a small non-negative integer; anything else (negative, more decimals than `decimals`, huge)
 * goes to a Map keyed by the value itself, which is still exact.
 *
 * Adding a dense value only increments its counter: count, sum and extremes are derived from
 * the counters when read (a few times per report), which keeps the per-sample cost minimal —
 * this is the hottest path when summarising gigabytes of nvidia-smi logs.
 */
export class ExactHistogram {
  readonly decimals: number;
  private readonly scale: number;
  private dense: Uint32Array = new Uint32Array(0);
  private readonly sparse = new Map<number, number>();
  private sparseCount = 0;
  private sparseSum = 0;
  private sparseMin = Number.POSITIVE_INFINITY;
  private sparseMax = Number.NEGATIVE_INFINITY;

  constructor(decimals = 0) {
    this.decimals = decimals;
    this.scale = 10 ** decimals;
  }

  private summarizeDense(): DenseSummary {
    let count = 0;
    let keySum = 0;
    let minKey = Number.POSITIVE_INFINITY;
    let maxKey = Number.NEGATIVE_INFINITY;
    const dense = this.dense;
    for (let key = 0; key < dense.length; key++) {
      const c = dense[key] as number;
      if (c === 0) continue;
      count += c;
      // An exact integer while below 2^53 (10^9 samples of keys up to 10^6).
      keySum += key * c;
      if (key < minKey) minKey = key;
      maxKey = key;
    }
    return { count, keySum, minKey, maxKey };
  }

  /** Number of values added. */
  get count(): number {
    return this.summarizeDense().count + this.sparseCount;
  }

  /** Smallest value added (+Infinity when empty). */
  get min(): number {
    return Math.min(this.summarizeDense().minKey / this.scale, this.sparseMin);
  }

  /** Largest value added (-Infinity when empty). */
  get max(): number {
    return Math.max(this.summarizeDense().maxKey / this.scale, this.sparseMax);
  }

  /**
   * Adds the value mantissa / 10^digits (as parsed from text: "250.13" is 25013 with 2 digits).
   * This is the fast path for parsers; it never rounds.
   */
  addFixed(mantissa: number, digits: number): void {
    if (digits !== this.decimals) {
      // "45.0" is the integer 45: strip trailing zeros so it lands in the dense part.
      while (digits > this.decimals && mantissa % 10 === 0) {
        mantissa /= 10;
        digits--;
      }
      if (digits < this.decimals) {
        mantissa *= 10 ** (this.decimals - digits);
        digits = this.decimals;
      }
    }
    if (digits === this.decimals && mantissa >= 0 && mantissa < DENSE_LIMIT) {
      if (mantissa >= this.dense.length) this.grow(mantissa);
      this.dense[mantissa] = (this.dense[mantissa] as number) + 1;
    } else this.addSparse(mantissa / 10 ** digits, 1);
  }

  /** Adds any finite number (exact: non fixed-point values are counted by their own value). */
  add(value: number, times = 1): void {
    const key = value * this.scale;
    if (Number.isInteger(key) && key >= 0 && key < DENSE_LIMIT && key / this.scale === value) {
      if (key >= this.dense.length) this.grow(key);
      this.dense[key] = (this.dense[key] as number) + times;
    } else this.addSparse(value, times);
  }

  private grow(key: number): void {
    let size = Math.max(64, this.dense.length);
    while (size <= key) size *= 2;
    const grown = new Uint32Array(size);
    grown.set(this.dense);
    this.dense = grown;
  }

  private addSparse(value: number, times: number): void {
    this.sparse.set(value, (this.sparse.get(value) ?? 0) + times);
    this.sparseCount += times;
    this.sparseSum += value * times;
    if (value < this.sparseMin) this.sparseMin = value;
    if (value > this.sparseMax) this.sparseMax = value;
  }

  /** Number of distinct values held (what the memory grows with). */
  get distinct(): number {
    let n = this.sparse.size;
    for (let i = 0; i < this.dense.length; i++) if (this.dense[i] !== 0) n++;
    return n;
  }

  /** Arithmetic mean, or null when empty. The dense part is summed exactly. */
  mean(): number | null {
    const dense = this.summarizeDense();
    const count = dense.count + this.sparseCount;
    if (count === 0) return null;
    if (this.sparseCount === 0) return dense.keySum / (count * this.scale);
    return (dense.keySum / this.scale + this.sparseSum) / count;
  }

  /** Distinct values in ascending order with their counts. */
  entries(): { values: Float64Array; counts: Float64Array } {
    const sparseValues = Float64Array.from(this.sparse.keys()).sort();
    const size = this.distinct;
    const values = new Float64Array(size);
    const counts = new Float64Array(size);
    let out = 0;
    let s = 0;
    for (let key = 0; key < this.dense.length; key++) {
      const c = this.dense[key] as number;
      if (c === 0) continue;
      const value = key / this.scale;
      while (s < sparseValues.length && (sparseValues[s] as number) < value) {
        values[out] = sparseValues[s] as number;
        counts[out++] = this.sparse.get(sparseValues[s++] as number) as number;
      }
      if (s < sparseValues.length && sparseValues[s] === value) {
        // The same value can sit in both parts only if added once via each path.
        values[out] = value;
        counts[out++] = c + (this.sparse.get(sparseValues[s++] as number) as number);
        continue;
      }
      values[out] = value;
      counts[out++] = c;
    }
    while (s < sparseValues.length) {
      values[out] = sparseValues[s] as number;
      counts[out++] = this.sparse.get(sparseValues[s++] as number) as number;
    }
    return { values: values.subarray(0, out), counts: counts.subarray(0, out) };
  }

  /**
   * Exact percentiles (0..100) with numpy's linear interpolation (or nearest-rank), in the order
   * asked; null when empty.
   */
  percentiles(ps: readonly number[], method: PercentileMethod = 'linear'): (number | null)[] {
    ps.forEach(checkPercentile);
    const { values, counts } = this.entries();
    let total = 0;
    for (let i = 0; i < counts.length; i++) total += counts[i] as number;
    if (total === 0) return ps.map(() => null);
    const orderStatistic = (k: number): number => {
      let cumulative = 0;
      for (let i = 0; i < counts.length; i++) {
        cumulative += counts[i] as number;
        if (k < cumulative) return values[i] as number;
      }
      return values[values.length - 1] as number;
    };
    return ps.map((p) => percentileOfRanks(total, p, method, orderStatistic));
  }

  percentile(p: number, method: PercentileMethod = 'linear'): number | null {
    return this.percentiles([p], method)[0] ?? null;
  }

  /** Adds every count of `other` into this histogram (pooled statistics across GPUs). */
  merge(other: ExactHistogram): void {
    const { values, counts } = other.entries();
    for (let i = 0; i < values.length; i++) this.add(values[i] as number, counts[i]);
  }

  toState(): ExactHistogramState {
    const { maxKey } = this.summarizeDense();
    return {
      decimals: this.decimals,
      dense: this.dense.subarray(0, Number.isFinite(maxKey) ? maxKey + 1 : 0),
      sparse: [...this.sparse],
    };
  }

  /** Adds the counts of a histogram with the same `decimals` given as state. */
  mergeState(state: ExactHistogramState): void {
    if (state.decimals !== this.decimals) {
      throw new RangeError(`cannot merge a histogram with ${state.decimals} decimals into one with ${this.decimals}`);
    }
    if (state.dense.length > 0) {
      if (state.dense.length > this.dense.length) this.grow(state.dense.length - 1);
      for (let key = 0; key < state.dense.length; key++) this.dense[key] = (this.dense[key] as number) + (state.dense[key] as number);
    }
    for (const [value, n] of state.sparse) this.addSparse(value, n);
  }
}
