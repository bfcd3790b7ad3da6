import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { resolveResultsDir } from './context.js';

/** results/ of the project (see resolveResultsDir). */
export function resultsRoot(configPath: string | undefined): string {
  return resolveResultsDir(undefined, configPath);
}

/** Directories under results/ that hold a run: rendered, submitted, run locally or profiled. */
function runDirectories(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((name) => ['run.json', 'manifest.json', 'metrics.json'].some((f) => existsSync(join(root, name, f))))
    .sort();
}

/**
 * A run argument as profile, report and compare take it: a directory, or a run id under
 * results/ (exact, a unique prefix, or `latest`). Run ids start with a UTC timestamp, so the
 * last in order is the newest.
 */
export function resolveRunDirectory(arg: string, configPath: string | undefined): string {
  if (existsSync(arg) && statSync(arg).isDirectory()) return resolve(arg);
  const root = resultsRoot(configPath);
  const runs = runDirectories(root);
  if (runs.length === 0) throw new UsageError(`no runs in ${root}`, 'Render, submit or run an experiment first, or name a run directory.');
  if (arg === 'latest') return join(root, runs[runs.length - 1] as string);
  if (runs.includes(arg)) return join(root, arg);
  const matches = runs.filter((id) => id.startsWith(arg));
  if (matches.length === 1) return join(root, matches[0] as string);
  if (matches.length > 1) throw new UsageError(`run id "${arg}" is ambiguous: ${matches.join(', ')}`, 'Give more of the id.');
  throw new UsageError(`no run '${arg}' in ${root}`, 'List runs with `hpcbench runs`, or name a run directory or log files.');
}
