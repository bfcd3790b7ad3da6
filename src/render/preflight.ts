/**
 * Checks made before anything is written, on top of those in src/config (partitions, time
 * limits, GPUs, accounts, time formats, job names): the ones that matter only when a script is
 * rendered — a value that cannot be placed in an #SBATCH line, a sweep value that would break the
 * sweep file, a parameter that would clobber PATH, a dependency on another cluster, a missing
 * command, template or file, a placeholder naming no parameter. `config check`, render and submit
 * all run this one function. Every issue names the config path, its line and column when the
 * config came from a file, and what is allowed.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError, formatIssue, type ConfigIssue } from '../errors.js';
import type { Experiment, ResolvedConfig } from '../config/index.js';
import { sourceMapOf } from '../config/resolve.js';
import { formatPath, type ConfigPath } from '../config/source-map.js';
import { closest } from '../config/suggest.js';
import { quoteDirective } from './environment.js';
import { checkAllocConf, checkCommand, type IssueSink } from './preflight-command.js';
import { checkWholeNode } from './preflight-whole-node.js';
import { expandSweep } from './sweep.js';

/** Names a parameter may not take: the job's own variables and those that change how bash or the loader behave. */
const RESERVED_NAMES = new Set([
  'PATH', 'HOME', 'IFS', 'BASH_ENV', 'ENV', 'SHELLOPTS', 'BASHOPTS', 'PS4', 'CDPATH', 'GLOBIGNORE',
  'LD_PRELOAD', 'LD_LIBRARY_PATH', 'PROMPT_COMMAND', 'SHELL', 'USER', 'PWD', 'OLDPWD', 'HOSTNAME',
  'MASTER_ADDR', 'MASTER_PORT', 'HF_HOME', 'HF_HUB_CACHE', 'HF_HUB_OFFLINE', 'TRANSFORMERS_OFFLINE', 'HF_DATASETS_OFFLINE',
]);
const RESERVED_PREFIXES = ['HPCBENCH_', 'SLURM_', 'SBATCH_', 'hpcb_'];
const HF_ID = /^[A-Za-z0-9][\w.-]*(\/[A-Za-z0-9][\w.-]*)?$/;
/** SLURM's default MaxArraySize is 1001: larger arrays are refused unless the site raised it. */
const DEFAULT_MAX_ARRAY_SIZE = 1001;

export interface PreflightOptions {
  /** Job template names that exist (shipped plus project). */
  templates: readonly string[];
  /** Check that `files:` exist under the config's directory. */
  checkFiles?: boolean;
}

export interface PreflightResult {
  /** Each warning as one line: file:line:column: path: message. */
  warnings: string[];
  /** The same warnings as issues, for --json. */
  notes: ConfigIssue[];
}

/** Builds issues at config paths, with positions when the config came from a file. */
function createSink(config: ResolvedConfig, issues: ConfigIssue[], notes: ConfigIssue[]): IssueSink {
  const source = sourceMapOf(config);
  const make = (path: ConfigPath, message: string, key?: string): ConfigIssue =>
    source ? source.issue(path, message, key !== undefined ? { key } : {}) : { file: config.file, path: formatPath(key !== undefined ? [...path, key] : path), message };
  return {
    error: (path, message, key) => void issues.push(make(path, message, key)),
    warn: (path, message, key) => void notes.push(make(path, message, key)),
  };
}

function reservedReason(name: string): string | undefined {
  if (RESERVED_NAMES.has(name)) return `'${name}' is reserved (the job script or the shell relies on it)`;
  const prefix = RESERVED_PREFIXES.find((p) => name.startsWith(p));
  return prefix ? `'${name}' starts with ${prefix}, which is reserved for the job's own variables` : undefined;
}

