/**
 * `hpcbench watch [run]`: follow a run to the end. Exit 0 when every job completed, 1 when any
 * failed, timed out, ran out of memory or was cancelled (with what to ask for next). Ctrl-C
 * stops watching, never the jobs; a later watch resumes from run.json.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { CheckFailedError, HpcbenchError, InterruptedError, UsageError } from '../errors.js';
import type { PlannedWork } from '../runs/live-progress.js';
import type { LiveThresholds } from '../runs/live-watch.js';
import type { JobOutcome, LiveWatchOptions, WatchEvent } from '../runs/watch.js';
import type { GlobalOptions } from './global-options.js';
import { createOutput, type Output } from './output.js';
import { addRunTarget, withOpenRun, type RunTargetArgs } from './runs.js';

// The watch loop, its formatting and the config loader are imported in the handler: a CLI that
// only asks for --help or another command never loads them.
type Formatting = typeof import('../runs/format.js') & typeof import('../runs/live-format.js') & typeof import('../runs/restarts.js');

interface WatchArgs extends RunTargetArgs {
  'pending-limit': string | undefined;
  live: boolean;
  'gpu-idle-minutes': number | undefined;
  'memory-warn': number | undefined;
}

function clock(): string {
  return new Date().toISOString().slice(11, 19);
}

function makeReporter(out: Output, live: boolean, json: boolean, fmt: Formatting): { onEvent: (e: WatchEvent) => void; finish: () => void } {
  let shown = false;
  /** Lines of the live region above the status line, erased before anything else is printed. */
  let above = 0;
  const tasks = new Map<string, string>();
  const clear = (): void => {
    if (live && shown) process.stderr.write(`\r\x1b[K${'\x1b[1A\x1b[K'.repeat(above)}`);
    shown = false;
    above = 0;
  };
  const onEvent = (event: WatchEvent): void => {
    // One JSON object per line on stdout, as it happens: a script reads them with a line reader.
    if (json) out.data(JSON.stringify(fmt.watchEventJson(event, new Date())));
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
          // The region is redrawn in place: task lines (as many as the terminal has room for)
          // above the status line, so a long watch does not scroll the terminal away.
          const room = Math.max(0, (process.stderr.rows || 24) - 4);
          const running = [...tasks.values()];
          const shownTasks = running.length > room ? [...running.slice(0, Math.max(0, room - 1)), `  … ${running.length - Math.max(0, room - 1)} more running tasks (watch --json lists them all)`] : running;
          const width = (process.stderr.columns || 120) - 1;
          clear();
          for (const line of shownTasks) process.stderr.write(`${line.slice(0, width)}\n`);
          process.stderr.write(`${clock()} ${fmt.formatProgressLine(event.jobs)}${next}`.slice(0, width));
          above = shownTasks.length;
          shown = true;
        }
        tasks.clear();
        break;
      case 'task':
        if (live) tasks.set(`${event.experiment}/${event.task}`, `  ${fmt.formatTaskLine(event)}`);
        else out.debug(`${clock()} ${fmt.formatTaskLine(event)}`);
        break;
      case 'warning':
        clear();
        out.warn(`${event.experiment}/${event.task} (job ${event.jobId}): ${event.message}`);
        break;
      case 'live-off':
        clear();
        out.warn(event.message);
        break;
      default: {
        const never: never = event;
        throw new Error(`unhandled watch event ${JSON.stringify(never)}`);
      }
    }
  };
  return { onEvent, finish: clear };
}

function printOutcomes(out: Output, jobs: readonly JobOutcome[], fmt: Formatting): void {
  out.data(
    fmt.formatTable(
      ['EXPERIMENT', 'JOB', 'STATE', 'RESTARTS', 'VERDICT'],
      jobs.map((j) => [j.experiment, j.jobId, j.state, fmt.describeRestarts(j.restarts, j.taskRestarts), j.verdict.title]),
    ),
  );
  for (const j of jobs) for (const line of fmt.outcomeAdvice(j)) out.data(`${j.experiment}: ${line}`);
}

