/**
 * squeue: one call for all jobs of a run. The output format uses `--format` (`-o`), which every
 * SLURM release supports (the JSON plugins are often missing), with the ASCII unit separator
 * between fields: it cannot appear in job names, comments or paths typed by people.
 */
import { SlurmCommandError, SlurmFormatError } from '../errors.js';
import { parseJobState } from './job-state.js';
import { tryParseJobId } from './job-id.js';
import {
  readCount,
  readElapsed,
  readOptionalText,
  readTimeLimit,
  splitRows,
  type SlurmJobRecord,
} from './job-record.js';
import { parseSlurmTimestamp } from './time.js';
import { checkControllerReachable, type SlurmCommandOutput } from './errors.js';

export const UNIT_SEPARATOR = '\x1f';

/**
 * The fields asked of squeue, in order.
 */
const SQUEUE_FIELDS = [
  ['jobId', '%i'],
  ['jobIdRaw', '%A'],
  ['arrayJobId', '%F'],
  ['arrayTaskId', '%K'],
  ['name', '%j'],
  ['state', '%T'],
  ['reason', '%r'],
  ['elapsed', '%M'],
  ['timeLimit', '%l'],
  ['nodes', '%N'],
  ['nodeCount', '%D'],
  ['cpus', '%C'],
  ['partition', '%P'],
  ['user', '%u'],
  ['account', '%a'],
  ['submitTime', '%V'],
  ['startTime', '%S'],
  ['workDir', '%Z'],
  ['comment', '%k'],
] as const;

export interface SqueueQuery {
  /** Job ids to show (`--jobs=1,2,3`); array ids show all their tasks. */
  jobIds?: readonly string[];
  /** Job names to show (`--name=a,b`), e.g. the run tag when looking for a lost submission. */
  names?: readonly string[];
  user?: string;
  /** Include finished jobs still in slurmctld's memory (`--states=all`). Default true. */
  allStates?: boolean;
  /** Field delimiter, default the unit separator. */
  delimiter?: string;
}

/** argv for squeue (the transport quotes it). */
export function buildSqueueArgs(query: SqueueQuery = {}): string[] {
  const delimiter = query.delimiter ?? UNIT_SEPARATOR;
  const args = ['squeue', '--noheader', `--format=${SQUEUE_FIELDS.map(([, code]) => code).join(delimiter)}`];
  if (query.allStates ?? true) args.push('--states=all');
  if (query.jobIds && query.jobIds.length > 0) args.push(`--jobs=${query.jobIds.join(',')}`);
  if (query.names && query.names.length > 0) args.push(`--name=${joinNames(query.names)}`);
  if (query.user !== undefined) args.push(`--user=${query.user}`);
  return args;
}

/** Names are joined with commas, so a name with a comma would become two filters. */
export function joinNames(names: readonly string[]): string {
  for (const name of names) {
    if (name.includes(',') || name.trim() === '') {
      throw new SlurmFormatError('job name filter', name, 'a non-empty job name without commas');
    }
  }
  return names.join(',');
}

function detectDelimiter(stdout: string): string {
  return stdout.includes(UNIT_SEPARATOR) || !stdout.includes('|') ? UNIT_SEPARATOR : '|';
}

/**
 * Parses squeue stdout written with SQUEUE_FIELDS. Throws InputError naming the bad line.
 */
function parseSqueue(stdout: string, delimiter = detectDelimiter(stdout)): SlurmJobRecord[] {
  return splitRows(stdout, delimiter, SQUEUE_FIELDS.length, 'squeue').map(({ fields }) => {
    const f = Object.fromEntries(SQUEUE_FIELDS.map(([key], i) => [key, fields[i] ?? ''])) as Record<
      (typeof SQUEUE_FIELDS)[number][0],
      string
    >;
    const jobId = f.jobId.trim();
    const parts = tryParseJobId(jobId);
    const record: SlurmJobRecord = {
      jobId,
      name: f.name,
      state: parseJobState(f.state),
      source: 'squeue',
      ...readTimeLimit(f.timeLimit),
    };
    const raw = readCount(f.jobIdRaw);
    if (raw !== undefined && !parts?.arrayPendingRange) record.jobIdRaw = String(raw);
    if (parts?.arrayJobId !== undefined) {
      record.arrayJobId = parts.arrayJobId;
      if (parts.arrayTaskId !== undefined) record.arrayTaskId = parts.arrayTaskId;
      if (parts.arrayPendingRange) record.arrayPendingRange = true;
    } else {
      // %F/%K identify array tasks even when %i was printed another way.
      const arrayTask = readOptionalText(f.arrayTaskId);
      if (arrayTask !== undefined && readOptionalText(f.arrayJobId) !== undefined) {
        record.arrayJobId = f.arrayJobId.trim();
        record.arrayTaskId = arrayTask;
      }
    }
    if (parts?.hetJobId !== undefined) {
      record.hetJobId = parts.hetJobId;
      if (parts.hetJobOffset !== undefined) record.hetJobOffset = parts.hetJobOffset;
    }
    const reason = readOptionalText(f.reason);
    if (reason !== undefined && reason !== 'None') record.reason = reason;
    const elapsed = readElapsed(f.elapsed);
    if (elapsed !== undefined) record.elapsedSeconds = elapsed;
    const nodes = readOptionalText(f.nodes);
    if (nodes !== undefined) record.nodes = nodes;
    assignDefined(record, 'nodeCount', readCount(f.nodeCount));
    assignDefined(record, 'cpus', readCount(f.cpus));
    assignDefined(record, 'partition', readOptionalText(f.partition));
    assignDefined(record, 'user', readOptionalText(f.user));
    assignDefined(record, 'account', readOptionalText(f.account));
    assignDefined(record, 'submitTime', parseSlurmTimestamp(f.submitTime));
    assignDefined(record, 'startTime', parseSlurmTimestamp(f.startTime));
    assignDefined(record, 'workDir', readOptionalText(f.workDir));
    assignDefined(record, 'comment', readOptionalText(f.comment));
    return record;
  });
}

function assignDefined<K extends keyof SlurmJobRecord>(record: SlurmJobRecord, key: K, value: SlurmJobRecord[K] | undefined): void {
  if (value !== undefined) record[key] = value;
}

export interface SqueueResult {
  records: SlurmJobRecord[];
  /**
   * squeue said "Invalid job id specified": a listed job has left slurmctld's memory
   * (MinJobAge). The caller asks sacct about the ids it did not get back.
   */
  invalidJobId: boolean;
}

/**
 * Reads a finished squeue call. Throws ControllerUnreachableError when slurmctld cannot be
 * reached (the poller retries), SlurmCommandError for any other failure.
 */
export function readSqueueOutput(output: SlurmCommandOutput): SqueueResult {
  const condition = checkControllerReachable(output);
  if (condition?.kind === 'invalid-job-id') {
    return { records: output.stdout.trim() === '' ? [] : parseSqueue(output.stdout), invalidJobId: true };
  }
  if (output.exitCode !== 0) throw new SlurmCommandError('squeue', output, condition);
  return { records: parseSqueue(output.stdout), invalidJobId: false };
}
