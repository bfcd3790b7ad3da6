/**
 * Student t intervals of a mean from few observations (a pilot job's handful of log windows),
 * where the normal 1.96 would give too narrow an interval.
 */

/** Two-sided 95 % Student t quantiles by degrees of freedom 1–30 (then 40, 60, 120 below). */
const T95: readonly number[] = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08,
  2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** The 95 % t quantile for df degrees of freedom (conservative: the next lower tabulated df). */
function lookupT95(df: number): number {
  if (df < 1) return Number.POSITIVE_INFINITY;
  if (df <= 30) return T95[Math.floor(df) - 1] ?? 1.96;
  if (df < 40) return 2.042;
  if (df < 60) return 2.021;
  if (df < 120) return 2;
  return 1.98;
}

/** Half width of the 95 % t interval of a mean of n observations with sample standard deviation std. */
export function computeMeanHalfWidth95(std: number, n: number): number {
  return (lookupT95(n - 1) * std) / Math.sqrt(n);
}
