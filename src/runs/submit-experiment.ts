/**
 * The submit use case: from hpcbench.yaml and an experiment name to submitted jobs recorded in
 * run.json (render, preflight, upload, submit in dependency order), or, with `--resume`, the rest
 * of an interrupted submission. Returns data and reports progress as events; printing is the
 * caller's (the CLI's) business.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadConfigText, resolveConfigPath } from '../config/index.js';
import { UsageError } from '../errors.js';
import { applySetOverrides, parseSetArgument, renderRun, writeRun } from '../render/index.js';
import { loadCheckedConfigText } from '../render/check-config.js';
import { checkAfterRunJobs, planAfterRun, type AfterRunJobs, type AfterRunPlan } from './after-run.js';
import { connectCluster, describeRunCluster, type ConnectClusterOptions } from './connect.js';
import { withRunLock } from './lock.js';
import { withLockedRun } from './locked-run.js';
import { parseSubmitManifest, readSubmitManifest } from './manifest-file.js';
import { readRunRecord, resolveRunId, runDirectory } from './registry.js';
import type { RunRecord } from './run-record.js';
import { describeSubmitPlan, submitRun, type SubmitEvent, type SubmitRunResult } from './submit.js';

/** What a submission reports besides the steps of submitRun. */
export type SubmitExperimentEvent =
  | SubmitEvent
  | { kind: 'warning'; message: string }
  | { kind: 'building-on'; after: AfterRunJobs['after']; waiting: AfterRunJobs['waiting'] }
  /** The submission failed after these jobs were queued: they are still there. */
  | { kind: 'partially-submitted'; runId: string; jobs: { experiment: string; jobId: string }[] };

export interface SubmitExperimentOptions {
  /** --config: the file, or undefined to search upward from the working directory. */
  configOption: string | undefined;
  experiment: string;
  /** `--set key=value` overrides, as render applies them. */
  set: readonly string[];
  runId?: string;
  /** An earlier run (id, prefix or latest) whose completed jobs stand in for dependencies. */
  after?: string;
  resultsDir: string;
  testOnly: boolean;
  /** Runs no remote command at all: the result is the plan. */
  dryRun: boolean;
  retries: number;
  connect: ConnectClusterOptions;
  onEvent: (event: SubmitExperimentEvent) => void;
}

export type SubmitExperimentResult =
  | { kind: 'dry-run'; runId: string; plan: string[] }
  | { kind: 'submitted'; runId: string; result: SubmitRunResult };

/** `--after <run>`: the earlier run and which dependencies it stands in for; undefined without it. */
async function planAfter(options: SubmitExperimentOptions, config: Parameters<typeof planAfterRun>[0]): Promise<{ earlier: RunRecord; plan: AfterRunPlan } | undefined> {
  if (options.after === undefined) return undefined;
  const earlier = await readRunRecord(options.resultsDir, await resolveRunId(options.resultsDir, options.after));
  return { earlier, plan: planAfterRun(config, options.experiment, earlier) };
}

/** The dry-run line for --after: which earlier jobs stand in, without asking the cluster their state. */
function describeAfterPlan(earlier: RunRecord, plan: AfterRunPlan): string {
  const jobs = plan.satisfied.map((name) => `${name} (job ${earlier.jobs.find((j) => j.experiment === name)?.job_id ?? '?'})`).join(', ');
  return `build on run ${earlier.run_id}: ${jobs} not submitted again; at submission their state is checked (completed: no dependency; still running: afterok; failed: refused)`;
}

/** The jobs of a run that were queued before its submission failed. */
async function findQueuedJobs(resultsDir: string, runId: string): Promise<{ experiment: string; jobId: string }[]> {
  const record = await readRunRecord(resultsDir, runId).catch(() => undefined);
  return (record?.jobs ?? []).flatMap((j) => (j.job_id === undefined ? [] : [{ experiment: j.experiment, jobId: j.job_id }]));
}

