/** `hpcbench cancel [run]`: one scancel for the jobs of the run that can still change. */
import type { Argv, CommandModule } from 'yargs';
import { cancelRun } from '../runs/cancel.js';
import { openRun } from '../runs/context.js';
import type { GlobalOptions } from './global-options.js';
import { createOutput } from './output.js';
import { addRunOptions, connectOptionsOf, resultsDirOf, type RunCommandArgs } from './runs.js';

interface CancelArgs extends RunCommandArgs {
  run: string | undefined;
  experiment: string[] | undefined;
}

async function cancelHandler(argv: CancelArgs): Promise<void> {
  const out = createOutput(argv);
  const run = await openRun(resultsDirOf(argv), argv.run, connectOptionsOf(argv, out));
  try {
    const result = await cancelRun({
      transport: run.transport,
      resultsDir: run.resultsDir,
      record: run.record,
      ...(argv.experiment && argv.experiment.length > 0 ? { experiments: argv.experiment } : {}),
    });
    if (argv.json) {
      out.json({ run_id: run.runId, ...result });
      return;
    }
    for (const c of result.cancelled) out.data(`cancelled ${c.experiment} (job ${c.jobId})`);
    for (const s of result.skipped) out.info(`left ${s.experiment} (job ${s.jobId}) alone: already ${s.state}`);
    if (result.cancelled.length === 0) out.info(`nothing to cancel in run ${run.runId}`);
  } finally {
    await run.transport.close();
  }
}

export const cancelCommand: CommandModule<GlobalOptions, CancelArgs> = {
  command: 'cancel [run]',
  describe: 'Cancel the jobs of a run that have not finished (default: latest run)',
  builder: (y: Argv<GlobalOptions>) =>
    addRunOptions(y)
      .positional('run', { type: 'string', describe: 'Run id, a unique prefix of one, or latest' })
      .option('experiment', { type: 'string', array: true, describe: 'Only these experiments of the run' }) as unknown as Argv<CancelArgs>,
  handler: cancelHandler,
};
