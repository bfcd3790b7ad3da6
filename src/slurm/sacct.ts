/**
 * sacct: `--parsable2 --noheader` rows, one per job and one per step (`123.batch`,
 * `123.extern`, `123.0`), grouped here under their job. Array tasks (`123_4`) are jobs of their
 * own; pending task ranges (`123_[5-9]`) appear once.
 *
 * With `--duplicates` a requeued job (same id) has one row per attempt, each followed by its own
 * steps; the rows of different jobs interleave (slurmdbd lists records by submission, and a
 * requeue is a new submission), so attempts are matched by id, oldest first, and the last row of
 * an id is the current attempt. Earlier attempts are counted, not kept: their steps never mix
 * with the current attempt's.
 */
import { InputError, SlurmCommandError } from '../errors.js';
import { parseJobState, type JobState } from './job-state.js';
import { tryParseJobId } from './job-id.js';
import {
  parseExitStatus,
  readCount,
  readElapsed,
  readOptionalText,
  readTimeLimit,
  splitRows,
  type ExitStatus,
  type SlurmJobRecord,
} from './job-record.js';
import { parseRequestedMemory, parseTres, tryParseSlurmMemory, type RequestedMemory, type Tres } from './memory.js';
import { parseSlurmDurationValue, parseSlurmTimestamp } from './time.js';
import {
  checkControllerReachable,
  type SlurmCommandOutput,
} from './errors.js';
import { UNIT_SEPARATOR, joinNames } from './squeue.js';

export const SACCT_FIELDS = [
  'JobID',
  'JobIDRaw',
  'JobName',
  'Partition',
  'State',
  'ExitCode',
  'DerivedExitCode',
  'Elapsed',
  'ElapsedRaw',
  'TotalCPU',
  'NCPUS',
  'AllocTRES',
  'ReqTRES',
  'ReqMem',
  'MaxRSS',
  'Submit',
  'Start',
  'End',
  'NodeList',
  'Comment',
  'Timelimit',
  'AllocNodes',
  'User',
  'Account',
  'WorkDir',
  'Reason',
] as const;
type SacctField = (typeof SACCT_FIELDS)[number];

/**
 * The fields that following a job needs (status, watch, resubmit): SACCT_FIELDS without AllocTRES
 * and ReqTRES. sacct prints a TRES field by first asking slurmdbd for the whole TRES table, one
 * more database call on every poll: on the test cluster it doubles the time of the call (about 90
 * ms to 180 ms), and on a site it is load on the shared slurmdbd. The accounting kept with a run's
 * results (fetch) still asks for everything.
 */
const SACCT_FOLLOW_FIELDS: readonly SacctField[] = SACCT_FIELDS.filter((f) => f !== 'AllocTRES' && f !== 'ReqTRES');

/** Which columns a sacct call asks for: all of SACCT_FIELDS, or SACCT_FOLLOW_FIELDS. */
export type SacctFieldSet = 'full' | 'follow';

function fieldsOf(set: SacctFieldSet | undefined): readonly SacctField[] {
  return set === 'follow' ? SACCT_FOLLOW_FIELDS : SACCT_FIELDS;
}

export interface SacctQuery {
  jobIds?: readonly string[];
  names?: readonly string[];
  user?: string;
  /** `--starttime`; sacct only shows jobs since midnight when no job ids are given. */
  startTime?: string;
  /** Field delimiter; default the unit separator so no job name can split a row. */
  delimiter?: string;
  /**
   * `--duplicates`: one row per attempt of a requeued job, so restarts can be counted. The
   * parser keeps the last attempt as the job, so callers see the same jobs either way.
   */
  duplicates?: boolean;
  /** `follow` leaves out the TRES columns (SACCT_FOLLOW_FIELDS); parse the output with the same set. */
  fields?: SacctFieldSet;
}

export function buildSacctArgs(query: SacctQuery = {}): string[] {
  const delimiter = query.delimiter ?? UNIT_SEPARATOR;
  const args = ['sacct', '--parsable2', '--noheader', `--format=${fieldsOf(query.fields).join(',')}`];
  if (delimiter !== '|') args.push(`--delimiter=${delimiter}`);
  if (query.jobIds && query.jobIds.length > 0) args.push(`--jobs=${query.jobIds.join(',')}`);
  if (query.names && query.names.length > 0) args.push(`--name=${joinNames(query.names)}`);
  if (query.user !== undefined) args.push(`--user=${query.user}`);
  if (query.startTime !== undefined) args.push(`--starttime=${query.startTime}`);
  if (query.duplicates === true) args.push('--duplicates');
  return args;
}

