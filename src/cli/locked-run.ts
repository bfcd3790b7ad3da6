/**
 * The run commands that change a run (submit --resume, cancel, fetch) take its lock before they
 * read run.json, so what they read is not changed underneath them by a second command.
 */
import { resolveRunId, runDirectory } from '../runs/registry.js';
import { withRunLock } from '../runs/lock.js';
import type { OpenedRun } from '../runs/context.js';
import type { Output } from './output.js';
import { resultsDirOf, withOpenRun, type RunTargetArgs } from './runs.js';

/** withOpenRun holding the run's lock; `command` is what a second process is told, e.g. `hpcbench cancel`. */
export async function withLockedRun<T>(argv: RunTargetArgs, out: Output, command: string, use: (run: OpenedRun) => Promise<T>): Promise<T> {
  const resultsDir = resultsDirOf(argv);
  // `latest` or a prefix is resolved once, so the lock and the run opened are the same run.
  const runId = await resolveRunId(resultsDir, argv.run);
  return withRunLock(runDirectory(resultsDir, runId), { command, runId, onWarning: (w) => out.warn(w) }, () => withOpenRun({ ...argv, run: runId }, out, use));
}
