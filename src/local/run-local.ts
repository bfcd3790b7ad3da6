/**
 * `hpcbench run --local`: runs rendered job scripts with bash on this machine as SLURM would run
 * them — SLURM_* variables set, #SBATCH lines left as the comments they are to bash, the time
 * limit enforced (with the checkpoint signal sent ahead of it), dependencies honoured (a failed
 * dependency skips its dependents, like afterok) — and samples each job's process tree.
 * Results land in the same layout as a cluster run, so profile and report work unchanged.
 */
import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { ResolvedConfig } from '../config/index.js';
import { withRunLock } from '../runs/lock.js';
import { writeRunRecord } from '../runs/registry.js';
import type { RunRecord } from '../runs/run-record.js';
import { renderRun, writeRun, type RenderedRun } from '../render/render-run.js';
import type { ManifestJob, RunManifest } from '../render/manifest.js';
import { listDescendants, sampleProcessTree, writeProcessSamples } from '../profile/process-sampler.js';

export type LocalTaskState = 'COMPLETED' | 'FAILED' | 'TIMEOUT' | 'CANCELLED' | 'SKIPPED';

export interface LocalTaskResult {
  experiment: string;
  task: string;
  job_id: string;
  state: LocalTaskState;
  exit_code: number | null;
  signal: string | null;
  started_at: string;
  ended_at: string;
  elapsed_s: number;
  reason?: string;
}

export type LocalRunEvent =
  | { kind: 'rendered'; runId: string; runDir: string; jobs: number }
  | { kind: 'task-start'; experiment: string; task: string; jobId: string }
  | { kind: 'task-end'; result: LocalTaskResult }
  | { kind: 'interrupting' };

export interface LocalRunOptions {
  config: ResolvedConfig;
  experiment: string;
  resultsDir: string;
  runId?: string;
  /** Array tasks run at once (default 1: one after another). */
  parallel?: number;
  /** Ctrl-C / SIGTERM: children get SIGTERM, then SIGKILL after graceMs; partial results are kept. */
  signal?: AbortSignal;
  graceMs?: number;
  sampleIntervalMs?: number;
  onEvent?: (event: LocalRunEvent) => void;
  now?: () => Date;
}

export interface LocalRunResult {
  runId: string;
  runDir: string;
  manifest: RunManifest;
  tasks: LocalTaskResult[];
  interrupted: boolean;
}

let jobCounter = 0;
/** Fake but plausible SLURM job ids, unique within this process. */
function nextJobId(): string {
  jobCounter += 1;
  return String(900000 + ((process.pid * 10 + jobCounter) % 99999));
}

interface TaskSpec {
  job: ManifestJob;
  task: string;
  jobId: string;
  arrayJobId: string | undefined;
}

function slurmEnvironment(spec: TaskSpec, runDir: string, config: ResolvedConfig): NodeJS.ProcessEnv {
  const exp = config.experiments[spec.job.experiment];
  const r = exp?.resources;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HPCBENCH_RUN_DIR: runDir,
    HPCBENCH_LOCAL: '1',
    SLURM_JOB_ID: spec.jobId,
    SLURM_JOBID: spec.jobId,
    SLURM_JOB_NAME: spec.job.job_name,
    SLURM_SUBMIT_DIR: runDir,
    SLURM_JOB_PARTITION: spec.job.partition,
    SLURM_CLUSTER_NAME: spec.job.cluster,
    SLURM_JOB_NUM_NODES: '1',
    SLURM_NNODES: '1',
    SLURM_JOB_NODELIST: hostname(),
    SLURM_NODELIST: hostname(),
    SLURMD_NODENAME: hostname(),
    SLURM_NTASKS: String(r?.ntasks_per_node ?? 1),
    SLURM_NTASKS_PER_NODE: String(r?.ntasks_per_node ?? 1),
    SLURM_CPUS_PER_TASK: String(r?.cpus_per_task ?? 1),
    SLURM_CPUS_ON_NODE: String((r?.cpus_per_task ?? 1) * (r?.ntasks_per_node ?? 1)),
    SLURM_RESTART_COUNT: '0',
  };
  if (r?.mem_mib !== undefined) env.SLURM_MEM_PER_NODE = String(r.mem_mib);
  if (r && r.gpus_per_node > 0) env.SLURM_GPUS_ON_NODE = String(r.gpus_per_node);
  if (spec.arrayJobId !== undefined) {
    env.SLURM_ARRAY_JOB_ID = spec.arrayJobId;
    env.SLURM_ARRAY_TASK_ID = spec.task;
    env.SLURM_ARRAY_TASK_MIN = '0';
    env.SLURM_ARRAY_TASK_MAX = String((spec.job.array?.size ?? 1) - 1);
    env.SLURM_ARRAY_TASK_COUNT = String(spec.job.array?.size ?? 1);
  }
  return env;
}

