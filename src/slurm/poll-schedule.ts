/**
 * How long to wait between poll cycles: short right after submission (jobs often fail in their
 * first seconds), growing by `factor` to a ceiling, with jitter so many watchers do not hit
 * slurmctld in step, and never below a floor that protects the controller. A state change
 * resets the interval: things are moving, look again soon.
 */
import { computeBackoffDelay } from '../backoff.js';

export interface PollScheduleOptions {
  /** Never poll more often than this (default 5000 ms); values below 1000 are raised to 1000. */
  floorMs?: number;
  /** First interval (default the floor). */
  initialMs?: number;
  /** Longest interval (default 60000 ms). */
  ceilingMs?: number;
  /** Growth per cycle without change (default 1.5). */
  factor?: number;
  /** Relative jitter, 0..1 (default 0.2: ±20 %). */
  jitter?: number;
  /** Random source in [0, 1), injectable for tests (default Math.random). */
  random?: () => number;
}

export interface PollSchedule {
  /** The delay before the next cycle; grows the base interval for the cycle after. */
  next(): number;
  /** Go back to the initial interval (a state changed). */
  reset(): void;
  /** The current base interval before jitter. */
  readonly baseMs: number;
  readonly floorMs: number;
  readonly ceilingMs: number;
}

/**
 * The smallest floor accepted, whatever the caller asks.
 */
const MIN_POLL_FLOOR_MS = 1000;

export function createPollSchedule(options: PollScheduleOptions = {}): PollSchedule {
  const floorMs = Math.max(MIN_POLL_FLOOR_MS, options.floorMs ?? 5000);
  const ceilingMs = Math.max(floorMs, options.ceilingMs ?? 60_000);
  const initialMs = Math.min(ceilingMs, Math.max(floorMs, options.initialMs ?? floorMs));
  const factor = Math.max(1, options.factor ?? 1.5);
  const jitter = Math.min(1, Math.max(0, options.jitter ?? 0.2));
  const random = options.random ?? Math.random;
  // Cycles since the last reset: the interval is the shared backoff rule, kept within the floor.
  let cycles = 0;
  const rule = { baseMs: initialMs, factor, maxMs: ceilingMs };
  return {
    next(): number {
      const spread = computeBackoffDelay(cycles + 1, { ...rule, jitter, random });
      cycles += 1;
      return Math.round(Math.min(ceilingMs, Math.max(floorMs, spread)));
    },
    reset(): void {
      cycles = 0;
    },
    get baseMs(): number {
      return computeBackoffDelay(cycles + 1, rule);
    },
    floorMs,
    ceilingMs,
  };
}
