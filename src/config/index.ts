/** Loading a config in one call: find, parse, shape-check, merge presets, fill defaults, validate. */
import { loadConfigFile, parseConfigText, resolveConfigPath } from './load.js';
import { dirname } from 'node:path';
import { resolveConfig, type ResolvedConfig } from './resolve.js';

export function loadConfig(explicitPath?: string, cwd: string = process.cwd()): ResolvedConfig {
  const path = resolveConfigPath(explicitPath, cwd);
  return resolveConfig(loadConfigFile(path), dirname(path));
}

export function loadConfigText(text: string, file = 'hpcbench.yaml', root: string = process.cwd()): ResolvedConfig {
  return resolveConfig(parseConfigText(text, file), root);
}

export { findConfigFile, resolveConfigPath, loadConfigFile } from './load.js';
export { resolveConfig } from './resolve.js';
export type { ResolvedConfig, Cluster, Partition, Experiment, Resources, Profiling, Checkpoint, Sweep } from './resolve.js';
export { PRESETS, findPreset, type Preset } from './presets.js';
export { JOB_NAME_PATTERN } from './resolve-experiment.js';
