export { percentile, sortedCopy, type PercentileMethod } from './percentile.js';
export { summarize, type Summary } from './summary.js';
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
export { countOutliers } from './outliers.js';
export { excludeWarmup } from './warmup.js';
