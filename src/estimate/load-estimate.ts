/**
 * The inputs of an estimate from disk: the resolved config, each experiment's `estimate:` block
 * as written, and the pilot runs (--from first, then results/ newest first).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadConfigFile, resolveConfig } from '../config/index.js';
import { UsageError } from '../errors.js';
import { estimateExperiment, type EstimateResult } from './estimate-experiment.js';
import { listProfiledRuns, openPilotRun, readPilotRun, type PilotRun } from './find-pilots.js';

export interface PilotArgument {
  dir: string;
  /** `--from phase=run`: the run is this phase's pilot. */
  experiment: string | undefined;
}

export interface RunEstimateOptions {
  configPath: string;
  experiment: string;
  from: readonly PilotArgument[];
  resultsDir: string;
  work: ReadonlyMap<string, number>;
  marginPct?: number;
  /** Told about a run under results/ whose metrics.json does not read (it is passed over). */
  onUnreadable?: (dir: string, error: unknown) => void;
}

export function runEstimate(options: RunEstimateOptions): EstimateResult {
  const loaded = loadConfigFile(options.configPath);
  const config = resolveConfig(loaded, dirname(options.configPath));
  const estimates = Object.fromEntries(Object.entries(loaded.raw.experiments ?? {}).map(([name, exp]) => [name, exp.estimate]));
  for (const name of options.work.keys()) {
    if (config.experiments[name] === undefined) throw new UsageError(`--work names experiment '${name}', which is not in ${config.file}`, `experiments there: ${Object.keys(config.experiments).join(', ')}`);
  }
  const pilots: PilotRun[] = [];
  for (const arg of options.from) {
    if (!existsSync(join(arg.dir, 'metrics.json'))) {
      throw new UsageError(`--from ${arg.dir}: the run has no metrics.json`, `fetch and profile it first: \`hpcbench fetch <run>\` then \`hpcbench profile <run>\``);
    }
    pilots.push(readPilotRun(arg.dir, arg.experiment));
  }
  const named = new Set(options.from.map((a) => a.dir));
  for (const dir of listProfiledRuns(options.resultsDir)) if (!named.has(dir)) pilots.push(openPilotRun(dir, options.onUnreadable));
  return estimateExperiment({ config, experiment: options.experiment, estimates, pilots, work: options.work, ...(options.marginPct !== undefined ? { marginPct: options.marginPct } : {}) });
}
