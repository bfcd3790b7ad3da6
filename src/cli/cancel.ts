/** `hpcbench cancel [run]`: one scancel for the jobs of the run that can still change. */
import type { Argv, CommandModule } from 'yargs';
import { cancelRun } from '../runs/cancel.js';
import type { GlobalOptions } from './global-options.js';
import { createOutput } from './output.js';
import { withLockedRun } from './locked-run.js';
import { addExperimentFilter, addRunTarget, experimentFilterOf, type RunTargetArgs } from './runs.js';

interface CancelArgs extends RunTargetArgs {
  experiment: string[] | undefined;
}

async function cancelHandler(argv: CancelArgs): Promise<void> {
  const out = createOutput(argv);
  await withLockedRun(argv, out, 'hpcbench cancel', async (run) => {
    const result = await cancelRun({
      transport: run.transport,
      resultsDir: run.resultsDir,
      record: run.record,
      ...experimentFilterOf(argv),
    });
    if (argv.json) {
      out.json({ run_id: run.runId, ...result });
      return;
    }
    for (const c of result.cancelled) out.data(`cancelled ${c.experiment} (job ${c.jobId})`);
    for (const s of result.skipped) out.info(`left ${s.experiment} (job ${s.jobId}) alone: already ${s.state}`);
    if (result.cancelled.length === 0) out.info(`nothing to cancel in run ${run.runId}`);
  });
}

export const cancelCommand: CommandModule<GlobalOptions, CancelArgs> = {
  command: 'cancel [run]',
  describe: 'Cancel the jobs of a run that have not finished (default: latest run)',
  builder: (y: Argv<GlobalOptions>) =>
    addExperimentFilter(addRunTarget(y)),
  handler: cancelHandler,
};
