/**
 * Golden files: a test compares what it computes with a committed file. The file is rewritten only
 * on purpose, with HPCBENCH_UPDATE_GOLDEN=1 outside CI. Under CI (the CI variable set, as .ci/run
 * does) a missing or different golden file fails and a request to rewrite one is refused, so a CI
 * run can never approve its own output.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const UPDATE_GOLDEN_ENV = 'HPCBENCH_UPDATE_GOLDEN';

export type GoldenMode = 'compare' | 'update';

/** CI services set CI=true (some CI=1); an empty value, `false` or `0` is a workstation. */
function isCi(env: NodeJS.ProcessEnv): boolean {
  const value = env.CI;
  return value !== undefined && value !== '' && value !== 'false' && value !== '0';
}

export function decideGoldenMode(env: NodeJS.ProcessEnv = process.env): GoldenMode {
  if (env[UPDATE_GOLDEN_ENV] !== '1') return 'compare';
  if (isCi(env)) {
    throw new Error(`${UPDATE_GOLDEN_ENV}=1 is refused under CI (CI=${env.CI ?? ''}): regenerate golden files outside CI, review the diff and commit them`);
  }
  return 'update';
}

/**
 * The expected text of a golden file. In update mode `actual` is written to it first; otherwise the
 * committed file is read, and a missing one is an error (never created from what the test computed).
 */
export function readGolden(file: string, actual: string, env: NodeJS.ProcessEnv = process.env): string {
  if (decideGoldenMode(env) === 'update') {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return actual;
  }
  if (!existsSync(file)) {
    throw new Error(`golden file ${file} is missing: run the test with ${UPDATE_GOLDEN_ENV}=1 outside CI, review the file and commit it`);
  }
  return readFileSync(file, 'utf8');
}