function trySignal(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

/**
 * Stops a job as scancel does: every process of it, not only the batch shell. The job script puts
 * its workload in a process group of its own (so that it can forward signals), so signalling the
 * shell's group is not enough: the whole tree is collected first and each process signalled; the
 * pids are remembered, so the final SIGKILL also reaches processes orphaned in between.
 */
async function stopTree(pid: number | undefined, graceMs: number, timers: NodeJS.Timeout[]): Promise<void> {
  if (pid === undefined) return;
  const tree = [pid, ...(await listDescendants(pid).catch(() => [] as number[]))];
  trySignal(-pid, 'SIGTERM');
  for (const p of tree) trySignal(p, 'SIGTERM');
  timers.push(
    setTimeout(() => {
      trySignal(-pid, 'SIGKILL');
      for (const p of tree) trySignal(p, 'SIGKILL');
    }, graceMs),
  );
}

async function runTask(spec: TaskSpec, runDir: string, options: LocalRunOptions, aborted: () => boolean): Promise<LocalTaskResult> {
  const now = options.now ?? (() => new Date());
  const started = now();
  const outDir = join(runDir, spec.job.out_dir, spec.task);
  const stdout = openSync(join(outDir, 'job.out'), 'a');
  const stderr = openSync(join(outDir, 'job.err'), 'a');
  const exp = options.config.experiments[spec.job.experiment];
  const limitMs = (exp?.resources.time_s ?? 3600) * 1000;
  const child = spawn('bash', [join(runDir, spec.job.script)], {
    cwd: runDir,
    env: slurmEnvironment(spec, runDir, options.config),
    stdio: ['ignore', stdout, stderr],
    detached: true,
  });
  closeSync(stdout);
  closeSync(stderr);
  options.onEvent?.({ kind: 'task-start', experiment: spec.job.experiment, task: spec.task, jobId: spec.jobId });
  let timedOut = false;
  let cancelled = false;
  const timers: NodeJS.Timeout[] = [];
  if (exp?.checkpoint.enabled) {
    // --signal=B:USR1@N: the batch shell gets the signal N seconds before the limit.
    const at = Math.max(0, limitMs - exp.checkpoint.seconds_before * 1000);
    timers.push(setTimeout(() => child.pid !== undefined && process.kill(child.pid, exp.checkpoint.signal === 'INT' ? 'SIGINT' : `SIG${exp.checkpoint.signal}` as NodeJS.Signals), at));
  }
  timers.push(
    setTimeout(() => {
      timedOut = true;
      void stopTree(child.pid, options.graceMs ?? 30_000, timers);
    }, limitMs),
  );
  const onAbort = (): void => {
    cancelled = true;
    void stopTree(child.pid, options.graceMs ?? 10_000, timers);
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (aborted()) onAbort();
  const sampling = new AbortController();
  const samples =
    child.pid === undefined
      ? undefined
      : sampleProcessTree({ rootPid: child.pid, intervalMs: options.sampleIntervalMs ?? 500, signal: sampling.signal }).catch(() => undefined);
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
    child.on('error', () => resolve({ code: 127, signal: null }));
  });
  for (const t of timers) clearTimeout(t);
  options.signal?.removeEventListener('abort', onAbort);
  sampling.abort();
  const recorded = await samples;
  if (recorded && recorded.timeMs.length > 0) await writeProcessSamples(join(outDir, 'process.json'), recorded);
  const ended = now();
  const state: LocalTaskState = cancelled ? 'CANCELLED' : timedOut ? 'TIMEOUT' : exit.code === 0 ? 'COMPLETED' : 'FAILED';
  return {
    experiment: spec.job.experiment,
    task: spec.task,
    job_id: spec.arrayJobId !== undefined ? `${spec.arrayJobId}_${spec.task}` : spec.jobId,
    state,
    exit_code: exit.code,
    signal: exit.signal,
    started_at: started.toISOString(),
    ended_at: ended.toISOString(),
    elapsed_s: (ended.getTime() - started.getTime()) / 1000,
  };
}

/** Runs `items` with at most `limit` at once, in order of start. */
async function runLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

