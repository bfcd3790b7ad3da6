import { ExactHistogram } from './exact-histogram.js';
import type { RejectedLinesReport } from './lines.js';
import type { GpuSeries } from './metrics-document.js';
import { SeriesBuilder } from './gpu-series.js';

/**
 * The GPU metrics hpcbench summarises, by canonical nvidia-smi query name (dmon columns are
 * mapped onto these: sm → utilization.gpu, mem → utilization.memory, pwr → power.draw, …).
 */
export const GPU_METRIC_NAMES = [
  'utilization.gpu',
  'utilization.memory',
  'memory.used',
  'memory.total',
  'power.draw',
  'temperature.gpu',
  'clocks.sm',
  'clocks.mem',
  'clocks.gr',
] as const;
export type GpuMetricName = (typeof GPU_METRIC_NAMES)[number];

export const METRIC_ID: Readonly<Record<GpuMetricName, number>> = Object.fromEntries(
  GPU_METRIC_NAMES.map((name, i) => [name, i]),
) as Record<GpuMetricName, number>;

/** Fixed-point digits nvidia-smi prints per metric (power has two decimals, the rest none). */
const METRIC_DECIMALS: Readonly<Record<GpuMetricName, number>> = {
  'utilization.gpu': 0,
  'utilization.memory': 0,
  'memory.used': 0,
  'memory.total': 0,
  'power.draw': 2,
  'temperature.gpu': 0,
  'clocks.sm': 0,
  'clocks.mem': 0,
  'clocks.gr': 0,
};

/** A GPU counts as busy in a sample when its utilization is strictly above this (percent). */
export const BUSY_UTILIZATION_THRESHOLD = 0;

