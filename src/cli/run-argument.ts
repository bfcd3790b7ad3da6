import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { findConfigFile } from '../config/load.js';
import { loadConfig } from '../config/index.js';

/** results/ in the project directory of the config (its `root:`) when there is one, else in the working directory. */
export function resultsRoot(configPath: string | undefined): string {
  const file = configPath !== undefined ? resolve(configPath) : findConfigFile();
  if (!file) return join(process.cwd(), 'results');
  try {
    return join(loadConfig(file).root, 'results');
  } catch {
    // A broken config must not stop read-only commands on existing runs.
    return join(dirname(file), 'results');
  }
}

/** A run argument as every command takes it: a directory, a run id under results/, or `latest`. */
export function resolveRunDirectory(arg: string, configPath: string | undefined): string {
  if (existsSync(arg) && statSync(arg).isDirectory()) return resolve(arg);
  const root = resultsRoot(configPath);
  if (arg === 'latest') {
    const runs = existsSync(root)
      ? readdirSync(root).filter((name) => !name.startsWith('.') && statSync(join(root, name)).isDirectory()).sort()
      : [];
    const last = runs[runs.length - 1];
    if (!last) throw new UsageError(`no runs in ${root}`, 'Render or submit an experiment first, or name a run directory.');
    return join(root, last);
  }
  const dir = join(root, arg);
  if (!existsSync(dir)) throw new UsageError(`no run '${arg}' in ${root}`, 'List runs with `hpcbench runs`, or name a run directory or log files.');
  return dir;
}
