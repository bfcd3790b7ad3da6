/**
 * Submission of a rendered run: preflight, upload by SFTP, sbatch in dependency order with the
 * ids wired in, each step recorded in run.json before and after it happens. A job is never
 * submitted twice: an attempt is written as `sending` before sbatch runs, and an attempt whose
 * answer was lost is looked up by its tag before anything is sent again.
 */
import { computeBackoffDelay } from '../backoff.js';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { RemoteError, UsageError, ConnectionLostError, SshConnectError, ControllerUnreachableError, SbatchRejectedError } from '../errors.js';
import { quoteShell } from '../shell-quote.js';
import {
  buildSbatchArgs,
  readSbatchOutput,
  type Dependency,
} from '../slurm/index.js';
import type { Transport } from '../transport/transport.js';
import { afterExports, applyAfterRun, type SubmitAfter } from './after-run.js';
import { findLostSubmission } from './lookup.js';
import { taskNames, type SubmitManifest, type SubmitManifestJob } from './manifest-file.js';
import { assertPreflight, runPreflight, type PreflightCheck } from './preflight.js';
import { toSlurmOutput, type QueryCounters } from './query.js';
import { withRunLock } from './lock.js';
import { readRunRecord, RUN_FILE, runDirectory, writeRunRecord } from './registry.js';
import { uploadRun } from './upload.js';
import { RemoteHomeResolver, resolveRunClusterPaths } from './remote-paths.js';
import {
  addHistory,
  createRunRecord,
  findJob,
  runTag,
  type RunCluster,
  type RunJob,
  type RunRecord,
  type SubmissionAttempt,
} from './run-record.js';

export type SubmitEvent =
  | { kind: 'preflight'; checks: readonly PreflightCheck[] }
  | { kind: 'uploaded'; files: number }
  | { kind: 'submitted'; experiment: string; jobId: string; recovered: boolean }
  | { kind: 'ambiguous'; experiment: string; message: string }
  | { kind: 'retrying'; experiment: string; message: string; retryInMs: number };

export interface SubmitRunOptions {
  transport: Transport;
  resultsDir: string;
  manifest: SubmitManifest;
  cluster: RunCluster;
  /** Local run directory (default resultsDir/run_id). */
  runDir?: string;
  hfCache?: string | undefined;
  /** Models the experiments name, checked in the offline cache. */
  models?: readonly string[];
  /** Directory that manifest `files[].local` paths start from. */
  configRoot?: string;
  configFile?: string;
  /** Stop after the preflight checks. */
  testOnly?: boolean;
  skipPreflight?: boolean;
  /** Automatic resubmissions after NODE_FAIL/BOOT_FAIL, per job (used by watch). */
  retries?: number;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  onEvent?: (event: SubmitEvent) => void;
  /** Lookups of a lost submission before giving up (default 8, with backoff). */
  lookupAttempts?: number;
  /** sbatch attempts per job when it surely did not run (default 3). */
  maxSubmitAttempts?: number;
  counters?: QueryCounters;
  /** `--after <run>`: the earlier jobs that stand in for dependencies (see after-run.ts). */
  after?: SubmitAfter;
}