export async function submitExperiment(options: SubmitExperimentOptions): Promise<SubmitExperimentResult> {
  const { experiment, onEvent } = options;
  if (options.after !== undefined && options.runId !== undefined && options.runId === options.after) throw new UsageError(`--after ${options.after}: a run cannot be built on itself`);
  if (!Number.isInteger(options.retries) || options.retries < 0) throw new UsageError(`--retries ${String(options.retries)} must be a whole number ≥ 0`);
  const configPath = resolveConfigPath(options.configOption);
  // SSH settings (identity files, known_hosts) are relative to the config file; workload files to
  // the project directory (the config's root:, which render also uses).
  const root = dirname(configPath);
  const text = applySetOverrides(readFileSync(configPath, 'utf8'), experiment, options.set.map(parseSetArgument));
  // One pass: every resolve and preflight problem at once, as config check reports them. With
  // --after the dependencies the earlier run provides are left out first, so only the loader runs.
  const loaded = options.after === undefined ? loadCheckedConfigText(text, configPath, root, experiment) : loadConfigText(text, configPath, root);
  const afterRun = await planAfter(options, loaded);
  // With --after, the dependencies the earlier run provides are left out of the render.
  const config = afterRun?.plan.config ?? loaded;
  const rendered = renderRun(config, experiment, options.runId !== undefined ? { runId: options.runId } : {});
  for (const warning of rendered.warnings) onEvent({ kind: 'warning', message: warning });
  const manifest = parseSubmitManifest(JSON.stringify(rendered.manifest), 'manifest.json');
  const clusterNames = [...new Set(manifest.jobs.map((j) => j.cluster))];
  if (clusterNames.length !== 1) {
    throw new UsageError(`the experiments of this run use several clusters (${clusterNames.join(', ')})`, 'Submit experiments that run on different clusters separately.');
  }
  const cluster = config.clusters[clusterNames[0] as string];
  if (!cluster) throw new UsageError(`cluster ${clusterNames[0] ?? ''} is not in ${configPath}`);
  const runCluster = describeRunCluster(cluster, root);
  if (afterRun && afterRun.earlier.cluster.name !== runCluster.name) {
    throw new UsageError(`--after ${afterRun.earlier.run_id}: that run is on cluster ${afterRun.earlier.cluster.name}, ${experiment} runs on ${runCluster.name}`, 'Build only on a run of the same cluster.');
  }
  if (options.dryRun) {
    // No remote command at all: only what would be done.
    const plan = [...(afterRun ? [describeAfterPlan(afterRun.earlier, afterRun.plan)] : []), ...describeSubmitPlan(manifest, runCluster, options.retries)];
    return { kind: 'dry-run', runId: manifest.run_id, plan };
  }
  const { resultsDir } = options;
  const runDir = join(resultsDir, manifest.run_id);
  // Connecting is lazy: nothing reaches the cluster before the lock unless --after asks it.
  const transport = connectCluster(runCluster, { ...options.connect, root });
  try {
    // Checked before the run directory exists: a failed earlier job refuses the submission (exit 2).
    const after = afterRun ? await checkAfterRunJobs(transport, afterRun.earlier, afterRun.plan.satisfied) : undefined;
    if (after) onEvent({ kind: 'building-on', after: after.after, waiting: after.waiting });
    // Held from before the scripts are written until run.json records every job id: a second
    // submit of the same run (a double-click, two terminals) is refused instead of submitting twice.
    return await withRunLock(runDir, { command: 'hpcbench submit', runId: manifest.run_id, onWarning: (w) => onEvent({ kind: 'warning', message: w }) }, async () => {
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
        testOnly: options.testOnly,
        retries: options.retries,
        ...(after && afterRun ? { after: { after: after.after, waiting: after.waiting, dependsOnEarlier: afterRun.plan.dependsOnEarlier } } : {}),
        onEvent,
      }).catch(async (error: unknown) => {
        const queued = await findQueuedJobs(resultsDir, manifest.run_id);
        if (queued.length > 0) onEvent({ kind: 'partially-submitted', runId: manifest.run_id, jobs: queued });
        throw error;
      });
      return { kind: 'submitted' as const, runId: manifest.run_id, result };
    });
  } finally {
    await transport.close();
  }
}

export interface ResumeSubmissionOptions {
  resultsDir: string;
  /** Run id, a unique prefix of one, or latest. */
  run: string | undefined;
  connect: ConnectClusterOptions;
  onEvent: (event: SubmitExperimentEvent) => void;
}

/** `submit --resume`: the rest of an interrupted submission, looking lost submissions up first. */
export async function resumeSubmission(options: ResumeSubmissionOptions): Promise<{ runId: string; result: SubmitRunResult }> {
  const { resultsDir, onEvent } = options;
  const lock = { resultsDir, run: options.run, connect: options.connect, command: 'hpcbench submit --resume', onWarning: (w: string) => onEvent({ kind: 'warning', message: w }) };
  return withLockedRun(lock, async ({ transport, runId, record }) => {
    const manifest = await readSubmitManifest(runDirectory(resultsDir, runId));
    const result = await submitRun({ transport, resultsDir, manifest, cluster: record.cluster, skipPreflight: true, onEvent });
    return { runId, result };
  });
}
