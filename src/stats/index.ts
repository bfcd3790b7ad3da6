export { percentile, sortedCopy, interpolate, locatePercentile, type PercentileMethod } from './percentile.js';
export {
  summarize,
  compensatedSum,
  percentileKey,
  type Summary,
  type FilledSummary,
  type EmptySummary,
  type SummarizeOptions,
} from './summary.js';
export {
  bootstrapCi,
  percentileStatistic,
  meanStatistic,
  DEFAULT_BOOTSTRAP_SEED,
  type BootstrapOptions,
  type BootstrapInterval,
} from './bootstrap.js';
export { bootstrapRelativeChange, type ChangeInterval, type SampleStatistic } from './bootstrap-change.js';
export { selectPercentileStatistic } from './select-percentile.js';
export { createRng } from './random.js';
export { countOutliers, modifiedZScores } from './outliers.js';
export { excludeWarmup, type WarmupOptions } from './warmup.js';