const UTILIZATION = METRIC_ID['utilization.gpu'];
const POWER = METRIC_ID['power.draw'];
const MEMORY_USED = METRIC_ID['memory.used'];
const POW10 = [1, 10, 100, 1000, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

export interface GpuIdentity {
  /** The key samples are grouped by: uuid when logged, else the PCI bus id, else the index. */
  id: string;
  index: string | null;
  uuid: string | null;
  busId: string | null;
  name: string | null;
  driverVersion: string | null;
}

/** Streaming per-GPU state: exact histograms plus running time integrals; O(distinct values). */
export class GpuAccumulator {
  readonly identity: GpuIdentity;
  readonly sources = new Set<string>();
  rows = 0;
  firstMs = Number.NaN;
  lastMs = Number.NaN;
  busy = 0;
  /** Set from `mig.mode.current` = Enabled: the GPU is split into MIG instances. */
  migEnabled = false;
  readonly histograms: (ExactHistogram | undefined)[] = new Array(GPU_METRIC_NAMES.length);
  private readonly lastT = new Float64Array(GPU_METRIC_NAMES.length).fill(Number.NaN);
  private readonly lastV = new Float64Array(GPU_METRIC_NAMES.length);
  /** ∫ value dt (value·seconds) over intervals between consecutive present samples. */
  readonly integral = new Float64Array(GPU_METRIC_NAMES.length);
  readonly integratedSeconds = new Float64Array(GPU_METRIC_NAMES.length);
  /** metric → reason → count, for values nvidia-smi did not give (`[N/A]`, `-`, …). */
  readonly missing = new Map<GpuMetricName, Map<string, number>>();
  /** A bounded, downsampled series of utilization, memory and power for charts. */
  readonly series = new SeriesBuilder();

  constructor(identity: GpuIdentity) {
    this.identity = identity;
  }

  get isMig(): boolean {
    const { uuid, name } = this.identity;
    return this.migEnabled || (uuid !== null && uuid.startsWith('MIG-')) || (name !== null && /\bMIG\b|MIG-/.test(name));
  }

  /** Marks one row (sample instant) seen; `ms` is NaN when the log has no timestamps. */
  noteRow(ms: number): void {
    this.rows++;
    if (ms === ms) {
      if (!(this.firstMs <= ms)) this.firstMs = ms;
      if (!(this.lastMs >= ms)) this.lastMs = ms;
    }
  }

  /** Adds the value mantissa/10^digits of metric `id` at time `ms` (NaN if unknown). */
  addValue(id: number, ms: number, mantissa: number, digits: number): void {
    let histogram = this.histograms[id];
    if (histogram === undefined) {
      histogram = new ExactHistogram(METRIC_DECIMALS[GPU_METRIC_NAMES[id] as GpuMetricName]);
      this.histograms[id] = histogram;
    }
    histogram.addFixed(mantissa, digits);
    const value = digits === 0 ? mantissa : mantissa / (POW10[digits] ?? 10 ** digits);
    if (id === UTILIZATION && value > BUSY_UTILIZATION_THRESHOLD) this.busy++;
    const seriesIndex = id === UTILIZATION ? 0 : id === MEMORY_USED ? 1 : id === POWER ? 2 : -1;
    if (seriesIndex >= 0) this.series.add(seriesIndex, ms, value);
    if (ms === ms) {
      const previous = this.lastT[id] as number;
      // Equal or earlier timestamps (duplicated rows, a clock step back) add no interval.
      if (ms > previous) {
        const seconds = (ms - previous) / 1000;
        this.integral[id] = (this.integral[id] as number) + ((this.lastV[id] as number) + value) * 0.5 * seconds;
        this.integratedSeconds[id] = (this.integratedSeconds[id] as number) + seconds;
      }
      this.lastT[id] = ms;
      this.lastV[id] = value;
    }
  }

  /** A value nvidia-smi could not give; it also ends the current integration segment. */
  addMissing(id: number, reason: string): void {
    const name = GPU_METRIC_NAMES[id] as GpuMetricName;
    let reasons = this.missing.get(name);
    if (reasons === undefined) {
      reasons = new Map();
      this.missing.set(name, reasons);
    }
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    this.lastT[id] = Number.NaN;
  }

  /** The logger restarted: never integrate across the gap. */
  breakSegments(): void {
    this.lastT.fill(Number.NaN);
  }
}

/** Distribution of one metric over a GPU's samples; percentiles are exact (numpy linear). */
export interface MetricDistribution {
  samples: number;
  /** Arithmetic mean over samples. */
  mean: number;
  /** Trapezoidal ∫v dt / ∫dt over consecutive present samples; null without timestamps. */
  timeWeightedMean: number | null;
  min: number;
  p50: number;
  p95: number;
  max: number;
}

export interface GpuDeviceMetrics extends GpuIdentity {
  mig: boolean;
  sources: string[];
  samples: number;
  /** First and last timestamps as logged (node-local wall clock, ISO form without zone). */
  start: string | null;
  end: string | null;
  durationSeconds: number | null;
  /** Null for MIG devices (nvidia-smi has no utilization for them) or when not logged. */
  utilization: (MetricDistribution & { busyFraction: number }) | null;
  memoryUtilization: MetricDistribution | null;
  memoryUsedMiB: (MetricDistribution & { totalMiB: number | null; peakPercent: number | null; meanPercent: number | null }) | null;
  powerW: MetricDistribution | null;
  /** Trapezoidal ∫ power dt in joules; null without timestamps or power. */
  energyJ: number | null;
  temperatureC: MetricDistribution | null;
  clocksSmMHz: MetricDistribution | null;
  clocksMemMHz: MetricDistribution | null;
  clocksGraphicsMHz: MetricDistribution | null;
  /** metric → reason (`N/A`, `Not Supported`, …) → count of missing values. */
  missing: Record<string, Record<string, number>>;
}

export interface GpuOverallMetrics {
  gpus: number;
  /** Pooled over non-MIG GPUs; `mean` is the mean of per-GPU means. */
  utilization: (MetricDistribution & { busyFraction: number }) | null;
  memoryUsedPeakMiB: number | null;
  /** Sum over GPUs of their mean power (the node's average GPU draw). */
  powerMeanTotalW: number | null;
  powerMaxW: number | null;
  /** Sum over GPUs; null if any GPU with power lacks timestamps. */
  energyJ: number | null;
  temperatureMaxC: number | null;
}

export interface GpuMetrics {
  format: 'query-gpu' | 'dmon';
  files: string[];
  gpus: GpuDeviceMetrics[];
  overall: GpuOverallMetrics;
  rejected: RejectedLinesReport;
  warnings: string[];
  /** Downsampled time series per GPU (at most a few hundred points each), for charts. */
  series?: GpuSeries[];
}

function distribution(acc: GpuAccumulator, id: number): MetricDistribution | null {
  const histogram = acc.histograms[id];
  if (histogram === undefined || histogram.count === 0) return null;
  const [p50, p95] = histogram.percentiles([50, 95]) as [number, number];
  const seconds = acc.integratedSeconds[id] as number;
  return {
    samples: histogram.count,
    mean: histogram.mean() as number,
    timeWeightedMean: seconds > 0 ? (acc.integral[id] as number) / seconds : null,
    min: histogram.min,
    p50,
    p95,
    max: histogram.max,
  };
}

function formatMs(ms: number): string | null {
  return Number.isFinite(ms) ? new Date(ms).toISOString().slice(0, -1) : null;
}

export function computeDeviceMetrics(acc: GpuAccumulator): GpuDeviceMetrics {
  const mig = acc.isMig;
  const util = mig ? null : distribution(acc, UTILIZATION);
  const memory = distribution(acc, METRIC_ID['memory.used']);
  const totalMiB = acc.histograms[METRIC_ID['memory.total']]?.max ?? null;
  const percent = (v: number): number | null => (totalMiB !== null && totalMiB > 0 ? (v / totalMiB) * 100 : null);
  const power = distribution(acc, POWER);
  const missing: Record<string, Record<string, number>> = {};
  for (const [name, reasons] of acc.missing) missing[name] = Object.fromEntries(reasons);
  return {
    ...acc.identity,
    mig,
    sources: [...acc.sources],
    samples: acc.rows,
    start: formatMs(acc.firstMs),
    end: formatMs(acc.lastMs),
    durationSeconds: Number.isFinite(acc.firstMs) ? (acc.lastMs - acc.firstMs) / 1000 : null,
    utilization: util && { ...util, busyFraction: acc.busy / util.samples },
    memoryUtilization: mig ? null : distribution(acc, METRIC_ID['utilization.memory']),
    memoryUsedMiB: memory && {
      ...memory,
      totalMiB,
      peakPercent: percent(memory.max),
      meanPercent: percent(memory.mean),
    },
    powerW: power,
    energyJ: power !== null && (acc.integratedSeconds[POWER] as number) > 0 ? (acc.integral[POWER] as number) : null,
    temperatureC: distribution(acc, METRIC_ID['temperature.gpu']),
    clocksSmMHz: distribution(acc, METRIC_ID['clocks.sm']),
    clocksMemMHz: distribution(acc, METRIC_ID['clocks.mem']),
    clocksGraphicsMHz: distribution(acc, METRIC_ID['clocks.gr']),
    missing,
  };
}

function maxOf(values: (number | null | undefined)[]): number | null {
  const present = values.filter((v): v is number => typeof v === 'number');
  return present.length > 0 ? Math.max(...present) : null;
}

export function computeOverallMetrics(accumulators: readonly GpuAccumulator[], devices: readonly GpuDeviceMetrics[]): GpuOverallMetrics {
  const pooled = new ExactHistogram(0);
  let busy = 0;
  const means: number[] = [];
  accumulators.forEach((acc, i) => {
    const histogram = acc.histograms[UTILIZATION];
    const device = devices[i];
    if (histogram === undefined || device?.utilization == null) return;
    pooled.merge(histogram);
    busy += acc.busy;
    means.push(device.utilization.timeWeightedMean ?? device.utilization.mean);
  });
  let utilization: GpuOverallMetrics['utilization'] = null;
  if (pooled.count > 0) {
    const [p50, p95] = pooled.percentiles([50, 95]) as [number, number];
    utilization = {
      samples: pooled.count,
      mean: means.reduce((a, b) => a + b, 0) / means.length,
      timeWeightedMean: null,
      min: pooled.min,
      p50,
      p95,
      max: pooled.max,
      busyFraction: busy / pooled.count,
    };
  }
  const withPower = devices.filter((d) => d.powerW !== null);
  return {
    gpus: devices.length,
    utilization,
    memoryUsedPeakMiB: maxOf(devices.map((d) => d.memoryUsedMiB?.max)),
    powerMeanTotalW:
      withPower.length > 0 ? withPower.reduce((sum, d) => sum + (d.powerW?.timeWeightedMean ?? d.powerW?.mean ?? 0), 0) : null,
    powerMaxW: maxOf(devices.map((d) => d.powerW?.max)),
    energyJ:
      withPower.length > 0 && withPower.every((d) => d.energyJ !== null)
        ? withPower.reduce((sum, d) => sum + (d.energyJ ?? 0), 0)
        : null,
    temperatureMaxC: maxOf(devices.map((d) => d.temperatureC?.max)),
  };
}