function buildRecord(manifest: RunManifest, runDir: string, config: ResolvedConfig, tasks: readonly LocalTaskResult[], phase: RunRecord['phase'], created: string, now: Date): RunRecord {
  const history: RunRecord['history'] = [{ at: created, event: 'rendered', message: 'rendered for a local run' }];
  for (const t of tasks) history.push({ at: t.ended_at, event: 'state', experiment: t.experiment, job_id: t.job_id, state: t.state, message: t.reason });
  if (phase === 'interrupted') history.push({ at: now.toISOString(), event: 'note', message: 'interrupted: children were stopped, partial results kept' });
  return {
    schema: 'hpcbench.run/1',
    run_id: manifest.run_id,
    created_at: created,
    updated_at: now.toISOString(),
    config_file: manifest.config_file,
    experiments: manifest.experiments,
    cluster: { name: manifest.jobs[0]?.cluster ?? 'local', transport: 'local', workdir: runDir },
    remote_dir: runDir,
    phase,
    local: true,
    jobs: manifest.jobs.map((job) => {
      const mine = tasks.filter((t) => t.experiment === job.experiment);
      const states = new Set(mine.map((t) => t.state));
      const state = mine.length === 0 ? undefined : states.size === 1 ? mine[0]?.state : [...states].find((s) => s !== 'COMPLETED');
      return {
        experiment: job.experiment,
        job_name: job.job_name,
        script: job.script,
        sha256: job.sha256,
        depends_on: job.depends_on,
        ...(job.array ? { array: { spec: job.array.spec, size: job.array.size } } : {}),
        job_id: mine[0]?.job_id.replace(/_\d+$/, ''),
        state,
        final: mine.length > 0,
        ...(job.array ? { tasks: Object.fromEntries(mine.map((t) => [t.task, t.state])) } : {}),
        previous_job_ids: [],
        attempts: [],
        retries_left: 0,
        exclude: [],
      };
    }),
    history,
  };
}

export async function runLocal(options: LocalRunOptions): Promise<LocalRunResult> {
  const now = options.now ?? (() => new Date());
  const rendered = renderRun(options.config, options.experiment, { runId: options.runId, now: now() });
  const runDir = join(options.resultsDir, rendered.runId);
  // Two `run --local` of one --run-id would run every job twice into the same out/.
  return withRunLock(runDir, { command: 'hpcbench run --local', runId: rendered.runId }, () => runRendered(options, rendered, runDir, now));
}

async function runRendered(options: LocalRunOptions, rendered: RenderedRun, runDir: string, now: () => Date): Promise<LocalRunResult> {
  writeRun(runDir, rendered, { copyFilesFrom: options.config.root });
  const created = now().toISOString();
  const manifest = rendered.manifest;
  options.onEvent?.({ kind: 'rendered', runId: rendered.runId, runDir, jobs: manifest.jobs.length });
  const results: LocalTaskResult[] = [];
  await writeRunRecord(options.resultsDir, buildRecord(manifest, runDir, options.config, results, 'running', created, now()));
  const aborted = (): boolean => options.signal?.aborted === true;
  const failed = new Set<string>();
  for (const job of manifest.jobs) {
    const blocking = job.depends_on.find((dep) => failed.has(dep));
    const taskIds = job.array ? Array.from({ length: job.array.size }, (_, i) => String(i)) : ['main'];
    if (blocking !== undefined || aborted()) {
      for (const task of taskIds) {
        const at = now().toISOString();
        results.push({
          experiment: job.experiment, task, job_id: '', state: 'SKIPPED', exit_code: null, signal: null, started_at: at, ended_at: at, elapsed_s: 0,
          reason: aborted() ? 'the run was interrupted before this job started' : `dependency '${blocking}' did not complete (afterok)`,
        });
      }
      failed.add(job.experiment);
      continue;
    }
    const jobId = nextJobId();
    const specs = taskIds.map((task) => ({ job, task, jobId: job.array ? nextJobId() : jobId, arrayJobId: job.array ? jobId : undefined }));
    const outcome = await runLimited(specs, options.parallel ?? 1, async (spec) => {
      if (aborted()) {
        const at = now().toISOString();
        return { experiment: job.experiment, task: spec.task, job_id: '', state: 'SKIPPED' as const, exit_code: null, signal: null, started_at: at, ended_at: at, elapsed_s: 0, reason: 'the run was interrupted before this task started' };
      }
      const result = await runTask(spec, runDir, options, aborted);
      options.onEvent?.({ kind: 'task-end', result });
      return result;
    });
    results.push(...outcome);
    if (outcome.some((r) => r.state !== 'COMPLETED')) failed.add(job.experiment);
    await writeRunRecord(options.resultsDir, buildRecord(manifest, runDir, options.config, results, 'running', created, now()));
  }
  const interrupted = aborted();
  const phase = interrupted ? 'interrupted' : failed.size > 0 ? 'failed' : 'completed';
  await writeRunRecord(options.resultsDir, buildRecord(manifest, runDir, options.config, results, phase, created, now()));
  return { runId: rendered.runId, runDir, manifest, tasks: results, interrupted };
}
