/**
 * sbatch: options to argv (never a joined string; the transport quotes it), and the two
 * outputs hpcbench reads: `--parsable` (`123` or `123;cluster`) and `--test-only`
 * ("sbatch: Job 123 to start at ... using N processors on nodes X in partition P").
 */
import { InputError, SlurmCommandError, SlurmFormatError, SbatchRejectedError } from '../errors.js';
import { checkControllerReachable, type SlurmCommandOutput } from './errors.js';
import { formatSlurmDuration } from './time.js';

type DependencyType = 'after' | 'afterany' | 'afterok' | 'afternotok' | 'aftercorr' | 'afterburstbuffer';

interface DependencyClause {
  type: DependencyType;
  jobIds: readonly string[];
}

export type Dependency =
  | { all: readonly DependencyClause[] }
  | { any: readonly DependencyClause[] }
  | { singleton: true };

export interface SbatchOptions {
  /** Path of the job script on the cluster. */
  script: string;
  scriptArgs?: readonly string[];
  /** Print only `id[;cluster]` (default true: hpcbench always parses the id). */
  parsable?: boolean;
  /** Validate and estimate a start time without submitting. */
  testOnly?: boolean;
  jobName?: string;
  /** Free text stored with the job; hpcbench puts the run id here to find lost submissions. */
  comment?: string;
  partition?: string;
  account?: string;
  qos?: string;
  /** Seconds, or SLURM time text passed through as is. */
  time?: number | string;
  nodes?: number;
  ntasks?: number;
  ntasksPerNode?: number;
  cpusPerTask?: number;
  /** `--mem`, e.g. `64G`. */
  mem?: string;
  memPerCpu?: string;
  gres?: string;
  gpus?: number | string;
  gpusPerNode?: number | string;
  constraint?: string;
  reservation?: string;
  /** Nodes to avoid, e.g. after a NODE_FAIL. */
  exclude?: readonly string[];
  nodelist?: readonly string[];
  chdir?: string;
  output?: string;
  error?: string;
  /** `0-9%4` or a structured range. */
  array?: string | { indices: string; maxConcurrent?: number };
  dependency?: Dependency;
  killOnInvalidDep?: boolean;
  /** `ALL`, `NONE`, or variables to export (with ALL unless `inherit` is false). */
  export?: 'ALL' | 'NONE' | { vars: Readonly<Record<string, string>>; inherit?: boolean };
  hold?: boolean;
  requeue?: boolean;
  /** `--signal`, e.g. `B:USR1@300` so the script can checkpoint before the time limit. */
  signal?: string;
  openMode?: 'append' | 'truncate';
  /** Extra flags, each one argv element, e.g. `--mail-type=END`. */
  extra?: readonly string[];
}

function formatDependency(dependency: Dependency): string {
  if ('singleton' in dependency) return 'singleton';
  const clauses = 'all' in dependency ? dependency.all : dependency.any;
  const text = clauses.map((c) => {
    if (c.jobIds.length === 0) throw new SlurmFormatError('dependency', c.type, `at least one job id after ${c.type}`);
    for (const id of c.jobIds) {
      if (!/^\d+(?:_\d+)?(?:\+\d+)?$/.test(id)) throw new SlurmFormatError('dependency job id', id, 'a job id such as 123 or 123_4');
    }
    return `${c.type}:${c.jobIds.join(':')}`;
  });
  return text.join('all' in dependency ? ',' : '?');
}

function formatExport(value: NonNullable<SbatchOptions['export']>): string {
  if (value === 'ALL' || value === 'NONE') return value;
  const pairs = Object.entries(value.vars).map(([name, v]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new SlurmFormatError('environment variable name', name, 'letters, digits and _ (not starting with a digit)');
    }
    // sbatch splits --export at commas; a comma in a value would silently create a variable.
    if (v.includes(',')) {
      throw new SlurmFormatError(`value of ${name}`, v, 'no comma (sbatch --export splits at commas); set it in the job script instead');
    }
    return `${name}=${v}`;
  });
  const head = value.inherit === false ? [] : ['ALL'];
  const all = [...head, ...pairs];
  return all.length === 0 ? 'NONE' : all.join(',');
}

