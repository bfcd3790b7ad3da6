/**
 * The render use case: hpcbench.yaml (with `--set` overrides) and an experiment name in, the job
 * scripts and manifest written into a run directory, under the run's lock. Returns what was
 * written; printing is the caller's (the CLI's) business.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { resolveConfigPath } from '../config/index.js';
import { displayPath } from '../config/load.js';
import { UsageError } from '../errors.js';
import { acquireRunLock } from '../runs/lock.js';
import { loadCheckedConfigText } from './check-config.js';
import { applySetOverrides, parseSetArgument } from './overrides.js';
import { renderRun, writeRun, type RenderedRun } from './render-run.js';

export interface RenderExperimentOptions {
  /** --config: the file, or undefined to search upward from the working directory. */
  configOption: string | undefined;
  experiment: string;
  set: readonly string[];
  runId?: string;
  /** The run directory; default results/<run-id> in the project directory. */
  out?: string;
  /** Overwrite a run directory that already holds a manifest. */
  force: boolean;
  onWarning: (message: string) => void;
}

export interface RenderedExperiment {
  dir: string;
  rendered: RenderedRun;
}

export function renderExperiment(options: RenderExperimentOptions): RenderedExperiment {
  const configPath = resolveConfigPath(options.configOption);
  const root = dirname(configPath);
  const text = applySetOverrides(readFileSync(configPath, 'utf8'), options.experiment, options.set.map(parseSetArgument));
  // Resolving and preflight report their problems together, as `config check` does.
  const config = loadCheckedConfigText(text, displayPath(configPath), root, options.experiment);
  const rendered = renderRun(config, options.experiment, options.runId !== undefined ? { runId: options.runId } : {});
  // Results and workload files belong to the project directory (the config's `root:`, by default its folder).
  const dir = options.out !== undefined ? resolve(options.out) : join(config.root, 'results', rendered.runId);
  if (existsSync(join(dir, 'manifest.json')) && !options.force) {
    throw new UsageError(`${displayPath(dir)} already holds a rendered run (manifest.json)`, 'Pick another --out or --run-id, or pass --force to overwrite its scripts.');
  }
  // A --force render must not rewrite the scripts of a run that a submit is uploading.
  const lock = acquireRunLock(dir, { command: 'hpcbench render', runId: rendered.runId, onWarning: options.onWarning });
  try {
    writeRun(dir, rendered, { copyFilesFrom: config.root });
  } finally {
    lock.release();
  }
  for (const warning of rendered.warnings) options.onWarning(warning);
  return { dir, rendered };
}
