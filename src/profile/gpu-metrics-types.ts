import type { ExactHistogramState } from './exact-histogram.js';
import type { RejectedLinesReport } from './lines.js';
import type { GpuSeries } from './metrics-document.js';

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

/** A GPU counts as busy in a sample when its utilization is strictly above this (percent). */
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
  busy: number;
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
  /** metric (or other column of the log) → reason (`N/A`, `Not Supported`, …) → count of missing values. */
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