export interface SubmitRunResult {
  record: RunRecord;
  checks: readonly PreflightCheck[];
  testOnly: boolean;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The answer to sbatch may have been lost after it ran: the job may exist. */
function isAmbiguousSubmitError(error: unknown): boolean {
  if (error instanceof ControllerUnreachableError) return true;
  if (error instanceof ConnectionLostError) return error.commandSent;
  if (error instanceof SshConnectError) return false;
  return error instanceof RemoteError && /timed out/.test(error.message);
}

/** The command surely did not reach sbatch, and trying again may work. */
function isRetryableBeforeSend(error: unknown): boolean {
  return (error instanceof ConnectionLostError && !error.commandSent) || (error instanceof SshConnectError && error.transient);
}

function dependencyFor(record: RunRecord, job: RunJob): Dependency | undefined {
  const earlier = job.after_job_ids ?? [];
  if (job.depends_on.length === 0 && earlier.length === 0) return undefined;
  const ids = job.depends_on.map((name) => {
    const id = findJob(record, name)?.job_id;
    if (id === undefined) throw new UsageError(`cannot submit ${job.experiment}: its dependency ${name} has no job id`);
    return id;
  });
  // Jobs of the run built on (`--after`) that were still running at submission.
  return { all: [{ type: 'afterok', jobIds: [...ids, ...earlier] }] };
}

/** The sbatch argv for one job of the run. */
export function sbatchArgsFor(record: RunRecord, job: RunJob, options: { dependency?: Dependency | null; array?: string } = {}): string[] {
  // `null`: no dependency at all (resubmit decides itself which ids are still worth waiting for).
  const dependency = options.dependency === null ? undefined : (options.dependency ?? dependencyFor(record, job));
  const exports = afterExports(record);
  const array = options.array ?? job.array?.spec;
  return buildSbatchArgs({
    script: posix.join(record.remote_dir, job.script),
    jobName: job.job_name,
    comment: runTag(record.run_id),
    chdir: record.remote_dir,
    ...(array !== undefined ? { array } : {}),
    ...(dependency ? { dependency } : {}),
    // Without retries a job whose dependency failed is cancelled instead of pending forever;
    // with retries it must wait, because the failed job may come back.
    ...(dependency ? { killOnInvalidDep: job.retries_left === 0 } : {}),
    ...(job.exclude.length > 0 ? { exclude: job.exclude } : {}),
    ...(exports ? { export: { vars: exports } } : {}),
  });
}

export interface Submitter {
  transport: Transport;
  resultsDir: string;
  record: RunRecord;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
  onEvent: (event: SubmitEvent) => void;
  lookupAttempts: number;
  maxSubmitAttempts: number;
  counters: QueryCounters | undefined;
}

function lastAttempt(job: RunJob): SubmissionAttempt | undefined {
  return job.attempts[job.attempts.length - 1];
}

async function save(s: Submitter): Promise<void> {
  await writeRunRecord(s.resultsDir, s.record, s.now());
}

/** Looks a lost submission up, retrying while the cluster cannot answer. Undefined: surely absent. */
async function lookUp(s: Submitter, job: RunJob): Promise<string | undefined> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await findLostSubmission(s.transport, {
        tag: runTag(s.record.run_id),
        jobName: job.job_name,
        remoteDir: s.record.remote_dir,
        knownIds: [...job.previous_job_ids, ...(job.job_id === undefined ? [] : [job.job_id])],
        runCreatedAt: s.record.created_at,
        ...(s.counters ? { counters: s.counters } : {}),
      });
    } catch (error) {
      if (!(error instanceof RemoteError) || attempt >= s.lookupAttempts) {
        throw new RemoteError(
          `cannot tell whether ${job.experiment} was submitted: the answer to sbatch was lost and SLURM cannot be asked (${(error as Error).message})`,
          {
            hint: `nothing will be submitted twice: run \`hpcbench submit --resume ${s.record.run_id}\` when the cluster answers again; it looks the job up first`,
            cause: error,
          },
        );
      }
      const delay = computeBackoffDelay(attempt, { baseMs: 1000, maxMs: 15_000 });
      s.onEvent({ kind: 'retrying', experiment: job.experiment, message: `looking up the lost submission: ${(error as Error).message}`, retryInMs: delay });
      await s.sleep(delay);
    }
  }
}

function accept(s: Submitter, job: RunJob, jobId: string, recovered: boolean): void {
  const attempt = lastAttempt(job);
  if (attempt) {
    attempt.outcome = recovered ? 'recovered' : 'submitted';
    attempt.job_id = jobId;
  }
  if (job.job_id !== undefined && job.job_id !== jobId) job.previous_job_ids.push(job.job_id);
  job.job_id = jobId;
  job.state = 'PENDING';
  job.final = false;
  delete job.tasks;
  delete job.facts;
  job.submitted_at = s.now().toISOString();
  addHistory(s.record, { event: 'submitted', experiment: job.experiment, job_id: jobId, ...(recovered ? { message: 'recovered by its tag after the answer to sbatch was lost' } : {}) }, s.now());
  s.onEvent({ kind: 'submitted', experiment: job.experiment, jobId, recovered });
}

/**
 * Submits one job (first time, or a resubmission when `fresh` is set) and records it. A
 * pending `sending`/`ambiguous` attempt from an earlier process is looked up first.
 */
