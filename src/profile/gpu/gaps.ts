/**
 * Sampling gaps: a requeued job appends its second segment to the same CSV an hour after the
 * first, and integrating power across that hour would invent energy. A gap is an interval longer
 * than GAP_FACTOR typical intervals and longer than GAP_MIN_MS; the typical interval is the median
 * of the first intervals of the GPU (robust to the gap itself). A byte range parsed in parallel
 * learns it from the ranges before it (at the merge) or from its own first intervals, so a gap
 * among the first MIN_INTERVALS intervals of a range (ranges are megabytes long) can go unseen.
 */
import type { ProfileWarning } from '../../report/i18n/profile-warnings.js';

const GAP_FACTOR = 5;
const GAP_MIN_MS = 10_000;
const LEARN_INTERVALS = 31;
const MIN_INTERVALS = 3;
const KEPT_GAPS = 5;

export interface SamplingGap {
  fromMs: number;
  toMs: number;
}

/** Per-GPU gap detector, fed the time between consecutive rows. O(1) memory. */
export class GapDetector {
  private readonly intervals: number[] = [];
  private median = Number.NaN;
  /** The first gaps (at most KEPT_GAPS) and how many there were. */
  readonly gaps: SamplingGap[] = [];
  count = 0;

  /** True when the interval from `previousMs` to `ms` is a gap (the caller then splits the series). */
  isGap(previousMs: number, ms: number): boolean {
    const dt = ms - previousMs;
    if (!(dt > 0)) return false;
    const median = this.typical();
    if (median === median && dt > GAP_MIN_MS && dt > GAP_FACTOR * median) {
      this.record({ fromMs: previousMs, toMs: ms });
      return true;
    }
    if (this.intervals.length < LEARN_INTERVALS) {
      this.intervals.push(dt);
      this.median = Number.NaN;
    }
    return false;
  }

  /** The median of the intervals learnt so far; NaN until there are enough. */
  typical(): number {
    if (this.intervals.length < MIN_INTERVALS) return Number.NaN;
    if (this.median !== this.median) {
      const sorted = [...this.intervals].sort((a, b) => a - b);
      const mid = sorted.length >> 1;
      this.median = sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
    }
    return this.median;
  }

  /** The intervals learnt so far (a byte range hands them to the range after it). */
  get learnt(): readonly number[] {
    return this.intervals;
  }

  /** Learns intervals seen elsewhere (an earlier byte range of the same file). */
  learn(intervals: readonly number[]): void {
    for (const dt of intervals) {
      if (this.intervals.length >= LEARN_INTERVALS) break;
      this.intervals.push(dt);
      this.median = Number.NaN;
    }
  }

  record(gap: SamplingGap, count = 1): void {
    if (this.gaps.length < KEPT_GAPS) this.gaps.push(gap);
    this.count += count;
  }
}

/** The warning for a GPU's gaps, naming the first one. */
export function gapWarning(gpu: string, sources: readonly string[], detector: GapDetector, format: (ms: number) => string | null): ProfileWarning | null {
  const first = detector.gaps[0];
  if (first === undefined) return null;
  const median = detector.typical();
  const values = {
    files: sources.join(', '),
    gpu,
    seconds: ((first.toMs - first.fromMs) / 1000).toFixed(1),
    from: String(format(first.fromMs)),
    to: String(format(first.toMs)),
    // A gap is only found against a known typical interval; the fallback keeps the sentence whole.
    typical: median === median ? (median / 1000).toFixed(3) : '?',
  };
  if (detector.count > 1) return { code: 'gpu-sampling-gaps', values: { ...values, more: detector.count - 1 } };
  return { code: 'gpu-sampling-gap', values };
}

/** The warning for a metric missing on almost every row (a field the GPU does not support, a broken logger). */
export function mostlyMissingWarning(gpu: string, metric: string, missing: number, rows: number): ProfileWarning | null {
  if (rows < 5 || missing < rows * 0.9) return null;
  return { code: 'gpu-metric-mostly-missing', values: { gpu, metric, missing, rows, kept: rows - missing } };
}
