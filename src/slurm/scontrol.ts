/**
 * `scontrol show job -o <ids>`: one line per job of `Key=Value` pairs separated by spaces.
 * Values may contain spaces (Command=, Reason=, Comment=, WorkDir=), so a line is split only
 * where a space is followed by a key; inside free-text values only keys scontrol is known to
 * print count, so `Comment=a b=c` stays whole.
 */
import { parseJobState } from './job-state.js';
import { tryParseJobId } from './job-id.js';
import {
  parseExitStatus,
  readCount,
  readElapsed,
  readOptionalText,
  readTimeLimit,
  type SlurmJobRecord,
} from './job-record.js';
import { parseSlurmTimestamp } from './time.js';
import { SlurmCommandError, checkControllerReachable, type SlurmCommandOutput } from './errors.js';

const KNOWN_KEYS = new Set(
  `JobId ArrayJobId ArrayTaskId ArrayTaskThrottle HetJobId HetJobOffset HetJobIdSet JobName UserId GroupId MCS_label Priority Nice Account QOS
  JobState Reason Dependency Requeue Restarts BatchFlag Reboot ExitCode DerivedExitCode RunTime TimeLimit TimeMin SubmitTime
  EligibleTime AccrueTime StartTime EndTime Deadline SuspendTime SecsPreSuspend LastSchedEval Scheduler Partition
  AllocNode:Sid ReqNodeList ExcNodeList NodeList BatchHost NumNodes NumCPUs NumTasks CPUs/Task ReqB:S:C:T TRES
  Socks/Node NtasksPerN:B:S:C CoreSpec MinCPUsNode MinMemoryNode MinMemoryCPU MinTmpDiskNode Features DelayBoot
  OverSubscribe Contiguous Licenses Network Command WorkDir Comment AdminComment SystemComment StdErr StdIn StdOut
  Power TresPerNode TresPerJob TresPerTask CpusPerTres MemPerTres TresBind TresFreq MailUser MailType Reservation
  NtasksPerTRES Container ContainerID ResizeTime PreemptEligibleTime PreemptTime KillOOnInvalidDependent
  CPU_Bind CpuFreqMin CpuFreqMax CpuFreqGov Prolog Epilog OOMKillStep SegmentSize Cluster ClusterFeatures NtasksPerSocket`.split(
    /\s+/,
  ),
);
const FREE_TEXT_KEYS = new Set(['Command', 'WorkDir', 'Comment', 'AdminComment', 'SystemComment', 'StdErr', 'StdIn', 'StdOut', 'Reason', 'JobName']);
const KEY_AT = /(?:^| )([A-Z][A-Za-z0-9_/:]*)=/g;

/** Splits one `scontrol -o` line into its key/value pairs. */
export function parseKeyValueLine(line: string): Map<string, string> {
  const starts: { key: string; at: number; valueAt: number }[] = [];
  const seen = new Set<string>();
  let freeText = false;
  for (const match of line.matchAll(KEY_AT)) {
    const key = match[1] ?? '';
    const at = match.index + (match[0].startsWith(' ') ? 1 : 0);
    // scontrol prints each key once, so a repeated key is text inside a value.
    if (seen.has(key) || (starts.length > 0 && freeText && !KNOWN_KEYS.has(key))) continue;
    seen.add(key);
    starts.push({ key, at, valueAt: at + key.length + 1 });
    freeText = FREE_TEXT_KEYS.has(key);
  }
  const pairs = new Map<string, string>();
  starts.forEach((start, i) => {
    const end = i + 1 < starts.length ? (starts[i + 1]?.at ?? line.length) - 1 : line.length;
    pairs.set(start.key, line.slice(start.valueAt, Math.max(start.valueAt, end)).trimEnd());
  });
  return pairs;
}

/** `alice(1000)` → `alice`. */
function stripId(text: string | undefined): string | undefined {
  return readOptionalText(text?.replace(/\(\d+\)$/, ''));
}

export interface ScontrolJob extends SlurmJobRecord {
  source: 'scontrol';
  /** Every key/value pair of the line, for fields not mapped onto the record. */
  fields: Record<string, string>;
  stdoutPath?: string;
  stderrPath?: string;
  dependency?: string;
}

/**
 * argv for one job, or for every job slurmctld holds when `jobId` is omitted. scontrol takes a
 * single id ("too many arguments for keyword:show", and `1,2` is refused), so to look at many
 * jobs in one RPC ask for all of them and filter.
 */
