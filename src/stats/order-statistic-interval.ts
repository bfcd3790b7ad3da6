/**
 * Distribution-free confidence intervals of a quantile from two order statistics (the textbook
 * interval, e.g. Hahn & Meeker, "Statistical Intervals", §5.2; Conover, "Practical
 * Nonparametric Statistics", §3.2). For a continuous distribution the number of observations
 * below the true p-quantile ξ is Binomial(n, p), so with F its CDF and 1-based ranks l < u:
 *   P(x₍l₎ ≤ ξ ≤ x₍u₎) = F(u − 1) − F(l − 1).
 * The ranks are chosen symmetrically: l is the largest rank with F(l − 1) ≤ α/2 and u the
 * smallest with F(u − 1) ≥ 1 − α/2 (α = 1 − confidence), so each tail misses with probability
 * at most α/2 and the coverage is at least the confidence. When n is too small for that, the
 * interval widens to the sample minimum or maximum and the coverage is below the confidence;
 * `coverage` always says what was reached.
 *
 * Unlike a bootstrap it needs no resampling (no copies of the sample, no iterations × n work),
 * only two selections, and the same data always give the same interval.
 */
import { UsageError } from '../errors.js';
import { selectInPlace } from './select-percentile.js';

export interface OrderStatisticRanks {
  /** 1-based ranks of the interval's ends among the sorted sample. */
  lowerRank: number;
  upperRank: number;
  /** Exact probability F(upperRank − 1) − F(lowerRank − 1) that the interval holds the quantile. */
  coverage: number;
}

export interface OrderStatisticInterval extends OrderStatisticRanks {
  low: number;
  high: number;
  confidence: number;
}

/**
 * The CDF of Binomial(n, p) at k = start … end, where every value outside the range is below
 * 1e-40. Terms come from the pmf's ratio recurrence, starting at 1 at the mode and normalised by
 * their sum: no factorials or log-gamma, so nothing overflows or loses precision at n = 10⁷.
 */
function binomialCdfAroundMode(n: number, p: number): { start: number; cdf: Float64Array } {
  const mode = Math.min(n, Math.floor((n + 1) * p));
  // ~15 standard deviations (plus a margin for small or skewed cases) hold all but e^-100 of the mass.
  const reach = Math.ceil(15 * Math.sqrt(n * p * (1 - p))) + 40;
  const start = Math.max(0, mode - reach);
  const end = Math.min(n, mode + reach);
  const pmf = new Float64Array(end - start + 1);
  pmf[mode - start] = 1;
  const odds = p / (1 - p);
  // pmf(k + 1) / pmf(k) = (n − k) / (k + 1) · p / (1 − p)
  for (let k = mode; k < end; k++) pmf[k + 1 - start] = (pmf[k - start] as number) * ((n - k) / (k + 1)) * odds;
  for (let k = mode; k > start; k--) pmf[k - 1 - start] = (pmf[k - start] as number) * (k / (n - k + 1)) / odds;
  let total = 0;
  for (let i = 0; i < pmf.length; i++) total += pmf[i] as number;
  const cdf = new Float64Array(pmf.length);
  let running = 0;
  for (let i = 0; i < pmf.length; i++) {
    running += pmf[i] as number;
    cdf[i] = running / total;
  }
  return { start, cdf };
}

/**
 * The ranks of the two-sided order-statistic interval of the p-th percentile (0 < p < 100) of n
 * values at the given confidence (see the module comment for the rule and the coverage).
 */
export function locateOrderStatisticInterval(n: number, p: number, confidence: number): OrderStatisticRanks {
  if (!(p > 0 && p < 100)) throw new UsageError(`an order-statistic interval needs a percentile strictly between 0 and 100, got ${p}`);
  if (!(confidence > 0 && confidence < 1)) throw new UsageError(`confidence must be between 0 and 1 (e.g. 0.95), got ${confidence}`);
  const { start, cdf } = binomialCdfAroundMode(n, p / 100);
  // F(k) below the computed range is ~0, above it ~1.
  const cdfAt = (k: number): number => (k < start ? 0 : k - start >= cdf.length ? 1 : (cdf[k - start] as number));
  const tail = (1 - confidence) / 2;
  let lowerRank = Math.max(1, start);
  for (let l = lowerRank + 1; l <= n; l++) {
    if (cdfAt(l - 1) > tail) break;
    lowerRank = l;
  }
  let upperRank = n;
  for (let u = Math.max(lowerRank + 1, start + 1); u <= n; u++) {
    if (cdfAt(u - 1) >= 1 - tail) {
      upperRank = u;
      break;
    }
  }
  upperRank = Math.max(upperRank, Math.min(n, lowerRank + 1));
  // Also right at the sample's ends: P(x₍₁₎ ≤ ξ) = 1 − F(0), P(x₍ₙ₎ ≥ ξ) = F(n − 1).
  const coverage = Math.min(1, Math.max(0, cdfAt(upperRank - 1) - cdfAt(lowerRank - 1)));
  return { lowerRank, upperRank, coverage };
}

/**
 * The order-statistic interval of percentile p of an unsorted sample, reordering it in place
 * (two linear selections, no copy). Returns null for an empty sample.
 */
export function computeOrderStatisticInterval(sample: Float64Array, p: number, confidence = 0.95): OrderStatisticInterval | null {
  if (sample.length === 0) return null;
  const ranks = locateOrderStatisticInterval(sample.length, p, confidence);
  const high = selectInPlace(sample, ranks.upperRank - 1);
  // Everything left of the upper rank is ≤ it now, so the lower selection searches only there.
  const low = ranks.lowerRank === ranks.upperRank ? high : selectInPlace(sample.subarray(0, ranks.upperRank - 1), ranks.lowerRank - 1);
  return { ...ranks, low, high, confidence };
}
