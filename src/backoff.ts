/**
 * The one backoff rule for everything hpcbench retries or repeats (the SSH reconnect, the
 * lookup of a lost submission, a refused sbatch, the poll interval): a delay that grows by a
 * factor per attempt up to a ceiling, optionally spread by jitter so that many clients retrying
 * at once do not hit sshd or slurmctld in step. A leaf module: it imports nothing.
 */

export interface BackoffOptions {
  /** The delay before the first retry. */
  baseMs: number;
  /** Growth per attempt (default 2). */
  factor?: number;
  /** The longest delay before jitter (default: no ceiling). */
  maxMs?: number;
  /** Relative spread, 0..1: 0.25 gives a delay between 75 % and 125 % of the rule's (default 0). */
  jitter?: number;
  /** Random source in [0, 1), injectable for tests (default Math.random). */
  random?: () => number;
}

/** The delay before retry number `attempt` (1 for the first retry): baseMs × factor^(attempt−1), capped, then spread. */
export function computeBackoffDelay(attempt: number, options: BackoffOptions): number {
  const factor = options.factor ?? 2;
  const planned = Math.min(options.maxMs ?? Number.POSITIVE_INFINITY, options.baseMs * factor ** Math.max(0, attempt - 1));
  const jitter = options.jitter ?? 0;
  if (jitter === 0) return planned;
  const random = options.random ?? Math.random;
  return planned + planned * jitter * (2 * random() - 1);
}