export async function submitJob(s: Submitter, job: RunJob, fresh: boolean, args: Parameters<typeof sbatchArgsFor>[2] = {}): Promise<void> {
  const previous = lastAttempt(job);
  if (!fresh && job.job_id === undefined && (previous?.outcome === 'sending' || previous?.outcome === 'ambiguous')) {
    const found = await lookUp(s, job);
    if (found !== undefined) {
      accept(s, job, found, true);
      await save(s);
      return;
    }
  }
  for (let attempt = 1; ; attempt += 1) {
    const entry: SubmissionAttempt = { at: s.now().toISOString(), outcome: 'sending' };
    if (job.exclude.length > 0) entry.exclude = [...job.exclude];
    if (args.array !== undefined) entry.array = args.array;
    job.attempts.push(entry);
    await save(s);
    try {
      const output = toSlurmOutput(await s.transport.exec(sbatchArgsFor(s.record, job, args)));
      const submission = readSbatchOutput(job.script, output);
      accept(s, job, submission.jobId, false);
      await save(s);
      return;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      entry.message = message;
      if (error instanceof SbatchRejectedError) {
        entry.outcome = 'rejected';
        await save(s);
        throw error;
      }
      if (isAmbiguousSubmitError(error)) {
        entry.outcome = 'ambiguous';
        await save(s);
        s.onEvent({ kind: 'ambiguous', experiment: job.experiment, message });
        const found = await lookUp(s, job);
        if (found !== undefined) {
          accept(s, job, found, true);
          await save(s);
          return;
        }
        entry.message = `${message}; not found by its tag, so it was not submitted`;
      } else {
        entry.outcome = 'failed';
        if (!isRetryableBeforeSend(error)) {
          await save(s);
          throw error;
        }
      }
      await save(s);
      if (attempt >= s.maxSubmitAttempts) throw error;
      const wait = computeBackoffDelay(attempt, { baseMs: 1000 });
      s.onEvent({ kind: 'retrying', experiment: job.experiment, message, retryInMs: wait });
      await s.sleep(wait);
    }
  }
}

export function makeSubmitter(options: Pick<SubmitRunOptions, 'transport' | 'resultsDir' | 'now' | 'sleep' | 'onEvent' | 'lookupAttempts' | 'maxSubmitAttempts' | 'counters'>, record: RunRecord): Submitter {
  return {
    transport: options.transport,
    resultsDir: options.resultsDir,
    record,
    now: options.now ?? (() => new Date()),
    sleep: options.sleep ?? defaultSleep,
    onEvent: options.onEvent ?? (() => undefined),
    lookupAttempts: options.lookupAttempts ?? 8,
    maxSubmitAttempts: options.maxSubmitAttempts ?? 3,
    counters: options.counters,
  };
}

export async function submitRun(options: SubmitRunOptions): Promise<SubmitRunResult> {
  const { manifest, transport } = options;
  const now = options.now ?? (() => new Date());
  const runDir = options.runDir ?? join(options.resultsDir, manifest.run_id);
  const existing = existsSync(join(runDir, RUN_FILE)) ? await readRunRecord(options.resultsDir, manifest.run_id) : undefined;
  if (existing?.phase === 'submitted' || existing?.phase === 'cancelled') {
    throw new UsageError(`run ${manifest.run_id} was already submitted`, `Follow it with \`hpcbench watch ${manifest.run_id}\`, or render a new run.`);
  }
  // `~` in workdir/hf_cache is made absolute on the cluster once (remote-paths.ts); run.json keeps the result.
  const home = new RemoteHomeResolver(transport);
  const record = existing ?? createRunRecord(manifest, await resolveRunClusterPaths(home, options.cluster), now(), options.retries ?? 0, options.configFile);
  if (!existing && options.after) applyAfterRun(record, options.after, now());
  const s = makeSubmitter(options, record);
  let checks: PreflightCheck[] = [];
  const started = record.jobs.some((j) => j.attempts.length > 0);
  if (!options.skipPreflight && !started) {
    const jobs = await Promise.all(manifest.jobs.map(async (job: SubmitManifestJob) => ({ job, scriptText: await readFile(join(runDir, job.script), 'utf8') })));
    checks = await runPreflight({
      transport,
      runId: manifest.run_id,
      workdir: record.cluster.workdir,
      hfCache: await home.resolveOptional(options.hfCache),
      createWorkdir: options.testOnly !== true,
      models: options.models ?? [],
      jobs,
    });
    s.onEvent({ kind: 'preflight', checks });
    addHistory(record, { event: 'preflight', message: `${checks.filter((c) => c.ok).length}/${checks.length} checks passed` }, now());
    assertPreflight(checks);
  }
  if (options.testOnly) return { record, checks, testOnly: true };

  if (!started) {
    const files = await uploadRun(transport, runDir, record.remote_dir, manifest, options.configRoot ?? process.cwd());
    addHistory(record, { event: 'uploaded', message: `${files} file(s) to ${transport.target}:${record.remote_dir}` }, now());
    s.onEvent({ kind: 'uploaded', files });
  }
  record.phase = 'submitting';
  await save(s);
  for (const job of record.jobs) {
    if (job.job_id !== undefined) continue;
    await submitJob(s, job, false);
  }
  record.phase = 'submitted';
  await save(s);
  return { record, checks, testOnly: false };
}

