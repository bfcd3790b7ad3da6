import { UsageError } from '../errors.js';
import { percentile } from './percentile.js';
import { createRng } from './random.js';

export interface BootstrapOptions {
  /** Resamples drawn (default 2000). */
  iterations?: number;
  /** Two-sided confidence level in (0, 1) (default 0.95). */
  confidence?: number;
  /** PRNG seed; the same seed and data give the same interval (default 0x5eed). */
  seed?: number;
}

export interface BootstrapInterval {
  /** The statistic of the original sample. */
  estimate: number;
  low: number;
  high: number;
  confidence: number;
  iterations: number;
}

export const DEFAULT_BOOTSTRAP_SEED = 0x5eed;

/**
 * Percentile bootstrap confidence interval of `statistic`. The statistic receives a scratch
 * Float64Array that is reused between resamples, so it may sort it in place; it must not keep it.
 * Returns null for an empty sample (there is nothing to resample).
 */
export function bootstrapCi(
  values: ArrayLike<number>,
  statistic: (sample: Float64Array) => number,
  options: BootstrapOptions = {},
): BootstrapInterval | null {
  const iterations = options.iterations ?? 2000;
  const confidence = options.confidence ?? 0.95;
  if (!Number.isInteger(iterations) || iterations < 1) {
    throw new UsageError(`bootstrap iterations must be a positive integer, got ${iterations}`);
  }
  if (!(confidence > 0 && confidence < 1)) {
    throw new UsageError(`bootstrap confidence must be between 0 and 1 (e.g. 0.95), got ${confidence}`);
  }
  const n = values.length;
  if (n === 0) return null;
  const original = Float64Array.from(values);
  const estimate = statistic(Float64Array.from(original));
  const random = createRng(options.seed ?? DEFAULT_BOOTSTRAP_SEED);
  const scratch = new Float64Array(n);
  const stats = new Float64Array(iterations);
  for (let i = 0; i < iterations; i++) {
    for (let j = 0; j < n; j++) scratch[j] = original[Math.floor(random() * n)] as number;
    stats[i] = statistic(scratch);
  }
  stats.sort();
  const tail = ((1 - confidence) / 2) * 100;
  return {
    estimate,
    low: percentile(stats, tail),
    high: percentile(stats, 100 - tail),
    confidence,
    iterations,
  };
}

/** A bootstrap statistic: percentile p (linear) of the resample, sorting the scratch in place. */
export function percentileStatistic(p: number): (sample: Float64Array) => number {
  return (sample) => {
    sample.sort();
    return percentile(sample, p);
  };
}

/** A bootstrap statistic: the arithmetic mean of the resample. */
export function meanStatistic(sample: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < sample.length; i++) sum += sample[i] as number;
  return sum / sample.length;
}
