/**
 * `hpcbench submit <experiment>`: render, preflight, upload, submit in dependency order, record.
 * `--test-only` stops after the preflight checks (read-only remote commands, nothing uploaded);
 * `--dry-run` runs no remote command at all and prints the plan; `--resume <run>` continues a
 * run whose submission was interrupted, looking lost submissions up before sending anything.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { loadConfigText, resolveConfigPath } from '../config/index.js';
import { UsageError } from '../errors.js';
import { applySetOverrides, parseSetArgument, renderRun, writeRun } from '../render/index.js';
import { connectCluster, describeRunCluster } from '../runs/connect.js';
import { parseSubmitManifest, readSubmitManifest } from '../runs/manifest-file.js';
import { withRunLock } from '../runs/lock.js';
import { readRunRecord, resolveRunId, runDirectory } from '../runs/registry.js';
import { loadCheckedConfigText } from '../render/check-config.js';
import { checkAfterRunJobs, planAfterRun, type AfterRunPlan } from '../runs/after-run.js';
import type { RunRecord } from '../runs/run-record.js';
import { describeSubmitPlan, submitRun, type SubmitEvent } from '../runs/submit.js';
import type { GlobalOptions } from './global-options.js';
import { createOutput, type Output } from './output.js';
import { withLockedRun } from './locked-run.js';
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

/** `--after <run>`: the earlier run and which dependencies it stands in for; undefined without the flag. */
async function planAfter(argv: SubmitArgs, config: Parameters<typeof planAfterRun>[0], experiment: string): Promise<{ earlier: RunRecord; plan: AfterRunPlan } | undefined> {
  if (argv.after === undefined) return undefined;
  const resultsDir = resultsDirOf(argv);
  const earlier = await readRunRecord(resultsDir, await resolveRunId(resultsDir, argv.after));
  return { earlier, plan: planAfterRun(config, experiment, earlier) };
}

function reportEvent(out: Output, event: SubmitEvent): void {
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
    default: {
      const never: never = event;
      throw new Error(`unhandled submit event ${JSON.stringify(never)}`);
    }
  }
}

/** A submission that failed half-way leaves queued jobs: say which, and how to continue or cancel. */
async function warnPartialSubmission(out: Output, resultsDir: string, runId: string): Promise<void> {
  const record = await readRunRecord(resultsDir, runId).catch(() => undefined);
  const queued = record?.jobs.filter((j) => j.job_id !== undefined) ?? [];
  if (queued.length === 0) return;
  out.warn(
    `${queued.map((j) => `${j.experiment} (job ${j.job_id ?? ''})`).join(', ')} ${queued.length === 1 ? 'was' : 'were'} already submitted: ` +
      `continue with \`hpcbench submit --resume ${runId}\` or cancel with \`hpcbench cancel ${runId}\``,
  );
}

async function resumeHandler(argv: SubmitArgs, out: Output): Promise<void> {
  await withLockedRun({ ...argv, run: argv.resume }, out, 'hpcbench submit --resume', async ({ transport, resultsDir, runId, record }) => {
    const manifest = await readSubmitManifest(runDirectory(resultsDir, runId));
    const result = await submitRun({ transport, resultsDir, manifest, cluster: record.cluster, skipPreflight: true, onEvent: (e) => reportEvent(out, e) });
    if (argv.json) out.json({ run_id: runId, jobs: result.record.jobs.map((j) => ({ experiment: j.experiment, job_id: j.job_id ?? null })) });
    else out.data(runId);
  });
}

