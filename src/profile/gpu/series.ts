/**
 * A bounded time series for charts. Samples fall into fixed-width time buckets (averaged); when
 * the buckets would exceed twice the target, adjacent pairs merge and the width doubles. Memory
 * stays O(target points) whatever the log's length, so it can ride along the streaming parsers.
 */
import type { GpuSeries } from '../metrics-document.js';

const SERIES_METRICS = ['utilization', 'memoryUsedMiB', 'powerW'] as const;

export class SeriesBuilder {
  private originMs = Number.NaN;
  private widthMs: number;
  private buckets = 0;
  private readonly sums: Float64Array[];
  private readonly counts: Uint32Array[];
  private readonly capacity: number;
  // The bucket of the previous sample: consecutive samples nearly always share it, and this
  // runs once per value of a multi-gigabyte log.
  private cachedIndex = -1;
  private cachedStartMs = 0;
  private cachedEndMs = 0;

  constructor(targetPoints = 300, initialWidthMs = 1000) {
    this.capacity = targetPoints * 2;
    this.widthMs = initialWidthMs;
    this.sums = SERIES_METRICS.map(() => new Float64Array(this.capacity));
    this.counts = SERIES_METRICS.map(() => new Uint32Array(this.capacity));
  }

  add(metric: number, ms: number, value: number): void {
    if (!(ms === ms) || metric < 0 || metric >= SERIES_METRICS.length) return;
    let index: number;
    if (ms >= this.cachedStartMs && ms < this.cachedEndMs) index = this.cachedIndex;
    else {
      if (!(this.originMs === this.originMs)) this.originMs = ms;
      index = Math.max(0, Math.floor((ms - this.originMs) / this.widthMs));
      while (index >= this.capacity) {
        this.halve();
        index = Math.floor(index / 2);
      }
      this.cachedIndex = index;
      this.cachedStartMs = index === 0 ? -Infinity : this.originMs + index * this.widthMs;
      this.cachedEndMs = this.originMs + (index + 1) * this.widthMs;
    }
    const sums = this.sums[metric] as Float64Array;
    const counts = this.counts[metric] as Uint32Array;
    sums[index] = (sums[index] as number) + value;
    counts[index] = (counts[index] as number) + 1;
    if (index + 1 > this.buckets) this.buckets = index + 1;
  }

  private halve(): void {
    for (let m = 0; m < SERIES_METRICS.length; m++) {
      const sums = this.sums[m] as Float64Array;
      const counts = this.counts[m] as Uint32Array;
      for (let i = 0; i < this.capacity / 2; i++) {
        sums[i] = (sums[2 * i] as number) + (sums[2 * i + 1] as number);
        counts[i] = (counts[2 * i] as number) + (counts[2 * i + 1] as number);
      }
      sums.fill(0, this.capacity / 2);
      counts.fill(0, this.capacity / 2);
    }
    this.widthMs *= 2;
    this.buckets = Math.ceil(this.buckets / 2);
    this.cachedIndex = -1;
    this.cachedStartMs = 0;
    this.cachedEndMs = 0;
  }

  /** The series, one point per non-empty bucket; values are bucket means (null where a metric has none). */
  toSeries(gpu: string): GpuSeries {
    const series: GpuSeries = { gpu, t: [], utilization: [], memoryUsedMiB: [], powerW: [] };
    for (let i = 0; i < this.buckets; i++) {
      const values = SERIES_METRICS.map((_, m) => {
        const count = (this.counts[m] as Uint32Array)[i] as number;
        return count > 0 ? ((this.sums[m] as Float64Array)[i] as number) / count : null;
      });
      if (values.every((v) => v === null)) continue;
      series.t.push(((i + 0.5) * this.widthMs) / 1000);
      series.utilization.push(values[0] ?? null);
      series.memoryUsedMiB.push(values[1] ?? null);
      series.powerW.push(values[2] ?? null);
    }
    return series;
  }
}
