// What the two `hpcbench efficiency` integration tests share: a project for the test cluster,
// the sbatch prefix for their jobs, and the built CLI run on job ids.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeTestProject } from '../submit-helpers.js';
import type { TestCluster } from './cluster.js';

const REPO = resolve(__dirname, '../../..');
const CLI = join(REPO, 'bin/hpcbench.js');

export interface EfficiencyProject {
  dir: string;
  config: string;
  /** `sbatch --parsable --partition=… [--account=…] --time=2 --output=/dev/null`, for the test's jobs. */
  sbatch: string;
}

/** The project (the CLI runs from dist/, so a missing build fails here with what to do). */
export function writeEfficiencyProject(cluster: TestCluster): EfficiencyProject {
  if (!existsSync(join(REPO, 'dist/cli-bundle/main.js')) && !existsSync(join(REPO, 'dist/index.js'))) {
    throw new Error('dist/ is missing: run `npm run build` before this test (the CLI runs from dist/)');
  }
  const project = writeTestProject(cluster, { noop: { command: 'true' } });
  const partition = cluster.defaultPartition ?? cluster.partitions[0] ?? 'cpu';
  const account = cluster.account ? ` --account=${cluster.account}` : '';
  return { ...project, sbatch: `sbatch --parsable --partition=${partition}${account} --time=2 --output=/dev/null` };
}

/** `hpcbench efficiency <ids> --json` as a user runs it in the project. */
export function runEfficiency(project: EfficiencyProject, ids: readonly string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [CLI, 'efficiency', ...ids, '--json', '--config', project.config], {
    cwd: project.dir,
    encoding: 'utf8',
    timeout: 30_000,
  });
}
