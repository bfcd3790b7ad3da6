/**
 * `hpcbench runs`: the runs recorded under results/. Also the options every run command shares
 * (--results, --accept-new-host-key) and how they become connection options.
 */
import type { Argv, CommandModule } from 'yargs';
import { readAllRuns } from '../runs/registry.js';
import { resolveResultsDir } from '../runs/context.js';
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

async function runsHandler(argv: RunCommandArgs): Promise<void> {
  const out = createOutput(argv);
  const records = await readAllRuns(resultsDirOf(argv));
  if (argv.json) {
    out.json(
      records.map((r) => ({
        run_id: r.run_id,
        cluster: r.cluster.name,
        phase: r.phase,
        created_at: r.created_at,
        experiments: r.experiments,
        jobs: r.jobs.map((j) => ({ experiment: j.experiment, job_id: j.job_id ?? null, state: j.state ?? null })),
      })),
    );
    return;
  }
  if (records.length === 0) {
    out.info(`no runs in ${resultsDirOf(argv)}; submit one with \`hpcbench submit <experiment>\``);
    return;
  }
  out.data(formatRunsTable(records));
}

export const runsCommand: CommandModule<GlobalOptions, RunCommandArgs> = {
  command: 'runs',
  describe: 'List the runs recorded under results/ (newest last)',
  builder: (y: Argv<GlobalOptions>) => addRunOptions(y),
  handler: runsHandler,
};
