/**
 * The `run --local` use case: hpcbench.yaml (with `--set` overrides) and an experiment in, its jobs
 * run on this machine as SLURM would run them, and metrics.json written when asked. Returns the
 * run's result; printing and signal handling are the caller's (the CLI's) business.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadConfig, loadConfigText, resolveConfigPath, type ResolvedConfig } from '../config/index.js';
import { displayPath } from '../config/load.js';
import { serializeMetricsDocument } from '../contracts/metrics.js';
import { writeFileAtomically } from '../fs-atomic.js';
import { profileOptionsFromConfig } from '../profile/config-options.js';
import { profileRun } from '../profile/profile-run.js';
import { applySetOverrides, parseSetArgument } from '../render/overrides.js';
import { runLocal, type LocalRunEvent, type LocalRunResult } from './run-local.js';

/** The config with `--set` applied exactly as render and submit apply it (same parser, same edit of the text). */
function loadConfigWithOverrides(configOption: string | undefined, experiment: string, set: readonly string[]): ResolvedConfig {
  if (set.length === 0) return loadConfig(configOption);
  const configPath = resolveConfigPath(configOption);
  const text = applySetOverrides(readFileSync(configPath, 'utf8'), experiment, set.map(parseSetArgument));
  return loadConfigText(text, displayPath(configPath), dirname(configPath));
}

export interface RunExperimentLocallyOptions {
  configOption: string | undefined;
  experiment: string;
  set: readonly string[];
  resultsDir: string;
  runId: string | undefined;
  parallel: number;
  /** Write metrics.json into the run directory after the run. */
  profile: boolean;
  toolVersion: string;
  /**
   * Runs the jobs with an AbortSignal that stops them and keeps the partial results (the CLI wires
   * Ctrl-C and SIGTERM to it); only the run itself is interruptible this way, not the profiling.
   */
  interruptible: (run: (signal: AbortSignal) => Promise<LocalRunResult>) => Promise<LocalRunResult>;
  onEvent: (event: LocalRunEvent) => void;
}

export interface RanExperiment {
  result: LocalRunResult;
  /** Where metrics.json was written, when profile was asked. */
  metricsFile?: string;
}

export async function runExperimentLocally(options: RunExperimentLocallyOptions): Promise<RanExperiment> {
  const config = loadConfigWithOverrides(options.configOption, options.experiment, options.set);
  const result = await options.interruptible((signal) =>
    runLocal({ config, experiment: options.experiment, resultsDir: options.resultsDir, runId: options.runId, parallel: options.parallel, signal, onEvent: options.onEvent }),
  );
  if (!options.profile) return { result };
  const doc = await profileRun(result.runDir, { toolVersion: options.toolVersion, experiments: profileOptionsFromConfig(config) });
  const metricsFile = join(result.runDir, 'metrics.json');
  writeFileAtomically(metricsFile, serializeMetricsDocument(doc));
  return { result, metricsFile };
}
