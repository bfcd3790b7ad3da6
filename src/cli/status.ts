/** `hpcbench status [run]`: one squeue and at most one sacct call for every job of the run. */
import type { Argv, CommandModule } from 'yargs';
import { openRun } from '../runs/context.js';
import { formatStatusTable } from '../runs/format.js';
import { statusRun } from '../runs/status.js';
import type { GlobalOptions } from './global-options.js';
import { createOutput } from './output.js';
import { addRunOptions, connectOptionsOf, resultsDirOf, type RunCommandArgs } from './runs.js';

interface StatusArgs extends RunCommandArgs {
  run: string | undefined;
}

async function statusHandler(argv: StatusArgs): Promise<void> {
  const out = createOutput(argv);
  const run = await openRun(resultsDirOf(argv), argv.run, connectOptionsOf(argv, out));
  try {
    const result = await statusRun({ transport: run.transport, resultsDir: run.resultsDir, record: run.record });
    if (argv.json) {
      out.json(result);
      return;
    }
    out.info(`run ${result.runId} on ${result.cluster}`);
    out.data(formatStatusTable(result.rows));
    if (result.accounting === 'unavailable') out.warn(`sacct unavailable (${result.accountingMessage ?? ''}); finished jobs show their last known state`);
    for (const row of result.rows) if (row.note !== undefined) out.info(`${row.experiment}: ${row.note}`);
  } finally {
    await run.transport.close();
  }
}

export const statusCommand: CommandModule<GlobalOptions, StatusArgs> = {
  command: 'status [run]',
  describe: 'State, pending reason, elapsed time, node and exit code of every job of a run (default: latest)',
  builder: (y: Argv<GlobalOptions>) =>
    addRunOptions(y).positional('run', { type: 'string', describe: 'Run id, a unique prefix of one, or latest' }) as unknown as Argv<StatusArgs>,
  handler: statusHandler,
};