export function buildScontrolShowJobArgs(jobId?: string): string[] {
  return ['scontrol', 'show', 'job', '-o', ...(jobId === undefined ? [] : [jobId])];
}

/** Parses `scontrol show job -o` output, one job per non-empty line. */
export function parseScontrolShowJob(stdout: string): ScontrolJob[] {
  const jobs: ScontrolJob[] = [];
  for (const rawLine of stdout.split('\n')) {
    const line = rawLine.trim();
    if (!line.startsWith('JobId=')) continue;
    const kv = parseKeyValueLine(line);
    const get = (key: string): string | undefined => kv.get(key);
    const baseId = get('JobId') ?? '';
    const arrayJobId = readOptionalText(get('ArrayJobId'));
    const arrayTaskId = readOptionalText(get('ArrayTaskId'));
    const hetJobId = readOptionalText(get('HetJobId'));
    const hetOffset = readOptionalText(get('HetJobOffset'));
    let jobId = baseId;
    if (arrayJobId !== undefined && arrayTaskId !== undefined) {
      const range = !/^\d+$/.test(arrayTaskId);
      jobId = range ? `${arrayJobId}_[${arrayTaskId}]` : `${arrayJobId}_${arrayTaskId}`;
    } else if (hetJobId !== undefined && hetOffset !== undefined) jobId = `${hetJobId}+${hetOffset}`;
    const parts = tryParseJobId(jobId);
    const job: ScontrolJob = {
      jobId,
      name: get('JobName') ?? '',
      state: parseJobState(get('JobState') ?? ''),
      source: 'scontrol',
      fields: Object.fromEntries(kv),
      ...readTimeLimit(get('TimeLimit') ?? ''),
    };
    if (!parts?.arrayPendingRange) job.jobIdRaw = baseId;
    if (parts?.arrayJobId !== undefined) job.arrayJobId = parts.arrayJobId;
    if (parts?.arrayTaskId !== undefined) job.arrayTaskId = parts.arrayTaskId;
    if (parts?.arrayPendingRange) job.arrayPendingRange = true;
    if (hetJobId !== undefined) job.hetJobId = hetJobId;
    if (hetOffset !== undefined) job.hetJobOffset = hetOffset;
    const set = <K extends keyof ScontrolJob>(key: K, value: ScontrolJob[K] | undefined): void => {
      if (value !== undefined) job[key] = value;
    };
    const reason = readOptionalText(get('Reason'));
    if (reason !== undefined && reason !== 'None') job.reason = reason;
    set('exitCode', parseExitStatus(get('ExitCode')));
    set('derivedExitCode', parseExitStatus(get('DerivedExitCode')));
    set('elapsedSeconds', readElapsed(get('RunTime') ?? ''));
    set('nodes', readOptionalText(get('NodeList')));
    set('nodeCount', readCount(get('NumNodes')));
    set('cpus', readCount(get('NumCPUs')));
    set('partition', readOptionalText(get('Partition')));
    set('user', stripId(get('UserId')));
    set('account', readOptionalText(get('Account')));
    set('comment', readOptionalText(get('Comment')));
    set('submitTime', parseSlurmTimestamp(get('SubmitTime')));
    set('startTime', parseSlurmTimestamp(get('StartTime')));
    set('endTime', parseSlurmTimestamp(get('EndTime')));
    set('workDir', readOptionalText(get('WorkDir')));
    set('stdoutPath', readOptionalText(get('StdOut')));
    set('stderrPath', readOptionalText(get('StdErr')));
    set('dependency', readOptionalText(get('Dependency')));
    jobs.push(job);
  }
  return jobs;
}

export interface ScontrolResult {
  jobs: ScontrolJob[];
  /** "Invalid job id specified": the job has left slurmctld's memory. */
  invalidJobId: boolean;
}

export function readScontrolShowJobOutput(output: SlurmCommandOutput): ScontrolResult {
  const condition = checkControllerReachable(output);
  if (condition?.kind === 'invalid-job-id') return { jobs: parseScontrolShowJob(output.stdout), invalidJobId: true };
  if (output.exitCode !== 0) throw new SlurmCommandError('scontrol show job', output, condition);
  return { jobs: parseScontrolShowJob(output.stdout), invalidJobId: false };
}