async function submitHandler(argv: SubmitArgs): Promise<void> {
  const out = createOutput(argv);
  if (argv.resume !== undefined && argv.after !== undefined) {
    throw new UsageError('--after and --resume cannot be combined', `--resume continues a run as it was first submitted (its --after included); give --after only to a new submission.`);
  }
  if (argv.resume !== undefined) return resumeHandler(argv, out);
  if (argv.experiment === undefined) throw new UsageError('name the experiment to submit, or --resume <run>', 'e.g. `hpcbench submit lora`');
  if (argv.after !== undefined && argv['run-id'] !== undefined && argv['run-id'] === argv.after) throw new UsageError(`--after ${argv.after}: a run cannot be built on itself`);
  if (!Number.isInteger(argv.retries) || argv.retries < 0) throw new UsageError(`--retries ${String(argv.retries)} must be a whole number ≥ 0`);
  const configPath = resolveConfigPath(argv.config);
  // SSH settings (identity files, known_hosts) are relative to the config file; workload files to
  // the project directory (the config's root:, which render also uses).
  const root = dirname(configPath);
  const text = applySetOverrides(readFileSync(configPath, 'utf8'), argv.experiment, argv.set.map(parseSetArgument));
  // One pass: every resolve and preflight problem at once, as config check reports them. With
  // --after the dependencies the earlier run provides are left out first, so only the loader runs.
  const loaded = argv.after === undefined ? loadCheckedConfigText(text, configPath, root, argv.experiment) : loadConfigText(text, configPath, root);
  const afterRun = await planAfter(argv, loaded, argv.experiment);
  // With --after, the dependencies the earlier run provides are left out of the render.
  const config = afterRun?.plan.config ?? loaded;
  const rendered = renderRun(config, argv.experiment, argv['run-id'] !== undefined ? { runId: argv['run-id'] } : {});
  for (const warning of rendered.warnings) out.warn(warning);
  const manifest = parseSubmitManifest(JSON.stringify(rendered.manifest), 'manifest.json');
  const clusterNames = [...new Set(manifest.jobs.map((j) => j.cluster))];
  if (clusterNames.length !== 1) {
    throw new UsageError(`the experiments of this run use several clusters (${clusterNames.join(', ')})`, 'Submit experiments that run on different clusters separately.');
  }
  const cluster = config.clusters[clusterNames[0] as string];
  if (!cluster) throw new UsageError(`cluster ${clusterNames[0] ?? ''} is not in ${configPath}`);
  const runCluster = describeRunCluster(cluster, root);
  if (afterRun && afterRun.earlier.cluster.name !== runCluster.name) {
    throw new UsageError(`--after ${afterRun.earlier.run_id}: that run is on cluster ${afterRun.earlier.cluster.name}, ${argv.experiment} runs on ${runCluster.name}`, 'Build only on a run of the same cluster.');
  }
  if (argv['dry-run']) {
    // No remote command at all: only what would be done.
    const lines = [
      ...(afterRun ? [describeAfterPlan(afterRun.earlier, afterRun.plan)] : []),
      ...describeSubmitPlan(manifest, runCluster, argv.retries),
    ];
    if (argv.json) out.json({ run_id: manifest.run_id, dry_run: true, plan: lines });
    else for (const line of lines) out.data(line);
    return;
  }
  const resultsDir = resultsDirOf(argv);
  const runDir = join(resultsDir, manifest.run_id);
  // Connecting is lazy: nothing reaches the cluster before the lock unless --after asks it.
  const transport = connectCluster(runCluster, { ...connectOptionsOf(argv, out), root });
  try {
    // Checked before the run directory exists: a failed earlier job refuses the submission (exit 2).
    const after = afterRun ? await checkAfterRunJobs(transport, afterRun.earlier, afterRun.plan.satisfied) : undefined;
    if (after) out.info(`building on run ${after.after.run_id}: ${after.after.jobs.map((j) => `${j.experiment} job ${j.job_id} ${j.state}${after.waiting[j.experiment] ? ' (waited for with afterok)' : ''}`).join(', ')}`);
    // Held from before the scripts are written until run.json records every job id: a second
    // submit of the same run (a double-click, two terminals) is refused instead of submitting twice.
    await withRunLock(runDir, { command: 'hpcbench submit', runId: manifest.run_id, onWarning: (w) => out.warn(w) }, async () => {
      const models = [...new Set(manifest.experiments.flatMap((name) => config.experiments[name]?.models ?? []))];
      writeRun(runDir, rendered, { copyFilesFrom: config.root });
      const result = await submitRun({
        transport,
        resultsDir,
        runDir,
        manifest,
        cluster: runCluster,
        hfCache: cluster.hf_cache,
        models,
        configRoot: config.root,
        configFile: configPath,
        testOnly: argv['test-only'],
        retries: argv.retries,
        ...(after && afterRun ? { after: { after: after.after, waiting: after.waiting, dependsOnEarlier: afterRun.plan.dependsOnEarlier } } : {}),
        onEvent: (e) => reportEvent(out, e),
      }).catch(async (error: unknown) => {
        await warnPartialSubmission(out, resultsDir, manifest.run_id);
        throw error;
      });
      if (argv.json) {
        out.json({
          run_id: manifest.run_id,
          test_only: result.testOnly,
          ...(result.record.after ? { after: result.record.after } : {}),
          checks: result.checks,
          jobs: result.record.jobs.map((j) => ({ experiment: j.experiment, job_id: j.job_id ?? null })),
        });
      } else if (result.testOnly) {
        out.data(`preflight passed for run ${manifest.run_id}; nothing was uploaded or submitted`);
      } else {
        out.data(manifest.run_id);
        out.info(`follow it with \`hpcbench watch ${manifest.run_id}\``);
      }
    });
  } finally {
    await transport.close();
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
      .option('resume', { type: 'string', describe: 'Continue submitting an interrupted run (id, prefix or latest); never submits a job twice' }) as unknown as Argv<SubmitArgs>,
  handler: submitHandler,
};

/** The dry-run line for --after: which earlier jobs stand in, without asking the cluster their state. */
function describeAfterPlan(earlier: RunRecord, plan: AfterRunPlan): string {
  const jobs = plan.satisfied.map((name) => `${name} (job ${earlier.jobs.find((j) => j.experiment === name)?.job_id ?? '?'})`).join(', ');
  return `build on run ${earlier.run_id}: ${jobs} not submitted again; at submission their state is checked (completed: no dependency; still running: afterok; failed: refused)`;
}