const RESUBMIT_LOCK_WAIT_MS = 60_000;

/**
 * Resubmits one job after NODE_FAIL/BOOT_FAIL with nodes excluded, and points the jobs that
 * depend on it at the new id (`scontrol update`), so a chain survives a broken node.
 */
export async function resubmitJob(
  options: Pick<SubmitRunOptions, 'transport' | 'resultsDir' | 'now' | 'sleep' | 'onEvent' | 'counters'>,
  record: RunRecord,
  experiment: string,
  excludeNodes: readonly string[],
): Promise<string> {
  const job = findJob(record, experiment);
  if (!job) throw new UsageError(`run ${record.run_id} has no job ${experiment}`);
  // Waits for a short holder (cancel, fetch, submit --resume) rather than ending the watch.
  const lockOptions = { command: 'hpcbench watch (resubmit)', runId: record.run_id, waitMs: RESUBMIT_LOCK_WAIT_MS };
  return withRunLock(runDirectory(options.resultsDir, record.run_id), lockOptions, () => resubmitLocked(makeSubmitter(options, record), record, job, excludeNodes));
}

async function resubmitLocked(s: Submitter, record: RunRecord, job: RunJob, excludeNodes: readonly string[]): Promise<string> {
  const experiment = job.experiment;
  job.exclude = [...new Set([...job.exclude, ...excludeNodes])];
  job.retries_left = Math.max(0, job.retries_left - 1);
  const old = job.job_id;
  await submitJob(s, job, true);
  const fresh = job.job_id as string;
  addHistory(record, { event: 'resubmitted', experiment, job_id: fresh, message: `replaces ${old ?? '?'}, excluding ${job.exclude.join(',') || 'no nodes'}` }, s.now());
  for (const dependent of record.jobs.filter((j) => j.depends_on.includes(experiment) && j.job_id !== undefined && !j.final)) {
    const dependency = dependencyFor(record, dependent);
    if (!dependency || dependent.job_id === undefined) continue;
    const ids = dependent.depends_on.map((n) => findJob(record, n)?.job_id).filter((v): v is string => v !== undefined);
    await s.transport.exec(['scontrol', 'update', `JobId=${dependent.job_id}`, `Dependency=afterok:${ids.join(':')}`]);
  }
  await save(s);
  return fresh;
}

/** What `submit --dry-run` prints: no remote command is run. */
export function describeSubmitPlan(manifest: SubmitManifest, cluster: RunCluster, retries = 0): string[] {
  const record = createRunRecord(manifest, cluster, new Date(0), retries);
  const lines = [
    `run ${manifest.run_id} on ${cluster.name} (${cluster.transport}${cluster.ssh ? ` ${cluster.ssh.host}` : ''})`,
    `upload the run directory to ${record.remote_dir} and create ${manifest.jobs.map((j) => `${j.out_dir}/{${taskNames(j).slice(0, 3).join(',')}${taskNames(j).length > 3 ? ',...' : ''}}`).join(' ')}`,
  ];
  record.jobs.forEach((job, i) => {
    // Placeholder ids show how the dependency chain is wired.
    for (const name of job.depends_on) {
      const dep = findJob(record, name);
      if (dep) dep.job_id ??= String(1000 + record.jobs.indexOf(dep));
    }
    const args = sbatchArgsFor(record, job).map((a) => quoteShell(a)).join(' ');
    lines.push(`${i + 1}. ${args}${job.depends_on.length > 0 ? '   (ids 100x stand for the ids sbatch returns)' : ''}`);
  });
  return lines;
}
