/**
 * `hpcbench watch [run]`: follow a run to the end. Exit 0 when every job completed, 1 when any
 * failed, timed out, ran out of memory or was cancelled (with what to ask for next). Ctrl-C
 * stops watching, never the jobs; a later watch resumes from run.json.
 */
import type { Argv, CommandModule } from 'yargs';
import { CheckFailedError, InterruptedError, UsageError } from '../errors.js';
import { formatProgressLine, formatTable, outcomeAdvice } from '../runs/format.js';
import { describeRestarts } from '../runs/restarts.js';
import { watchRun, type JobOutcome, type WatchEvent } from '../runs/watch.js';
import { parseSlurmDuration } from '../slurm/index.js';
import type { GlobalOptions } from './global-options.js';
import { createOutput, type Output } from './output.js';
import { addRunTarget, withOpenRun, type RunTargetArgs } from './runs.js';

interface WatchArgs extends RunTargetArgs {
  'pending-limit': string | undefined;
}

function clock(): string {
  return new Date().toISOString().slice(11, 19);
}

function makeReporter(out: Output, live: boolean): { onEvent: (e: WatchEvent) => void; finish: () => void } {
  let shown = false;
  const clear = (): void => {
    if (live && shown) process.stderr.write('\r\x1b[K');
    shown = false;
  };
  const onEvent = (event: WatchEvent): void => {
    switch (event.kind) {
      case 'change':
        clear();
        out.info(`${clock()} ${event.experiment} (job ${event.jobId}): ${event.from ?? 'new'} -> ${event.to}${event.verdict.outcome === 'failure' ? ` — ${event.verdict.title}` : ''}`);
        break;
      case 'retrying':
        clear();
        out.warn(`${event.message}; next try in ${Math.round(event.retryInMs / 1000)} s`);
        break;
      case 'resubmitted':
        clear();
        out.info(`${clock()} ${event.experiment}: resubmitted as job ${event.newId} (was ${event.oldId}), excluding ${event.exclude.join(',') || 'no nodes'}`);
        break;
      case 'cancelled-pending':
        clear();
        out.warn(`${event.experiment} (job ${event.jobId}) cancelled: ${event.reason}`);
        break;
      case 'progress':
        if (live) {
          const next = event.nextPollMs === undefined ? '' : ` · next poll in ${Math.round(event.nextPollMs / 1000)} s`;
          process.stderr.write(`\r\x1b[K${clock()} ${formatProgressLine(event.jobs)}${next}`.slice(0, (process.stderr.columns || 120) - 1));
          shown = true;
        }
        break;
      default: {
        const never: never = event;
        throw new Error(`unhandled watch event ${JSON.stringify(never)}`);
      }
    }
  };
  return { onEvent, finish: clear };
}

function printOutcomes(out: Output, jobs: readonly JobOutcome[]): void {
  out.data(
    formatTable(
      ['EXPERIMENT', 'JOB', 'STATE', 'RESTARTS', 'VERDICT'],
      jobs.map((j) => [j.experiment, j.jobId, j.state, describeRestarts(j.restarts, j.taskRestarts), j.verdict.title]),
    ),
  );
  for (const j of jobs) for (const line of outcomeAdvice(j)) out.data(`${j.experiment}: ${line}`);
}

async function watchHandler(argv: WatchArgs): Promise<void> {
  const out = createOutput(argv);
  let pendingLimitSeconds: number | undefined;
  if (argv['pending-limit'] !== undefined) {
    try {
      pendingLimitSeconds = parseSlurmDuration(argv['pending-limit']);
    } catch {
      throw new UsageError(`--pending-limit ${JSON.stringify(argv['pending-limit'])} is not a duration`, 'Use SLURM time syntax, e.g. 30 (minutes), 2:00:00 or 1-00:00:00.');
    }
  }
  await withOpenRun(argv, out, async (run) => {
    const controller = new AbortController();
    const onSigint = (): void => controller.abort(new Error('interrupted'));
    process.once('SIGINT', onSigint);
    const live = Boolean(process.stderr.isTTY) && !argv.quiet && !argv.json;
    const reporter = makeReporter(out, live);
    try {
      out.info(`watching run ${run.runId} on ${run.record.cluster.name} (Ctrl-C stops watching; the jobs keep running)`);
      const result = await watchRun({
        transport: run.transport,
        resultsDir: run.resultsDir,
        runId: run.runId,
        signal: controller.signal,
        onEvent: reporter.onEvent,
        ...(pendingLimitSeconds === undefined ? {} : { pendingLimitSeconds }),
      });
      reporter.finish();
      if (result.outcome === 'aborted') {
        throw new InterruptedError(`stopped watching run ${run.runId}; its jobs keep running`, `Resume with \`hpcbench watch ${run.runId}\`, or stop them with \`hpcbench cancel ${run.runId}\`.`);
      }
      if (argv.json) out.json({ run_id: run.runId, exit_code: result.exitCode, jobs: result.jobs });
      else printOutcomes(out, result.jobs);
      if (result.exitCode !== 0) {
        const bad = result.jobs.filter((j) => j.verdict.outcome !== 'success');
        throw new CheckFailedError(
          `run ${run.runId}: ${bad.length} of ${result.jobs.length} job(s) did not complete (${bad.map((j) => `${j.experiment} ${j.state}`).join(', ')})`,
          'See the advice above; `hpcbench fetch` brings the logs home.',
        );
      }
    } finally {
      process.removeListener('SIGINT', onSigint);
    }
  });
}

export const watchCommand: CommandModule<GlobalOptions, WatchArgs> = {
  command: 'watch [run]',
  describe: 'Follow a run until every job ends: exit 0 all completed, 1 any failed/timed out/out of memory/cancelled',
  builder: (y: Argv<GlobalOptions>) =>
    addRunTarget(y)
      .option('pending-limit', { type: 'string', describe: 'Cancel a job still pending after this long (SLURM time, e.g. 2:00:00), with its reason' }) as unknown as Argv<WatchArgs>,
  handler: watchHandler,
};
