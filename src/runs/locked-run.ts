/**
 * The run commands that change a run (submit --resume, cancel, fetch) take its lock before they
 * read run.json, so what they read is not changed underneath them by a second command.
 */
import type { ConnectClusterOptions } from './connect.js';
import { openRun, type OpenedRun } from './context.js';
import { withRunLock } from './lock.js';
import { resolveRunId, runDirectory } from './registry.js';

export interface LockedRunOptions {
  resultsDir: string;
  /** Run id, a unique prefix of one, or latest. */
  run: string | undefined;
  connect: ConnectClusterOptions;
  /** What a second process is told holds the lock, e.g. `hpcbench cancel`. */
  command: string;
  onWarning: (message: string) => void;
}

/** Opens the run holding its lock, and closes its connection however `use` ends. */
export async function withLockedRun<T>(options: LockedRunOptions, use: (run: OpenedRun) => Promise<T>): Promise<T> {
  const { resultsDir } = options;
  // `latest` or a prefix is resolved once, so the lock and the run opened are the same run.
  const runId = await resolveRunId(resultsDir, options.run);
  return withRunLock(runDirectory(resultsDir, runId), { command: options.command, runId, onWarning: options.onWarning }, async () => {
    const run = await openRun(resultsDir, runId, options.connect);
    try {
      return await use(run);
    } finally {
      await run.transport.close();
    }
  });
}
