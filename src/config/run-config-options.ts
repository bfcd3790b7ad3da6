import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, type ResolvedConfig } from './index.js';
import { CONFIG_FILE_NAMES, findConfigFile } from './load.js';
import { HpcbenchError } from '../errors.js';

/**
 * Settings profile and report take from hpcbench.yaml for a run: --config, else the run's own
 * copy, else the project's. A config named with --config must load; any other that no longer
 * loads costs only those settings (`lost` says which, in the warning), not the command.
 */
export function readRunConfigOptions<T>(
  runDir: string,
  explicit: string | undefined,
  onWarning: (message: string) => void,
  lost: string,
  pick: (config: ResolvedConfig) => T,
): T | undefined {
  const copy = CONFIG_FILE_NAMES.map((n) => join(runDir, n)).find((f) => existsSync(f));
  const file = explicit ?? copy ?? findConfigFile();
  if (file === undefined) return undefined;
  try {
    return pick(loadConfig(file));
  } catch (error) {
    if (explicit !== undefined || !(error instanceof HpcbenchError)) throw error;
    onWarning(`${file} could not be read, so ${lost}: ${error.message.split('\n')[0] ?? ''}`);
    return undefined;
  }
}