/** argv for sbatch; the script path and its arguments come last. */
export function buildSbatchArgs(options: SbatchOptions): string[] {
  const args = ['sbatch'];
  const flag = (name: string, value: string | number | undefined): void => {
    if (value !== undefined) args.push(`--${name}=${value}`);
  };
  if (options.parsable ?? true) args.push('--parsable');
  if (options.testOnly) args.push('--test-only');
  flag('job-name', options.jobName);
  flag('comment', options.comment);
  flag('partition', options.partition);
  flag('account', options.account);
  flag('qos', options.qos);
  if (options.time !== undefined) {
    flag('time', typeof options.time === 'number' ? formatSlurmDuration(options.time) : options.time);
  }
  flag('nodes', options.nodes);
  flag('ntasks', options.ntasks);
  flag('ntasks-per-node', options.ntasksPerNode);
  flag('cpus-per-task', options.cpusPerTask);
  flag('mem', options.mem);
  flag('mem-per-cpu', options.memPerCpu);
  flag('gres', options.gres);
  flag('gpus', options.gpus);
  flag('gpus-per-node', options.gpusPerNode);
  flag('constraint', options.constraint);
  flag('reservation', options.reservation);
  if (options.exclude && options.exclude.length > 0) flag('exclude', options.exclude.join(','));
  if (options.nodelist && options.nodelist.length > 0) flag('nodelist', options.nodelist.join(','));
  flag('chdir', options.chdir);
  flag('output', options.output);
  flag('error', options.error);
  if (options.array !== undefined) {
    const a = options.array;
    flag('array', typeof a === 'string' ? a : `${a.indices}${a.maxConcurrent === undefined ? '' : `%${a.maxConcurrent}`}`);
  }
  if (options.dependency !== undefined) flag('dependency', formatDependency(options.dependency));
  if (options.killOnInvalidDep !== undefined) flag('kill-on-invalid-dep', options.killOnInvalidDep ? 'yes' : 'no');
  if (options.export !== undefined) flag('export', formatExport(options.export));
  if (options.hold) args.push('--hold');
  if (options.requeue === true) args.push('--requeue');
  if (options.requeue === false) args.push('--no-requeue');
  flag('signal', options.signal);
  flag('open-mode', options.openMode);
  for (const extra of options.extra ?? []) {
    if (!extra.startsWith('-')) throw new SlurmFormatError('extra sbatch flag', extra, 'a flag starting with -');
    args.push(extra);
  }
  args.push(options.script, ...(options.scriptArgs ?? []));
  return args;
}

export interface SbatchSubmission {
  jobId: string;
  cluster?: string;
}

/**
 * Parses `--parsable` stdout: `123` or `123;cluster`.
 */
function parseSbatchParsable(stdout: string): SbatchSubmission {
  const lines = stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const last = lines[lines.length - 1] ?? '';
  const match = /^(\d+)(?:;(\S+))?$/.exec(last);
  if (!match?.[1]) {
    throw new InputError(`expected a job id such as 123 or 123;cluster, found ${JSON.stringify(stdout.trim().slice(0, 200))}`, {
      file: 'sbatch --parsable output',
      line: lines.length === 0 ? 1 : lines.length,
      hint: 'A wrapper or profile script on the cluster may print to stdout; check `sbatch --parsable` by hand on the login node.',
    });
  }
  return match[2] === undefined ? { jobId: match[1] } : { jobId: match[1], cluster: match[2] };
}

interface SbatchTestOnlyEstimate {
  ok: true;
  jobId: string;
  startTime: string;
  processors: number;
  nodes: string;
  partition: string;
}

export type SbatchTestOnlyResult = SbatchTestOnlyEstimate | { ok: false; errors: string[] };

/**
 * `sbatch: error: X` lines → `X`, in order, without duplicates.
 */
function parseSbatchErrors(stderr: string): string[] {
  const errors: string[] = [];
  for (const line of stderr.split('\n')) {
    // --test-only prints the controller's refusal as "allocation failure: ..." without a prefix.
    const match = /^\s*(?:sbatch:\s*(?:error|fatal):|allocation failure:)\s*(.+?)\s*$/.exec(line);
    if (match?.[1] && !errors.includes(match[1])) errors.push(match[1]);
  }
  return errors;
}

const TEST_ONLY =
  /sbatch: Job (\d+) to start at (\S+) using (\d+) processors? on nodes? (\S+) in partition (\S+)/;

/** Reads `sbatch --test-only` (it writes to stderr, and exits 0 only when the job is accepted). */
export function parseSbatchTestOnly(output: Pick<SlurmCommandOutput, 'stdout' | 'stderr'>): SbatchTestOnlyResult {
  const text = `${output.stderr}\n${output.stdout}`;
  const match = TEST_ONLY.exec(text);
  if (match?.[1] && match[2] && match[3] && match[4] && match[5]) {
    return { ok: true, jobId: match[1], startTime: match[2], processors: Number(match[3]), nodes: match[4], partition: match[5] };
  }
  const errors = parseSbatchErrors(text);
  if (errors.length === 0) errors.push(text.trim() === '' ? 'sbatch --test-only printed nothing' : text.trim().slice(0, 500));
  return { ok: false, errors };
}

/**
 * Reads a submission. Throws ControllerUnreachableError when the controller did not answer
 * (the caller must look the run tag up before retrying: the job may exist), SbatchRejectedError
 * when sbatch refused the script, SlurmCommandError otherwise.
 */
export function readSbatchOutput(script: string, output: SlurmCommandOutput): SbatchSubmission {
  const condition = checkControllerReachable(output);
  if (output.exitCode !== 0) {
    const errors = parseSbatchErrors(output.stderr);
    if (errors.length > 0) throw new SbatchRejectedError(script, errors);
    throw new SlurmCommandError('sbatch', output, condition);
  }
  return parseSbatchParsable(output.stdout);
}
