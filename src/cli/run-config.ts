import type { ResolvedConfig } from '../config/index.js';
import { readRunConfigOptions as readOptions } from '../config/run-config-options.js';
import type { Output } from './output.js';

/** readRunConfigOptions (config/run-config-options.ts) with its warning printed. */
export function readRunConfigOptions<T>(runDir: string, explicit: string | undefined, out: Output, lost: string, pick: (config: ResolvedConfig) => T): T | undefined {
  return readOptions(runDir, explicit, (message) => out.warn(message), lost, pick);
}
