// One rule for suites that need something from outside the repository (the test cluster, the
// workloads' Python venv): run when it is there; where it is missing, a failing test under CI=true
// (a silent skip would hide a broken pipeline) and, on a developer machine, a skipped suite that
// says what to run.
import { describe, it } from 'vitest';

export interface Requirement {
  /** What is missing and how to get it, e.g. "test cluster not running: run `sudo bash …`". */
  missing: string;
  /** The placeholder test's name, e.g. "has a running test cluster". */
  check: string;
  /** Printed once per requirement when suites are skipped. */
  warnPrefix: string;
}

const warnedOnce = new Set<string>();

/** Declares `name` with `suite` when `reason` is undefined, else as the rule above says. */
export function describeRequiring(name: string, requirement: Requirement, reason: string | undefined, suite: () => void): void {
  if (reason === undefined) {
    describe(name, suite);
    return;
  }
  if (process.env.CI === 'true') {
    describe(name, () => {
      it(requirement.check, () => {
        throw new Error(`${requirement.missing} (${reason}; CI=true makes this a failure)`);
      });
    });
    return;
  }
  if (!warnedOnce.has(requirement.missing)) {
    warnedOnce.add(requirement.missing);
    console.warn(`${requirement.warnPrefix} ${requirement.missing} (${reason}); skipping the suites that need it`);
  }
  describe.skipIf(true)(`${name} (skipped: ${requirement.missing})`, () => {
    it(requirement.check, () => undefined);
  });
}
