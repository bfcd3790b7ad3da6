/**
 * `hpcbench submit <experiment>`: render, preflight, upload, submit in dependency order, record.
 * `--test-only` stops after the preflight checks (read-only remote commands, nothing uploaded);
 * `--dry-run` runs no remote command at all and prints the plan; `--resume <run>` continues a
 * run whose submission was interrupted, looking lost submissions up before sending anything.
 */
import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../errors.js';
import { resumeSubmission, submitExperiment, type SubmitExperimentEvent } from '../runs/submit-experiment.js';
import type { GlobalOptions } from './global-options.js';
import { createOutput, type Output } from './output.js';
import { addRunOptions, connectOptionsOf, resultsDirOf, type RunCommandArgs } from './runs.js';

interface SubmitArgs extends RunCommandArgs {
  experiment: string | undefined;
  'test-only': boolean;
  'dry-run': boolean;
  retries: number;
  set: string[];
  'run-id': string | undefined;
  resume: string | undefined;
  after: string | undefined;
}

function reportEvent(out: Output, event: SubmitExperimentEvent): void {
  switch (event.kind) {
    case 'preflight':
      for (const c of event.checks) out.info(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
      break;
    case 'uploaded':
      out.info(`uploaded ${event.files} file(s)`);
      break;
    case 'submitted':
      out.info(`submitted ${event.experiment}: job ${event.jobId}${event.recovered ? ' (found by its tag after the answer was lost)' : ''}`);
      break;
    case 'ambiguous':
      out.warn(`${event.experiment}: the answer to sbatch was lost (${event.message}); looking the job up before submitting again`);
      break;
    case 'retrying':
      out.warn(`${event.experiment}: ${event.message}; retrying in ${Math.round(event.retryInMs / 1000)} s`);
      break;
    case 'warning':
      out.warn(event.message);
      break;
    case 'building-on':
      out.info(`building on run ${event.after.run_id}: ${event.after.jobs.map((j) => `${j.experiment} job ${j.job_id} ${j.state}${event.waiting[j.experiment] ? ' (waited for with afterok)' : ''}`).join(', ')}`);
      break;
    case 'partially-submitted':
      // A submission that failed half-way leaves queued jobs: say which, and how to continue or cancel.
      out.warn(
        `${event.jobs.map((j) => `${j.experiment} (job ${j.jobId})`).join(', ')} ${event.jobs.length === 1 ? 'was' : 'were'} already submitted: ` +
          `continue with \`hpcbench submit --resume ${event.runId}\` or cancel with \`hpcbench cancel ${event.runId}\``,
      );
      break;
    default: {
      const never: never = event;
      throw new Error(`unhandled submit event ${JSON.stringify(never)}`);
    }
  }
}

async function submitHandler(argv: SubmitArgs): Promise<void> {
  const out = createOutput(argv);
  if (argv.resume !== undefined && argv.after !== undefined) {
    throw new UsageError('--after and --resume cannot be combined', `--resume continues a run as it was first submitted (its --after included); give --after only to a new submission.`);
  }
  const connect = connectOptionsOf(argv, out);
  const onEvent = (e: SubmitExperimentEvent): void => reportEvent(out, e);
  if (argv.resume !== undefined) {
    const { runId, result } = await resumeSubmission({ resultsDir: resultsDirOf(argv), run: argv.resume, connect, onEvent });
    if (argv.json) out.json({ run_id: runId, jobs: result.record.jobs.map((j) => ({ experiment: j.experiment, job_id: j.job_id ?? null })) });
    else out.data(runId);
    return;
  }
  if (argv.experiment === undefined) throw new UsageError('name the experiment to submit, or --resume <run>', 'e.g. `hpcbench submit lora`');
  const submitted = await submitExperiment({
    configOption: argv.config,
    experiment: argv.experiment,
    set: argv.set,
    ...(argv['run-id'] === undefined ? {} : { runId: argv['run-id'] }),
    ...(argv.after === undefined ? {} : { after: argv.after }),
    resultsDir: resultsDirOf(argv),
    testOnly: argv['test-only'],
    dryRun: argv['dry-run'],
    retries: argv.retries,
    connect,
    onEvent,
  });
  if (submitted.kind === 'dry-run') {
    if (argv.json) out.json({ run_id: submitted.runId, dry_run: true, plan: submitted.plan });
    else for (const line of submitted.plan) out.data(line);
    return;
  }
  const { runId, result } = submitted;
  if (argv.json) {
    out.json({
      run_id: runId,
      test_only: result.testOnly,
      ...(result.record.after ? { after: result.record.after } : {}),
      checks: result.checks,
      jobs: result.record.jobs.map((j) => ({ experiment: j.experiment, job_id: j.job_id ?? null })),
    });
  } else if (result.testOnly) {
    out.data(`preflight passed for run ${runId}; nothing was uploaded or submitted`);
  } else {
    out.data(runId);
    out.info(`follow it with \`hpcbench watch ${runId}\``);
  }
}

export const submitCommand: CommandModule<GlobalOptions, SubmitArgs> = {
  command: 'submit [experiment]',
  describe: 'Render, check, upload and submit an experiment (and those it depends on) to its cluster',
  builder: (y: Argv<GlobalOptions>) =>
    addRunOptions(y)
      .positional('experiment', { type: 'string', describe: 'Experiment name from hpcbench.yaml' })
      .option('test-only', { type: 'boolean', default: false, describe: 'Stop after the preflight checks (workdir, models in the HF cache, sbatch --test-only)' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'Print what would be uploaded and submitted; runs no remote command' })
      .option('retries', { type: 'number', default: 0, describe: 'Resubmit a job ended by NODE_FAIL/BOOT_FAIL up to N times, excluding the node (done by watch)' })
      .option('set', { type: 'string', array: true, default: [] as string[], describe: 'Override for this run, as for `hpcbench render`' })
      .option('run-id', { type: 'string', describe: 'Run id (default: YYYYMMDD-HHMMSS-<experiment>-<hex>)' })
      .option('after', {
        type: 'string',
        describe: "Build on an earlier run (id, prefix or latest): its completed jobs satisfy the experiment's depends_on instead of being submitted again; jobs still running are waited for (afterok); a failed one refuses",
      })
      .option('resume', { type: 'string', describe: 'Continue submitting an interrupted run (id, prefix or latest); never submits a job twice' }),
  handler: submitHandler,
};
