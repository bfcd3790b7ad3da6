import { percentile, sortedCopy } from './percentile.js';

/**
 * Modified z-scores (Iglewicz and Hoaglin, 1993): 0.6745·(x − median)/MAD, where MAD is the
 * median absolute deviation. Robust where the ordinary z-score is not: one huge latency
 * inflates the standard deviation and hides itself, but barely moves the median and MAD.
 * When MAD is 0 (more than half the values equal), the mean absolute deviation scaled by
 * 1.253314 stands in for it (the usual fallback); when both are 0 every score is 0.
 */
function modifiedZScores(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const scores = new Float64Array(n);
  if (n === 0) return scores;
  const median = percentile(sortedCopy(values), 50);
  const deviations = new Float64Array(n);
  for (let i = 0; i < n; i++) deviations[i] = Math.abs((values[i] as number) - median);
  let sumDeviation = 0;
  for (let i = 0; i < n; i++) sumDeviation += deviations[i] as number;
  const mad = percentile(sortedCopy(deviations), 50);
  let scale: number;
  if (mad > 0) scale = 0.6745 / mad;
  else if (sumDeviation > 0) scale = 1 / (1.253314 * (sumDeviation / n));
  else return scores;
  for (let i = 0; i < n; i++) scores[i] = ((values[i] as number) - median) * scale;
  return scores;
}

/** How many values have |modified z-score| > threshold (3.5 is Iglewicz and Hoaglin's advice). */
export function countOutliers(values: ArrayLike<number>, threshold = 3.5): number {
  const scores = modifiedZScores(values);
  let count = 0;
  for (let i = 0; i < scores.length; i++) if (Math.abs(scores[i] as number) > threshold) count++;
  return count;
}
