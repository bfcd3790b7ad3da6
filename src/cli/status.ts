/** `hpcbench status [run]`: one squeue and at most one sacct call for every job of the run. */
import type { Argv, CommandModule } from 'yargs';
import type { GlobalOptions } from './global-options.js';
import { createOutput } from './output.js';
import { addRunTarget, withOpenRun, type RunTargetArgs } from './runs.js';

export async function statusHandler(argv: RunTargetArgs): Promise<void> {
  const out = createOutput(argv);
  await withOpenRun(argv, out, async (run) => {
    // The SSH handshake mostly waits on the network, loading the status code is CPU: both at once.
    const [{ statusRun }, { formatStatusTable }] = await Promise.all([import('../runs/status.js'), import('../runs/format.js'), run.transport.connect()]);
    const result = await statusRun({ transport: run.transport, resultsDir: run.resultsDir, record: run.record });
    if (argv.json) {
      out.json(result);
      return;
    }
    out.info(`run ${result.runId} on ${result.cluster}`);
    out.data(formatStatusTable(result.rows));
    if (result.accounting === 'unavailable') out.warn(`sacct unavailable (${result.accountingMessage ?? ''}); finished jobs show their last known state`);
    for (const row of result.rows) if (row.note !== undefined) out.info(`${row.experiment}: ${row.note}`);
    // Why a checkpointing job stopped requeueing itself is the answer the user came for: data, not a log line.
    for (const row of result.rows) for (const line of row.advice ?? []) out.data(`${row.experiment}: ${line}`);
  });
}

export const statusCommand: CommandModule<GlobalOptions, RunTargetArgs> = {
  command: 'status [run]',
  describe: 'State, pending reason, elapsed time, node and exit code of every job of a run (default: latest)',
  builder: (y: Argv<GlobalOptions>) =>
    addRunTarget(y),
  handler: statusHandler,
};
