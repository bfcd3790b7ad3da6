import { withLockedRun as withLockedOpenRun } from '../runs/locked-run.js';
import type { OpenedRun } from '../runs/context.js';
import type { Output } from './output.js';
import { connectOptionsOf, resultsDirOf, type RunTargetArgs } from './runs.js';

/** runs/locked-run.ts for a command's flags; `command` is what a second process is told, e.g. `hpcbench cancel`. */
export async function withLockedRun<T>(argv: RunTargetArgs, out: Output, command: string, use: (run: OpenedRun) => Promise<T>): Promise<T> {
  return withLockedOpenRun({ resultsDir: resultsDirOf(argv), run: argv.run, connect: connectOptionsOf(argv, out), command, onWarning: (w) => out.warn(w) }, use);
}