function directiveProblem(value: string): string | undefined {
  try {
    quoteDirective(value);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

function checkExperiment(config: ResolvedConfig, exp: Experiment, options: PreflightOptions, sink: IssueSink): void {
  const at = (...parts: (string | number)[]): ConfigPath => ['experiments', exp.name, ...parts];
  const add = (path: ConfigPath, message: string): void => sink.error(path, message);
  const cluster = config.clusters[exp.cluster];
  if (!options.templates.includes(exp.template)) {
    const guess = closest(exp.template, options.templates);
    add(at('template'), `unknown template '${exp.template}'${guess ? ` — did you mean '${guess}'?` : ''}; allowed: ${options.templates.join(', ')} (or add templates/sbatch/${exp.template}.sbatch.njk next to the config)`);
  }
  checkCommand(exp, sink);
  checkWholeNode(cluster, exp, sink);
  const directiveValues: [ConfigPath, string | undefined][] = [
    [at('job_name'), exp.job_name],
    [at('partition'), exp.partition],
    [at('resources', 'constraint'), exp.resources.constraint],
    [['clusters', exp.cluster, 'account'], cluster?.account],
    [['clusters', exp.cluster, 'qos'], cluster?.qos],
  ];
  for (const [path, value] of directiveValues) {
    const problem = value === undefined ? undefined : directiveProblem(value);
    if (problem) add(path, problem);
  }
  const extra: [ConfigPath, string][] = [
    ...(cluster?.extra_directives ?? []).map((d, i): [ConfigPath, string] => [['clusters', exp.cluster, 'extra_directives', i], d]),
    ...exp.extra_directives.map((d, i): [ConfigPath, string] => [at('extra_directives', i), d]),
  ];
  for (const [path, directive] of extra) {
    const problem = directiveProblem(directive);
    if (problem) add(path, problem);
    else if (!directive.startsWith('-')) add(path, `${JSON.stringify(directive)} is not an sbatch option: expected something like --constraint=a100 or --mail-type=END`);
  }
  const sweepNames = Object.keys(exp.sweep?.matrix ?? {});
  for (const name of Object.keys(exp.parameters)) {
    const reason = reservedReason(name);
    if (reason) add(at('parameters', name), `${reason}: rename the parameter`);
  }
  for (const name of sweepNames) {
    const reason = reservedReason(name);
    if (reason) add(at('sweep', 'matrix', name), `${reason}: rename the sweep parameter`);
  }
  for (const [name, values] of Object.entries(exp.sweep?.matrix ?? {})) {
    values.forEach((value, i) => {
      if (typeof value === 'string' && (value === '' || /[\t\r\n]/.test(value))) {
        add(at('sweep', 'matrix', name, i), `sweep value ${JSON.stringify(value)} is empty or contains a tab or newline, which the sweep file cannot hold: use a plain value`);
      }
    });
  }
  if (exp.sweep) {
    const size = expandSweep(exp.sweep).length;
    if (size === 0) add(at('sweep', 'exclude'), 'every point of the sweep matrix is excluded: nothing would run; remove an exclude rule');
    else if (size > DEFAULT_MAX_ARRAY_SIZE) {
      sink.warn(at('sweep'), `${size} array tasks; SLURM's default MaxArraySize is ${DEFAULT_MAX_ARRAY_SIZE} (check \`scontrol show config | grep MaxArraySize\`)`);
    }
  }
  for (const [i, dep] of exp.depends_on.entries()) {
    const other = config.experiments[dep];
    if (other && other.cluster !== exp.cluster) {
      add(at('depends_on', i), `'${dep}' runs on cluster '${other.cluster}' and this experiment on '${exp.cluster}': SLURM dependencies work within one cluster; move both to one cluster`);
    }
  }
  exp.datasets.forEach((id, i) => {
    if (!HF_ID.test(id)) add(at('datasets', i), `'${id}' is not a Hugging Face id such as imdb or org/dataset-name`);
  });
  if ((exp.models.length > 0 || exp.datasets.length > 0) && cluster?.hf_cache === undefined) {
    sink.warn(at(exp.models.length > 0 ? 'models' : 'datasets'), `cluster '${exp.cluster}' sets neither hf_cache nor scratch, so jobs use the default Hugging Face cache in $HOME`);
  }
  exp.files.forEach((file, i) => {
    const path = at('files', i);
    if (!isAbsolute(file) && file.split(/[\\/]/).includes('..')) {
      add(path, `'${file}' leaves the project directory: list files under ${config.root}, or give an absolute path`);
    } else if (options.checkFiles !== false && !existsSync(resolve(config.root, file))) {
      add(path, `'${file}' does not exist (looked in ${config.root})`);
    }
  });
  if (exp.profiling.nvidia_smi && exp.profiling.gpu_fields !== undefined && exp.profiling.gpu_fields.length === 0) {
    add(at('profiling', 'gpu_fields'), 'the field list is empty: remove it to log the default fields, or name nvidia-smi --query-gpu fields');
  }
}

/** Every problem in the experiments (none is thrown), and the warnings; the clusters' env is checked once per cluster. */
export function collectPreflightIssues(config: ResolvedConfig, experiments: readonly Experiment[], options: PreflightOptions): { issues: ConfigIssue[]; notes: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const notes: ConfigIssue[] = [];
  const sink = createSink(config, issues, notes);
  for (const exp of experiments) checkExperiment(config, exp, options, sink);
  for (const name of new Set(experiments.map((e) => e.cluster))) checkClusterEnv(config, name, sink);
  return { issues: dropRepeats(issues), notes: dropRepeats(notes) };
}

/** Throws a ConfigError listing every problem in the experiments about to be rendered. */
export function preflightRun(config: ResolvedConfig, experiments: readonly Experiment[], options: PreflightOptions): PreflightResult {
  const { issues, notes } = collectPreflightIssues(config, experiments, options);
  if (issues.length > 0) throw new ConfigError(issues, 'Fix these in the config, then render again; nothing was written.');
  return { warnings: notes.map(formatIssue), notes };
}

/** A cluster value shared by several experiments is reported once. */
function dropRepeats(issues: readonly ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.path}\0${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function checkClusterEnv(config: ResolvedConfig, name: string, sink: IssueSink): void {
  checkAllocConf(['clusters', name, 'env'], config.clusters[name]?.env ?? {}, sink);
}
