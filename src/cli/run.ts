import type { Argv, CommandModule } from 'yargs';
import { join } from 'node:path';
import { CheckFailedError, InterruptedError, UsageError } from '../errors.js';
import { runExperimentLocally } from '../local/run-experiment.js';
import type { LocalRunEvent } from '../local/run-local.js';
import type { GlobalOptions } from './global-options.js';
import { createOutput, type Output } from './output.js';
import { resultsRoot } from '../runs/run-directory.js';
import { packageVersion } from './version.js';

interface RunArgs extends GlobalOptions {
  experiment: string;
  local: boolean;
  parallel: number;
  'run-id': string | undefined;
  profile: boolean;
  set: string[];
}

function describeEvent(out: Output, event: LocalRunEvent): void {
  switch (event.kind) {
    case 'rendered':
      out.info(`run ${event.runId}: ${event.jobs} job(s) rendered into ${event.runDir}`);
      return;
    case 'task-start':
      out.info(`  ${event.experiment}/${event.task}: started (job ${event.jobId})`);
      return;
    case 'task-end': {
      const r = event.result;
      const how = r.state === 'COMPLETED' ? '' : ` (exit ${r.exit_code ?? '-'}${r.signal ? `, ${r.signal}` : ''}; see ${r.experiment}/${r.task}/job.err)`;
      out.info(`  ${r.experiment}/${r.task}: ${r.state} after ${r.elapsed_s.toFixed(1)} s${how}`);
      return;
    }
    case 'interrupting':
      out.info('interrupting: stopping the jobs, keeping partial results');
      return;
  }
}

/** Runs `use` with Ctrl-C / SIGTERM wired to an AbortSignal: a clean stop that keeps partial results. */
async function withInterruptSignals<T>(onInterrupt: () => void, use: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const stop = (): void => {
    onInterrupt();
    controller.abort();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    return await use(controller.signal);
  } finally {
    process.removeListener('SIGINT', stop);
    process.removeListener('SIGTERM', stop);
  }
}

async function handler(argv: RunArgs): Promise<void> {
  const out = createOutput(argv);
  if (!argv.local) {
    throw new UsageError('`hpcbench run` runs jobs on this machine and needs --local', 'To run on the cluster, use `hpcbench submit <experiment>`.');
  }
  const onEvent = (event: LocalRunEvent): void => describeEvent(out, event);
  const { result, metricsFile } = await runExperimentLocally({
    configOption: argv.config,
    experiment: argv.experiment,
    set: argv.set,
    resultsDir: resultsRoot(argv.config),
    runId: argv['run-id'],
    parallel: argv.parallel,
    profile: argv.profile,
    toolVersion: packageVersion(),
    interruptible: (run) => withInterruptSignals(() => onEvent({ kind: 'interrupting' }), run),
    onEvent,
  });
  if (metricsFile !== undefined) out.info(`metrics written to ${metricsFile}`);
  if (argv.json) out.json(result);
  else out.data(`${result.runId}: ${result.tasks.filter((t) => t.state === 'COMPLETED').length}/${result.tasks.length} task(s) completed (${result.runDir})`);
  if (result.interrupted) throw new InterruptedError(`run ${result.runId} was interrupted; its jobs were stopped and the partial results are in ${result.runDir}`);
  const bad = result.tasks.filter((t) => t.state !== 'COMPLETED');
  if (bad.length > 0) {
    throw new CheckFailedError(
      `${bad.length} task(s) did not complete: ${bad.map((t) => `${t.experiment}/${t.task} ${t.state}`).join(', ')}`,
      `Read the task's job.err under ${join(result.runDir, 'out')}.`,
    );
  }
}

export const runCommand: CommandModule<GlobalOptions, RunArgs> = {
  command: 'run <experiment>',
  describe: 'Run an experiment on this machine as SLURM would (--local), then profile it',
  builder: (y: Argv<GlobalOptions>) =>
    y
      .positional('experiment', { type: 'string', demandOption: true, description: 'Experiment name from hpcbench.yaml' })
      .option('local', { type: 'boolean', default: false, description: 'Run here with bash (required; use submit for a cluster)' })
      .option('parallel', { type: 'number', default: 1, description: 'Array tasks to run at once' })
      .option('run-id', { type: 'string', description: 'Run id (default: date-time-experiment-random)' })
      .option('set', { type: 'string', array: true, default: [] as string[], description: 'Override for this run, as for `hpcbench render` (key=value, repeatable)' })
      .option('profile', { type: 'boolean', default: true, description: 'Write metrics.json after the run (--no-profile to skip)' }),
  handler,
};
