export interface WarmupOptions<T> {
  /** Drop the first `count` records (in the order given). */
  count?: number;
  /** Drop records flagged as warm-up (e.g. `r => r.warmup === true`). */
  isWarmup?: (record: T) => boolean;
}

/**
 * Records left once warm-up is excluded: first the leading `count` records go, then any of the
 * rest that `isWarmup` flags. Both rules may be combined. Returns a new array.
 */
export function excludeWarmup<T>(records: readonly T[], options: WarmupOptions<T> = {}): T[] {
  const count = Math.max(0, Math.floor(options.count ?? 0));
  const rest = records.slice(count);
  const isWarmup = options.isWarmup;
  return isWarmup ? rest.filter((record) => !isWarmup(record)) : rest;
}