export interface SacctStep {
  /** `batch`, `extern`, `0`, ... */
  stepId: string;
  /** The full id as printed: `123.batch`. */
  id: string;
  name: string;
  state: JobState;
  exitCode?: ExitStatus;
  elapsedSeconds?: number;
  totalCpuSeconds?: number;
  maxRssMiB?: number;
  nodes?: string;
}

export interface SacctJob extends SlurmJobRecord {
  source: 'sacct';
  /** The current attempt's steps (earlier attempts of a requeued job are not kept). */
  steps: SacctStep[];
  /** The largest MaxRSS over the job's steps (the job row itself has none). */
  maxRssMiB?: number;
  totalCpuSeconds?: number;
  reqMem?: RequestedMemory;
  allocTres?: Tres;
  reqTres?: Tres;
}

function detectDelimiter(stdout: string): string {
  return stdout.includes(UNIT_SEPARATOR) ? UNIT_SEPARATOR : '|';
}

/**
 * States in which slurmdbd closes the record of an attempt that SLURM put back in the queue under
 * the same id: `scontrol requeue` (REQUEUED), a preemption with requeue (PREEMPTED) and a node
 * failure with requeue (NODE_FAIL, BOOT_FAIL). An earlier row in another state is a different job
 * that got the same id after the cluster's job ids were reset, not a restart.
 */
const REQUEUE_STATES: ReadonlySet<JobState['name']> = new Set(['REQUEUED', 'REQUEUE_HOLD', 'REQUEUE_FED', 'PREEMPTED', 'NODE_FAIL', 'BOOT_FAIL']);

/**
 * An earlier attempt that ended in `state` was followed by a restart under the same id.
 */
function isRequeuedAttempt(state: JobState): boolean {
  return REQUEUE_STATES.has(state.name);
}

export interface ParseSacctOptions {
  /** Field delimiter; detected from the text by default. */
  delimiter?: string;
  /**
   * The output came from `sacct --duplicates`: every attempt is listed, so a job without an
   * earlier attempt has restarts 0 (known) rather than no restarts field (unknown).
   */
  duplicates?: boolean;
  /** The field set the call asked for (buildSacctArgs' `fields`); default all of SACCT_FIELDS. */
  fields?: SacctFieldSet;
}

/**
 * Parses sacct rows written with SACCT_FIELDS (or SACCT_FOLLOW_FIELDS, with `fields: 'follow'`);
 * steps are attached to their job. With `--duplicates` output, a job id seen again is a later
 * attempt: it replaces the earlier one, and `restarts` counts the earlier attempts that were
 * requeued.
 */
export function parseSacct(stdout: string, options: string | ParseSacctOptions = {}): SacctJob[] {
  const opts = typeof options === 'string' ? { delimiter: options } : options;
  const delimiter = opts.delimiter ?? detectDelimiter(stdout);
  const jobs = new Map<string, SacctJob>();
  const names = fieldsOf(opts.fields);
  // A field the call did not ask for reads as empty, as sacct prints a field with no value.
  const empty = Object.fromEntries(SACCT_FIELDS.map((key) => [key, ''])) as Record<SacctField, string>;
  for (const { line, fields } of splitRows(stdout, delimiter, names.length, 'sacct')) {
    const f = { ...empty };
    names.forEach((key, i) => (f[key] = fields[i] ?? ''));
    const parts = tryParseJobId(f.JobID);
    if (!parts) {
      throw new InputError(`JobID ${JSON.stringify(f.JobID)} is not a SLURM job id`, {
        file: 'sacct output',
        line,
      });
    }
    if (parts.step !== undefined) {
      const job = jobs.get(parts.jobId);
      // sacct prints the job before its steps; a step alone (job row filtered out) is skipped.
      if (job) job.steps.push(readStep(parts.step, f));
      continue;
    }
    const job = readJob(f, parts);
    const earlier = jobs.get(parts.jobId);
    const restarts = earlier === undefined ? 0 : (earlier.restarts ?? 0) + (isRequeuedAttempt(earlier.state) ? 1 : 0);
    if (restarts > 0 || (opts.duplicates === true && !parts.arrayPendingRange)) job.restarts = restarts;
    jobs.set(parts.jobId, job);
  }
  for (const job of jobs.values()) summariseSteps(job);
  return [...jobs.values()];
}

function readStep(stepId: string, f: Record<SacctField, string>): SacctStep {
  const step: SacctStep = { stepId, id: f.JobID.trim(), name: f.JobName, state: parseJobState(f.State) };
  const exit = parseExitStatus(f.ExitCode);
  if (exit) step.exitCode = exit;
  const elapsed = readElapsedField(f);
  if (elapsed !== undefined) step.elapsedSeconds = elapsed;
  const cpu = readElapsed(f.TotalCPU);
  if (cpu !== undefined) step.totalCpuSeconds = cpu;
  const rss = f.MaxRSS.trim() === '' ? undefined : tryParseSlurmMemory(f.MaxRSS);
  if (rss !== undefined) step.maxRssMiB = rss;
  const nodes = readOptionalText(f.NodeList);
  if (nodes !== undefined) step.nodes = nodes;
  return step;
}