/** Thresholds (flags first, then `watch:`) and the experiments' `estimate:` sizes, from --config, the run's copy of hpcbench.yaml or the project's (as fetch reads `fetch:`). */
async function readLiveOptions(argv: WatchArgs, runDir: string, out: Output): Promise<LiveWatchOptions> {
  const { CONFIG_FILE_NAMES, findConfigFile, loadConfigFile } = await import('../config/load.js');
  const copy = CONFIG_FILE_NAMES.map((n) => join(runDir, n)).find((f) => existsSync(f));
  const file = argv.config ?? copy ?? findConfigFile();
  type Raw = ReturnType<typeof loadConfigFile>['raw'];
  let fromConfig: NonNullable<Raw['watch']> = {};
  let experiments: Raw['experiments'] = {};
  if (file !== undefined) {
    try {
      const raw = loadConfigFile(file).raw;
      fromConfig = raw.watch ?? {};
      experiments = raw.experiments ?? {};
    } catch (error) {
      // Only a config named with --config must load: watching a run never depends on one.
      if (argv.config !== undefined || !(error instanceof HpcbenchError)) throw error;
      out.warn(`${file} could not be read, so the watch warnings use their defaults: ${error.message.split('\n')[0] ?? ''}`);
    }
  }
  const t: Partial<LiveThresholds> = {};
  const idle = argv['gpu-idle-minutes'] ?? fromConfig.gpu_idle_minutes;
  const memory = argv['memory-warn'] ?? fromConfig.memory_warn_fraction;
  if (idle !== undefined) t.gpuIdleMinutes = idle;
  if (memory !== undefined) t.memoryWarnFraction = memory;
  if (fromConfig.gpu_idle_threshold_pct !== undefined) t.gpuIdleThresholdPct = fromConfig.gpu_idle_threshold_pct;
  if (fromConfig.sstat !== undefined) t.sstat = fromConfig.sstat;
  // The experiments' `estimate:` sizes give a total to logs that name none (a plain JSONL loop).
  const planned: Record<string, PlannedWork> = {};
  for (const [name, experiment] of Object.entries(experiments ?? {})) {
    const e = experiment.estimate;
    if (!e) continue;
    const steps = e.steps ?? (e.epochs !== undefined && e.steps_per_epoch !== undefined ? Math.round(e.epochs * e.steps_per_epoch) : undefined);
    planned[name] = { ...(steps === undefined ? {} : { steps }), ...(e.items === undefined ? {} : { items: e.items }) };
  }
  return { thresholds: t, planned };
}

async function watchHandler(argv: WatchArgs): Promise<void> {
  const out = createOutput(argv);
  const { parseSlurmDuration } = await import('../slurm/index.js');
  let pendingLimitSeconds: number | undefined;
  if (argv['pending-limit'] !== undefined) {
    try {
      pendingLimitSeconds = parseSlurmDuration(argv['pending-limit']);
    } catch {
      throw new UsageError(`--pending-limit ${JSON.stringify(argv['pending-limit'])} is not a duration`, 'Use SLURM time syntax, e.g. 30 (minutes), 2:00:00 or 1-00:00:00.');
    }
  }
  const idle = argv['gpu-idle-minutes'];
  if (idle !== undefined && !(Number.isFinite(idle) && idle > 0)) {
    throw new UsageError(`--gpu-idle-minutes ${String(idle)} is not a positive number of minutes`, 'For example --gpu-idle-minutes 10.');
  }
  const memory = argv['memory-warn'];
  if (memory !== undefined && !(Number.isFinite(memory) && memory > 0 && memory <= 1)) {
    throw new UsageError(`--memory-warn ${String(memory)} is not a fraction in (0, 1]`, 'For example --memory-warn 0.9 (warn above 90 % of the limit).');
  }
  const [format, liveFormat, restarts, { watchRun }] = await Promise.all([import('../runs/format.js'), import('../runs/live-format.js'), import('../runs/restarts.js'), import('../runs/watch.js')]);
  const fmt: Formatting = { ...format, ...liveFormat, ...restarts };
  await withOpenRun(argv, out, async (run) => {
    const controller = new AbortController();
    const onSigint = (): void => controller.abort(new Error('interrupted'));
    process.once('SIGINT', onSigint);
    const live = Boolean(process.stderr.isTTY) && !argv.quiet && !argv.json;
    const reporter = makeReporter(out, live, argv.json, fmt);
    const liveOptions = argv.live ? await readLiveOptions(argv, join(run.resultsDir, run.runId), out) : undefined;
    try {
      out.info(`watching run ${run.runId} on ${run.record.cluster.name} (Ctrl-C stops watching; the jobs keep running)`);
      const result = await watchRun({
        transport: run.transport,
        resultsDir: run.resultsDir,
        runId: run.runId,
        signal: controller.signal,
        onEvent: reporter.onEvent,
        ...(liveOptions === undefined ? {} : { live: liveOptions }),
        ...(pendingLimitSeconds === undefined ? {} : { pendingLimitSeconds }),
      });
      reporter.finish();
      if (result.outcome === 'aborted') {
        throw new InterruptedError(`stopped watching run ${run.runId}; its jobs keep running`, `Resume with \`hpcbench watch ${run.runId}\`, or stop them with \`hpcbench cancel ${run.runId}\`.`);
      }
      if (argv.json) out.data(JSON.stringify({ event: 'done', at: new Date().toISOString(), run_id: run.runId, exit_code: result.exitCode, jobs: result.jobs }));
      else printOutcomes(out, result.jobs, fmt);
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
      .option('pending-limit', { type: 'string', describe: 'Cancel a job still pending after this long (SLURM time, e.g. 2:00:00), with its reason' })
      .option('live', { type: 'boolean', default: true, describe: 'Show progress, ETA, GPU and memory of running tasks, and warn (--no-live: job states only)' })
      .option('gpu-idle-minutes', { type: 'number', describe: 'Warn when every GPU of a task has been idle this long (default 10, or watch.gpu_idle_minutes)' })
      .option('memory-warn', { type: 'number', describe: 'Warn when memory passes this fraction of the limit (default 0.9, or watch.memory_warn_fraction)' }),
  handler: watchHandler,
};
