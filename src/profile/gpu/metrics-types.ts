import type { ExactHistogramState } from '../../stats/exact-histogram.js';
import type { ProfileWarning } from '../../report/i18n/profile-warnings.js';
import type { RejectedLinesReport } from '../lines.js';
import type { GpuSeries } from '../metrics-document.js';

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
export const METRIC_DECIMALS: Readonly<Record<GpuMetricName, number>> = {
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

export const METRIC_DECIMAL_LIST = GPU_METRIC_NAMES.map((name) => METRIC_DECIMALS[name]);

/**
 * The default busy threshold (percent): a GPU counts as busy in a sample when its utilization is
 * strictly above it. `profiling.gpu_busy_threshold_pct` / `profile --gpu-busy-threshold` change it.
 */
export const BUSY_UTILIZATION_THRESHOLD = 0;

export interface GpuIdentity {
  /** The key samples are grouped by: uuid when logged, else the PCI bus id, else the index. */
  id: string;
  index: string | null;
  uuid: string | null;
  busId: string | null;
  name: string | null;
  driverVersion: string | null;
}

/** A GpuAccumulator's state after one byte range, passed from a worker thread to the main one. */
export interface GpuRangeState {
  identity: GpuIdentity;
  rows: number;
  firstMs: number;
  lastMs: number;
  migEnabled: boolean;
  histograms: (ExactHistogramState | null)[];
  integral: Float64Array;
  integratedMs: Float64Array;
  firstT: Float64Array;
  firstV: Float64Array;
  lastT: Float64Array;
  lastV: Float64Array;
  events: Uint8Array;
  missing: Map<GpuMetricName, Map<string, number>>;
  otherMissing: Map<string, Map<string, number>>;
  series: GpuSeries;
  seriesOriginMs: number;
  /** Sampling gaps found inside the range: the first few, and how many. */
  gaps: { list: { fromMs: number; toMs: number }[]; count: number; intervals: number[] };
}

/**
 * Distribution of one metric over samples; percentiles are exact (numpy linear). Each key means the
 * same per GPU and in `overall` (where the samples and intervals of all GPUs are pooled).
 */
export interface MetricDistribution {
  samples: number;
  /** Arithmetic mean over the samples (numpy `mean`), whatever their spacing in time. */
  mean: number;
  /**
   * Trapezoidal ∫v dt / ∫dt over the intervals between consecutive present samples (never across a
   * missing value, a restart or a sampling gap); pooled, Σ∫v dt / Σ∫dt over the GPUs. Null without
   * timestamps (dmon without -o T), with a single sample, or (pooled) when any GPU lacks it.
   */
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
  utilization: UtilizationDistribution | null;
  memoryUtilization: MetricDistribution | null;
  /** `peakPercent` is `max` and `meanPercent` is `mean` (the sample mean), as % of `totalMiB`. */
  memoryUsedMiB: (MetricDistribution & { totalMiB: number | null; peakPercent: number | null; meanPercent: number | null }) | null;
  powerW: MetricDistribution | null;
  /** Trapezoidal ∫ power dt in joules; null without timestamps or power. */
  energyJ: number | null;
  temperatureC: MetricDistribution | null;
  clocksSmMHz: MetricDistribution | null;
  clocksMemMHz: MetricDistribution | null;
  clocksGraphicsMHz: MetricDistribution | null;
  /** metric (or other column of the log) → reason (`N/A`, `Not Supported`, …) → count of missing values. */
  missing: Record<string, Record<string, number>>;
}

/** Utilization with the fraction of samples above the busy threshold (`GpuMetrics.busyThresholdPct`). */
export type UtilizationDistribution = MetricDistribution & { busyFraction: number };

export interface GpuOverallMetrics {
  gpus: number;
  /**
   * Pooled over non-MIG GPUs: every key as per GPU, over all their samples (`mean`) or GPU-seconds
   * (`timeWeightedMean`). Documents from earlier versions had `mean` = the mean of per-GPU
   * time-weighted means and `timeWeightedMean` null; `timeWeightedMean ?? mean` reads both.
   */
  utilization: UtilizationDistribution | null;
  memoryUsedPeakMiB: number | null;
  /** Sum over GPUs of their mean power (the node's average GPU draw): each GPU's `timeWeightedMean`, its `mean` without timestamps. */
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
  /** The busy threshold used for every `busyFraction` (utilization > this, percent); absent in older documents, where it was 0. */
  busyThresholdPct?: number;
  rejected: RejectedLinesReport;
  warnings: string[];
  /** The same warnings as codes and values, for reports in other languages (absent in documents from before them). */
  warningCodes?: ProfileWarning[];
  /** Downsampled time series per GPU (at most a few hundred points each), for charts. */
  series?: GpuSeries[];
}
