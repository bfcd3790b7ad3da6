/**
 * `hpcbench resubmit <run>`: submits again only the jobs and array tasks that did not complete
 * (same task ids, so results land where the completed tasks' results already are), holding the
 * run lock. `--dry-run` asks SLURM what ended how (squeue, sacct) and prints the plan; nothing is
 * submitted or written.
 */
import type { Argv, CommandModule } from 'yargs';
import { describeResubmission, resubmitRun } from '../runs/resubmit.js';
import type { GlobalOptions } from './global-options.js';
import { withLockedRun } from './locked-run.js';
import { createOutput } from './output.js';
import { addRunTarget, type RunTargetArgs } from './runs.js';

interface ResubmitArgs extends RunTargetArgs {
  'dry-run': boolean;
}

async function resubmitHandler(argv: ResubmitArgs): Promise<void> {
  const out = createOutput(argv);
  await withLockedRun(argv, out, 'hpcbench resubmit', async (run) => {
    const { plan, submitted } = await resubmitRun(run.record, {
      transport: run.transport,
      resultsDir: run.resultsDir,
      dryRun: argv['dry-run'],
      onEvent: (e) => {
        if (e.kind === 'retrying' || e.kind === 'ambiguous') out.warn(`${e.experiment}: ${e.message}`);
      },
    });
    if (argv.json) {
      out.json({ ...plan, dry_run: argv['dry-run'], submitted });
      return;
    }
    const verb = argv['dry-run'] ? 'would resubmit' : 'resubmitted';
    for (const p of plan.resubmit) out.data(`${verb} ${describeResubmission(p)}${submitted[p.experiment] ? `: job ${submitted[p.experiment] ?? ''}` : ''}`);
    for (const u of plan.update_dependency) out.data(`${argv['dry-run'] ? 'would point' : 'pointed'} ${u.experiment} (job ${u.job_id}, pending) at the new ${u.waits_for.join(', ')} (scontrol update)`);
    for (const r of plan.running) out.info(`left ${r.experiment} (job ${r.job_id}) alone: ${r.tasks} task(s) still queued or running`);
    if (plan.unsubmitted.length > 0) out.warn(`never submitted: ${plan.unsubmitted.join(', ')}; continue with \`hpcbench submit --resume ${run.runId}\``);
    if (plan.resubmit.length === 0) out.info(`nothing to resubmit in run ${run.runId}: ${plan.completed.length > 0 ? `${plan.completed.join(', ')} completed` : 'no job ended without completing'}`);
    else if (!argv['dry-run']) out.info(`follow it with \`hpcbench watch ${run.runId}\``);
  });
}

export const resubmitCommand: CommandModule<GlobalOptions, ResubmitArgs> = {
  command: 'resubmit [run]',
  describe: 'Submit again only the jobs and array tasks of a run that did not complete (same task ids; completed results untouched)',
  builder: (y: Argv<GlobalOptions>) =>
    addRunTarget(y).option('dry-run', {
      type: 'boolean',
      default: false,
      describe: 'Show what would be resubmitted (asks squeue/sacct only); submits and writes nothing',
    }),
  handler: resubmitHandler,
};
