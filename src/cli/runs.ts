/**
 * `hpcbench runs`: the runs recorded under results/. Also the options every run command shares
 * (--results, --accept-new-host-key) and how they become connection options.
 */
import type { Argv, CommandModule } from 'yargs';
import { openRun, resolveResultsDir, type OpenedRun } from '../runs/context.js';
import type { ConnectClusterOptions } from '../runs/connect.js';
import { formatRunsTable } from '../runs/format.js';
import type { GlobalOptions } from './global-options.js';
import { createOutput, type Output } from './output.js';

export interface RunCommandArgs extends GlobalOptions {
  results: string | undefined;
  'accept-new-host-key': boolean;
}

export function addRunOptions<T>(y: Argv<T>): Argv<T & RunCommandArgs> {
  return y
    .option('results', { type: 'string', describe: 'Results directory (default: results/ next to hpcbench.yaml, else ./results)' })
    .option('accept-new-host-key', {
      type: 'boolean',
      default: false,
      describe: "Pin a host key seen for the first time (like OpenSSH's accept-new); a changed key is always refused",
    }) as unknown as Argv<T & RunCommandArgs>;
}

export function connectOptionsOf(argv: RunCommandArgs, out: Output): ConnectClusterOptions {
  return {
    acceptNewHostKey: argv['accept-new-host-key'],
    onHostKeyPinned: (info) => out.warn(`pinned the host key of ${info.where} in ${info.file}`),
  };
}

export function resultsDirOf(argv: RunCommandArgs): string {
  return resolveResultsDir(argv.results, argv.config);
}

/** Arguments of the commands that act on one recorded run: status, watch, fetch, cancel. */
export interface RunTargetArgs extends RunCommandArgs {
  run: string | undefined;
}

export function addRunTarget<T>(y: Argv<T>): Argv<T & RunTargetArgs> {
  return addRunOptions(y).positional('run', { type: 'string', describe: 'Run id, a unique prefix of one, or latest' });
}

/** `--experiment`, for the commands that can act on part of a run (fetch, cancel). */
export function addExperimentFilter<T>(y: Argv<T>): Argv<T & { experiment: string[] | undefined }> {
  return y.option('experiment', { type: 'string', array: true, describe: 'Only these experiments of the run' });
}

/** The `experiments` option of the run functions: absent (the whole run) when --experiment is not given. */
export function experimentFilterOf(argv: { experiment: string[] | undefined }): { experiments?: string[] } {
  return argv.experiment && argv.experiment.length > 0 ? { experiments: argv.experiment } : {};
}

/** Opens the run the command names and closes its connection however `use` ends. */
export async function withOpenRun<T>(argv: RunTargetArgs, out: Output, use: (run: OpenedRun) => Promise<T>): Promise<T> {
  const run = await openRun(resultsDirOf(argv), argv.run, connectOptionsOf(argv, out));
  try {
    return await use(run);
  } finally {
    await run.transport.close();
  }
}

async function runsHandler(argv: RunCommandArgs): Promise<void> {
  const out = createOutput(argv);
  // Imported here: status, watch, fetch and cancel load this module too, and never list runs.
  const { listAllRuns, toRunJson } = await import('../runs/list-runs.js');
  const rows = await listAllRuns(resultsDirOf(argv));
  if (argv.json) {
    out.json(rows.map(toRunJson));
    return;
  }
  if (rows.length === 0) {
    out.info(`no runs in ${resultsDirOf(argv)}; submit one with \`hpcbench submit <experiment>\``);
    return;
  }
  out.data(formatRunsTable(rows));
  const broken = rows.filter((l) => 'error' in l).length;
  if (broken > 0) out.warn(`${broken} run(s) could not be read (marked BROKEN); fix or remove their run.json or manifest.json`);
}

export const runsCommand: CommandModule<GlobalOptions, RunCommandArgs> = {
  command: 'runs',
  describe: 'List the runs under results/ (newest last): submitted, run here, rendered only, and broken ones',
  builder: (y: Argv<GlobalOptions>) => addRunOptions(y),
  handler: runsHandler,
};
