import { ExactHistogram } from '../../stats/exact-histogram.js';
import { SeriesBuilder } from './series.js';
import {
  BUSY_UTILIZATION_THRESHOLD,
  GPU_METRIC_NAMES,
  METRIC_DECIMAL_LIST,
  METRIC_DECIMALS,
  METRIC_ID,
  type GpuDeviceMetrics,
  type GpuIdentity,
  type GpuMetricName,
  type GpuOverallMetrics,
  type GpuRangeState,
  type MetricDistribution,
  type UtilizationDistribution,
} from './metrics-types.js';
import { formatQueryTimestamp } from './nvidia-smi-values.js';
import { GapDetector } from './gaps.js';

// The types and metric names live in gpu-metrics-types.ts; importers keep using this module.
export * from './metrics-types.js';

const UTILIZATION = METRIC_ID['utilization.gpu'];
const POWER = METRIC_ID['power.draw'];
const MEMORY_USED = METRIC_ID['memory.used'];
const POW10 = [1, 10, 100, 1000, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

/** Streaming per-GPU state: exact histograms plus running time integrals; O(distinct values). */
export class GpuAccumulator {
  readonly identity: GpuIdentity;
  readonly sources = new Set<string>();
  rows = 0;
  firstMs = Number.NaN;
  lastMs = Number.NaN;
  /** Set from `mig.mode.current` = Enabled: the GPU is split into MIG instances. */
  migEnabled = false;
  readonly histograms = new Array<ExactHistogram | undefined>(GPU_METRIC_NAMES.length);
  private readonly lastT = new Float64Array(GPU_METRIC_NAMES.length).fill(Number.NaN);
  /** Last value per metric, scaled to an integer (value·10^decimals). */
  private readonly lastV = new Float64Array(GPU_METRIC_NAMES.length);
  /**
   * 2·∫ value dt over intervals between consecutive present samples, in (value·10^decimals)·ms.
   * Values are fixed-point and timestamps whole milliseconds, so every term is an integer and the
   * sums are EXACT (below 2^53): the result does not depend on summation order, which keeps a
   * parallel parse identical to a sequential one. Read through `integralOf`/`integratedSecondsOf`.
   */
  readonly integral = new Float64Array(GPU_METRIC_NAMES.length);
  readonly integratedMs = new Float64Array(GPU_METRIC_NAMES.length);
  /** metric → reason → count, for values nvidia-smi did not give (`[N/A]`, `-`, …). */
  readonly missing = new Map<GpuMetricName, Map<string, number>>();
  /** The same for columns hpcbench does not summarise (`temperature.memory`, `fan.speed`): counted, not parsed. */
  readonly otherMissing = new Map<string, Map<string, number>>();
  /** A bounded, downsampled series of utilization, memory and power for charts. */
  readonly series = new SeriesBuilder();
  /**
   * For stitching byte ranges parsed in parallel: the first value of each metric when nothing
   * (a missing value, a restart) came before it, and whether anything happened to the metric.
   */
  private readonly firstT = new Float64Array(GPU_METRIC_NAMES.length).fill(Number.NaN);
  private readonly firstV = new Float64Array(GPU_METRIC_NAMES.length);
  private readonly events = new Uint8Array(GPU_METRIC_NAMES.length);
  /** Time of the first charted sample: the origin of `series`' buckets. */
  private seriesOriginMs = Number.NaN;

  constructor(identity: GpuIdentity) {
    this.identity = identity;
  }

  get isMig(): boolean {
    const { uuid, name } = this.identity;
    return this.migEnabled || (uuid !== null && uuid.startsWith('MIG-')) || (name !== null && /\bMIG\b|MIG-/.test(name));
  }

  /** Sampling gaps of this GPU: the series is split at each (see gpu-gaps.ts). */
  readonly gapDetector = new GapDetector();

  /** Marks one row (sample instant) seen; `ms` is NaN when the log has no timestamps. */
  noteRow(ms: number): void {
    this.rows++;
    if (ms === ms) {
      // lastMs is the latest row so far: a long silence before this one splits the series.
      if (this.lastMs === this.lastMs && this.gapDetector.isGap(this.lastMs, ms)) this.breakSegments();
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
    const decimals = METRIC_DECIMAL_LIST[id] as number;
    const scaled =
      digits === decimals ? mantissa : digits < decimals ? mantissa * (POW10[decimals - digits] ?? 10 ** (decimals - digits)) : value * (POW10[decimals] ?? 1);
    const seriesIndex = id === UTILIZATION ? 0 : id === MEMORY_USED ? 1 : id === POWER ? 2 : -1;
    if (seriesIndex >= 0) {
      if (this.seriesOriginMs !== this.seriesOriginMs) this.seriesOriginMs = ms;
      this.series.add(seriesIndex, ms, value);
    }
    if (this.events[id] === 0) {
      this.events[id] = 1;
      this.firstT[id] = ms;
      this.firstV[id] = scaled;
    }
    if (ms === ms) {
      const previous = this.lastT[id] as number;
      // Equal or earlier timestamps (duplicated rows, a clock step back) add no interval.
      if (ms > previous) {
        const dt = ms - previous;
        this.integral[id] = (this.integral[id] as number) + ((this.lastV[id] as number) + scaled) * dt;
        this.integratedMs[id] = (this.integratedMs[id] as number) + dt;
      }
      this.lastT[id] = ms;
      this.lastV[id] = scaled;
    }
  }

  /** ∫ value dt in value·seconds (joules for power). */
  integralOf(id: number): number {
    return (this.integral[id] as number) / (2000 * (POW10[METRIC_DECIMAL_LIST[id] as number] ?? 1));
  }

  integratedSecondsOf(id: number): number {
    return (this.integratedMs[id] as number) / 1000;
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
    this.events[id] = 1;
  }

  /** A missing marker in a column that is not summarised. */
  addOtherMissing(column: string, reason: string, count = 1): void {
    let reasons = this.otherMissing.get(column);
    if (reasons === undefined) {
      reasons = new Map();
      this.otherMissing.set(column, reasons);
    }
    reasons.set(reason, (reasons.get(reason) ?? 0) + count);
  }

  /** The logger restarted: never integrate across the gap. */
  breakSegments(): void {
    this.lastT.fill(Number.NaN);
    this.events.fill(1);
  }

  /** Everything a byte range learnt about this GPU, as structured-clone-able data (worker → main). */
  exportRange(): GpuRangeState {
    return {
      identity: this.identity,
      rows: this.rows,
      firstMs: this.firstMs,
      lastMs: this.lastMs,
      migEnabled: this.migEnabled,
      histograms: this.histograms.map((h) => h?.toState() ?? null),
      integral: this.integral,
      integratedMs: this.integratedMs,
      firstT: this.firstT,
      firstV: this.firstV,
      lastT: this.lastT,
      lastV: this.lastV,
      events: this.events,
      missing: this.missing,
      otherMissing: this.otherMissing,
      series: this.series.toSeries(this.identity.id),
      seriesOriginMs: this.seriesOriginMs,
      gaps: { list: this.gapDetector.gaps, count: this.gapDetector.count, intervals: [...this.gapDetector.learnt] },
    };
  }

  /**
   * Appends the state of the NEXT byte range of the same file, as if its rows had followed here:
   * the interval between this range's last sample and that range's first is integrated unless a
   * missing value or a restart came between. Charts get the range's bucket means as samples.
   */
  mergeRange(range: GpuRangeState): void {
    // A gap at the border between two ranges: no stitching across it.
    const borderGap = this.lastMs === this.lastMs && range.firstMs === range.firstMs && this.gapDetector.isGap(this.lastMs, range.firstMs);
    if (borderGap) this.breakSegments();
    for (const [i, gap] of range.gaps.list.entries()) this.gapDetector.record(gap, i === 0 ? range.gaps.count - range.gaps.list.length + 1 : 1);
    this.gapDetector.learn(range.gaps.intervals);
    this.rows += range.rows;
    if (range.firstMs === range.firstMs && !(this.firstMs <= range.firstMs)) this.firstMs = range.firstMs;
    if (range.lastMs === range.lastMs && !(this.lastMs >= range.lastMs)) this.lastMs = range.lastMs;
    this.migEnabled ||= range.migEnabled;
    for (let id = 0; id < GPU_METRIC_NAMES.length; id++) {
      const state = range.histograms[id];
      if (state != null) {
        let histogram = this.histograms[id];
        if (histogram === undefined) {
          histogram = new ExactHistogram(state.decimals);
          this.histograms[id] = histogram;
        }
        histogram.mergeState(state);
      }
      this.integral[id] = (this.integral[id] as number) + (range.integral[id] as number);
      this.integratedMs[id] = (this.integratedMs[id] as number) + (range.integratedMs[id] as number);
      const firstT = range.firstT[id] as number;
      const lastT = this.lastT[id] as number;
      if (firstT === firstT && lastT === lastT && firstT > lastT) {
        const dt = firstT - lastT;
        this.integral[id] = (this.integral[id] as number) + ((this.lastV[id] as number) + (range.firstV[id] as number)) * dt;
        this.integratedMs[id] = (this.integratedMs[id] as number) + dt;
      }
      if (range.events[id] === 1) {
        this.lastT[id] = range.lastT[id] as number;
        this.lastV[id] = range.lastV[id] as number;
        if (this.events[id] === 0) {
          this.events[id] = 1;
          this.firstT[id] = firstT;
          this.firstV[id] = range.firstV[id] as number;
        }
      }
    }
    for (const [column, reasons] of range.otherMissing) for (const [reason, n] of reasons) this.addOtherMissing(column, reason, n);
    for (const [name, reasons] of range.missing) {
      let mine = this.missing.get(name);
      if (mine === undefined) {
        mine = new Map();
        this.missing.set(name, mine);
      }
      for (const [reason, n] of reasons) mine.set(reason, (mine.get(reason) ?? 0) + n);
    }
    const origin = range.seriesOriginMs;
    if (origin === origin) {
      const { t, utilization, memoryUsedMiB, powerW } = range.series;
      if (this.seriesOriginMs !== this.seriesOriginMs) this.seriesOriginMs = origin;
      t.forEach((seconds, i) => {
        const ms = origin + seconds * 1000;
        [utilization[i], memoryUsedMiB[i], powerW[i]].forEach((value, m) => {
          if (typeof value === 'number') this.series.add(m, ms, value);
        });
      });
    }
  }
}

/** The keys every distribution shares, from exact value counts and the exact time integral. */
function distributionOf(histogram: ExactHistogram | undefined, integral: number, seconds: number): MetricDistribution | null {
  if (histogram === undefined || histogram.count === 0) return null;
  const [p50, p95] = histogram.percentiles([50, 95]) as [number, number];
  return {
    samples: histogram.count,
    mean: histogram.mean() as number,
    timeWeightedMean: seconds > 0 ? integral / seconds : null,
    min: histogram.min,
    p50,
    p95,
    max: histogram.max,
  };
}

function distribution(acc: GpuAccumulator, id: number): MetricDistribution | null {
  return distributionOf(acc.histograms[id], acc.integralOf(id), acc.integratedSecondsOf(id));
}

/** Samples whose value is strictly above `thresholdPct`, counted from the exact value counts. */
function countAbove(histogram: ExactHistogram, thresholdPct: number): number {
  const { values, counts } = histogram.entries();
  let above = 0;
  for (let i = 0; i < values.length; i++) if ((values[i] as number) > thresholdPct) above += counts[i] as number;
  return above;
}

function utilizationOf(histogram: ExactHistogram | undefined, integral: number, seconds: number, busyThresholdPct: number): UtilizationDistribution | null {
  const util = distributionOf(histogram, integral, seconds);
  return util && histogram ? { ...util, busyFraction: countAbove(histogram, busyThresholdPct) / util.samples } : null;
}

/** Figures of one GPU; `busyThresholdPct`: a sample is busy when its utilization is above it. */
export function computeDeviceMetrics(acc: GpuAccumulator, busyThresholdPct: number = BUSY_UTILIZATION_THRESHOLD): GpuDeviceMetrics {
  const mig = acc.isMig;
  const util = mig ? null : utilizationOf(acc.histograms[UTILIZATION], acc.integralOf(UTILIZATION), acc.integratedSecondsOf(UTILIZATION), busyThresholdPct);
  const memory = distribution(acc, METRIC_ID['memory.used']);
  const totalMiB = acc.histograms[METRIC_ID['memory.total']]?.max ?? null;
  const percent = (v: number): number | null => (totalMiB !== null && totalMiB > 0 ? (v / totalMiB) * 100 : null);
  const power = distribution(acc, POWER);
  const missing: Record<string, Record<string, number>> = {};
  for (const [name, reasons] of acc.missing) missing[name] = Object.fromEntries(reasons);
  for (const [name, reasons] of acc.otherMissing) missing[name] ??= Object.fromEntries(reasons);
  return {
    ...acc.identity,
    mig,
    sources: [...acc.sources],
    samples: acc.rows,
    start: formatQueryTimestamp(acc.firstMs),
    end: formatQueryTimestamp(acc.lastMs),
    durationSeconds: Number.isFinite(acc.firstMs) ? (acc.lastMs - acc.firstMs) / 1000 : null,
    utilization: util,
    memoryUtilization: mig ? null : distribution(acc, METRIC_ID['utilization.memory']),
    memoryUsedMiB: memory && {
      ...memory,
      totalMiB,
      peakPercent: percent(memory.max),
      meanPercent: percent(memory.mean),
    },
    powerW: power,
    energyJ: power !== null && acc.integratedSecondsOf(POWER) > 0 ? acc.integralOf(POWER) : null,
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

/**
 * Figures of the node: utilization pooled over the non-MIG GPUs with the same definitions as per
 * GPU (sample mean over all samples, time-weighted mean over all GPU-seconds), so that each key
 * has one meaning everywhere.
 */
export function computeOverallMetrics(
  accumulators: readonly GpuAccumulator[],
  devices: readonly GpuDeviceMetrics[],
  busyThresholdPct: number = BUSY_UTILIZATION_THRESHOLD,
): GpuOverallMetrics {
  const pooled = new ExactHistogram(METRIC_DECIMALS['utilization.gpu']);
  // Sums of the accumulators' exact integer integrals (see GpuAccumulator.integral): exact too.
  let twiceIntegral = 0;
  let integratedMs = 0;
  let everyGpuTimed = true;
  accumulators.forEach((acc, i) => {
    const histogram = acc.histograms[UTILIZATION];
    const device = devices[i];
    if (histogram === undefined || device?.utilization == null) return;
    pooled.merge(histogram);
    // A GPU without a time-weighted mean (no timestamps, one sample) would silently weigh 0.
    if (device.utilization.timeWeightedMean === null) everyGpuTimed = false;
    twiceIntegral += acc.integral[UTILIZATION] as number;
    integratedMs += acc.integratedMs[UTILIZATION] as number;
  });
  const integral = twiceIntegral / (2000 * 10 ** METRIC_DECIMALS['utilization.gpu']);
  const utilization = utilizationOf(pooled.count > 0 ? pooled : undefined, integral, everyGpuTimed ? integratedMs / 1000 : 0, busyThresholdPct);
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