function readElapsedField(f: Record<SacctField, string>): number | undefined {
  return readCount(f.ElapsedRaw) ?? readElapsed(f.Elapsed);
}

function readJob(f: Record<SacctField, string>, parts: NonNullable<ReturnType<typeof tryParseJobId>>): SacctJob {
  const job: SacctJob = {
    jobId: parts.jobId,
    name: f.JobName,
    state: parseJobState(f.State),
    source: 'sacct',
    steps: [],
    ...readTimeLimit(f.Timelimit),
  };
  const raw = readOptionalText(f.JobIDRaw);
  if (raw !== undefined && !parts.arrayPendingRange) job.jobIdRaw = raw;
  if (parts.arrayJobId !== undefined) job.arrayJobId = parts.arrayJobId;
  if (parts.arrayTaskId !== undefined) job.arrayTaskId = parts.arrayTaskId;
  if (parts.arrayPendingRange) job.arrayPendingRange = true;
  if (parts.hetJobId !== undefined) job.hetJobId = parts.hetJobId;
  if (parts.hetJobOffset !== undefined) job.hetJobOffset = parts.hetJobOffset;
  const set = <K extends keyof SacctJob>(key: K, value: SacctJob[K] | undefined): void => {
    if (value !== undefined) job[key] = value;
  };
  set('partition', readOptionalText(f.Partition));
  set('exitCode', parseExitStatus(f.ExitCode));
  set('derivedExitCode', parseExitStatus(f.DerivedExitCode));
  set('elapsedSeconds', readElapsedField(f));
  set('totalCpuSeconds', readElapsed(f.TotalCPU));
  set('cpus', readCount(f.NCPUS));
  set('nodeCount', readCount(f.AllocNodes));
  set('nodes', readOptionalText(f.NodeList));
  set('submitTime', parseSlurmTimestamp(f.Submit));
  set('startTime', parseSlurmTimestamp(f.Start));
  set('endTime', parseSlurmTimestamp(f.End));
  set('comment', readOptionalText(f.Comment));
  set('user', readOptionalText(f.User));
  set('account', readOptionalText(f.Account));
  set('workDir', readOptionalText(f.WorkDir));
  set('reqMem', parseRequestedMemory(f.ReqMem));
  if (f.AllocTRES.trim() !== '') job.allocTres = parseTres(f.AllocTRES);
  if (f.ReqTRES.trim() !== '') job.reqTres = parseTres(f.ReqTRES);
  const reason = readOptionalText(f.Reason);
  if (reason !== undefined && reason !== 'None') job.reason = reason;
  if (f.MaxRSS.trim() !== '') set('maxRssMiB', tryParseSlurmMemory(f.MaxRSS));
  // ElapsedRaw can hold a number even where Elapsed says INVALID; trust the refusal.
  if (parseSlurmDurationValue(f.Elapsed)?.kind === 'invalid') delete job.elapsedSeconds;
  return job;
}

function summariseSteps(job: SacctJob): void {
  const rss = job.steps.map((s) => s.maxRssMiB).filter((v): v is number => v !== undefined);
  if (job.maxRssMiB !== undefined) rss.push(job.maxRssMiB);
  if (rss.length > 0) job.maxRssMiB = Math.max(...rss);
}

/** The batch step, where the job script ran (its state says how the script ended). */
export function findBatchStep(job: SacctJob): SacctStep | undefined {
  return job.steps.find((s) => s.stepId === 'batch');
}

export type SacctResult =
  | { kind: 'ok'; jobs: SacctJob[] }
  /** Accounting is off or slurmdbd is down: fall back to squeue/scontrol. */
  | { kind: 'unavailable'; reason: 'accounting-disabled' | 'database-unreachable'; message: string };

/**
 * Reads a finished sacct call. Accounting disabled / slurmdbd down is a result, not an error,
 * because the caller has a fallback; the controller being unreachable throws
 * ControllerUnreachableError; anything else throws SlurmCommandError.
 */
export function readSacctOutput(output: SlurmCommandOutput, options: Pick<ParseSacctOptions, 'duplicates' | 'fields'> = {}): SacctResult {
  const condition = checkControllerReachable(output);
  if (condition?.kind === 'accounting-disabled' || condition?.kind === 'database-unreachable') {
    return { kind: 'unavailable', reason: condition.kind, message: condition.message };
  }
  if (output.exitCode !== 0) throw new SlurmCommandError('sacct', output, condition);
  return { kind: 'ok', jobs: parseSacct(output.stdout, options) };
}
