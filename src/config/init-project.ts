/**
 * `hpcbench init`: the files that start a project — an hpcbench.yaml for one cluster with one GPU
 * and one CPU experiment, the JSON Schema editors check it against, and the reference inference
 * workload with its prompts — computed as data, then written without overwriting anything.
 *
 * The partitions come from the chosen preset at the time of writing, so the file follows the
 * presets as they change, and the written config is one that `config check` accepts.
 */
import { existsSync, lstatSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../errors.js';
import { writeFileAtomically } from '../fs-atomic.js';
import { findPreset, PRESETS } from './presets.js';
import type { RawPartition } from './schema.js';

/** The package's own directory (dist/config/ or src/config/ are two levels below it). */
const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const INIT_PRESETS = ['santos-dumont', 'sdumont-2nd', 'generic'] as const;
export type InitPreset = (typeof INIT_PRESETS)[number];

export interface InitAnswers {
  preset: InitPreset;
  /** SSH target: a Host alias from ~/.ssh/config, or user@host[:port]. */
  host: string;
  /** Fills {project} in the preset's paths (e.g. /scratch/{project}/{user}). */
  project: string;
  user: string;
  /** --account; written when given or when the preset requires one. */
  account?: string | undefined;
}

/** One file to write, relative to the project directory. */
export interface InitFile {
  path: string;
  content: string;
  /** Permission bits; workloads are executable. */
  mode?: number;
}

const SCHEMA_FILE = 'hpcbench.schema.json';
const CONFIG_FILE = 'hpcbench.yaml';

/** The reference workload (workloads/README.md): infer.py and the modules it imports. */
const WORKLOAD_FILES = ['infer.py', 'hpcbench_log.py', 'ngram_model.py', 'local_models.py'] as const;

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
// What ssh accepts as a destination without a shell or an option sneaking in.
const HOST = /^(?:[A-Za-z0-9._-]+@)?[A-Za-z0-9][A-Za-z0-9._-]*(?::\d{1,5})?$/;

/** Why an answer cannot be used, or undefined when it can. */
export function checkInitAnswer(field: keyof InitAnswers, value: string): string | undefined {
  switch (field) {
    case 'preset':
      return (INIT_PRESETS as readonly string[]).includes(value) ? undefined : `expected one of ${INIT_PRESETS.join(', ')}, got '${value}'`;
    case 'host':
      return HOST.test(value) ? undefined : `expected a Host alias from ~/.ssh/config or user@host[:port], got '${value}'`;
    case 'project':
    case 'user':
    case 'account':
      return NAME.test(value) ? undefined : `expected letters, digits, '.', '_' and '-' (it becomes part of cluster paths), got '${value}'`;
  }
}

/** Defaults offered for each answer: what a first try on the preset's cluster most likely needs. */
export function defaultInitAnswers(preset: InitPreset, dir: string, localUser: string): InitAnswers {
  const base = basename(resolve(dir)).replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  const project = NAME.test(base) ? base : 'myproject';
  return {
    preset,
    host: preset === 'generic' ? 'cluster' : 'sdumont',
    project,
    user: NAME.test(localUser) ? localUser : 'me',
    account: requiresAccount(preset) ? project : undefined,
  };
}

export function requiresAccount(preset: InitPreset): boolean {
  return findPreset(preset)?.cluster.require_account === true;
}

/** Checks every answer, listing all problems at once as an input error (exit 2). */
export function validateInitAnswers(answers: InitAnswers): InitAnswers {
  const problems: string[] = [];
  for (const field of ['preset', 'host', 'project', 'user', 'account'] as const) {
    const value = answers[field];
    if (value === undefined) continue;
    const why = checkInitAnswer(field, value);
    if (why) problems.push(`--${field}: ${why}`);
  }
  if (problems.length > 0) throw new UsageError(`${problems.join('; ')}`, 'Fix the flag (or answer) and run `hpcbench init` again.');
  return answers;
}

/** A partition of the preset for a first job: a shared one when there is one, then a short "dev" queue. */
function pickPartition(partitions: Record<string, RawPartition>, kind: 'gpu' | 'cpu', fallback: string | undefined): string | undefined {
  const names = Object.keys(partitions).filter((n) => partitions[n]?.kind === kind);
  return names.find((n) => partitions[n]?.shared === true) ?? names.find((n) => /dev/.test(n)) ?? (fallback && names.includes(fallback) ? fallback : names[0]);
}

function quote(value: string): string {
  return JSON.stringify(value);
}

/** Placeholder partitions for the generic preset, which declares none. */
const GENERIC_PARTITIONS: Record<string, RawPartition> = {
  gpu: { kind: 'gpu', gpus_per_node: 1, max_time: '01:00:00', shared: true },
  cpu: { kind: 'cpu', max_time: '01:00:00', shared: true },
};

/** The partitions lines a generic cluster needs, written from GENERIC_PARTITIONS. */
const GENERIC_PARTITION_LINES = [
  '    # The generic preset knows no partitions: rename these to yours (`sinfo -s`) and fill in their',
  '    # limits (`scontrol show partition NAME`).',
  '    partitions:',
  ...Object.entries(GENERIC_PARTITIONS).flatMap(([name, fields]) => [
    `      ${name}:`,
    ...Object.entries(fields).map(([key, value]) => `        ${key}: ${typeof value === 'string' ? quote(value) : String(value)}`),
  ]),
];

/** The text of hpcbench.yaml for these answers, commented for a first read. */
export function renderInitConfig(answers: InitAnswers, schemaRef: string = `./${SCHEMA_FILE}`): string {
  const preset = findPreset(answers.preset);
  if (!preset) throw new UsageError(`unknown preset '${answers.preset}'; expected one of ${INIT_PRESETS.join(', ')}`);
  const partitions: Record<string, RawPartition> = answers.preset === 'generic' ? GENERIC_PARTITIONS : (preset.cluster.partitions ?? {});
  const gpu = pickPartition(partitions, 'gpu', preset.cluster.default_partition) ?? 'gpu';
  const cpu = pickPartition(partitions, 'cpu', undefined) ?? 'cpu';
  const cpuShared = partitions[cpu]?.shared === true;
  const account = answers.account ?? (requiresAccount(answers.preset) ? answers.project : undefined);
  const setup = preset.cluster.setup ?? [];
  const lines = [
    `# yaml-language-server: $schema=${schemaRef}`,
    '# Written by `hpcbench init`. Every field is described in docs/config.md of hpcbench; editors with',
    '# a YAML plugin complete and check this file against the schema named on the first line.',
    '# Next: `hpcbench config check`, then `hpcbench submit cpu-example --dry-run`.',
    'version: 1',
    `project: ${quote(answers.project)}`,
    '',
    'clusters:',
    '  main:',
    `    preset: ${answers.preset}  # ${preset.summary}`,
    `    ssh: ${quote(answers.host)}  # a Host alias from ~/.ssh/config, or user@host:port`,
    `    project: ${quote(answers.project)}  # fills {project} in workdir, scratch and hf_cache`,
    `    user: ${quote(answers.user)}  # fills {user}`,
    ...(account !== undefined ? [`    account: ${quote(account)}  # sbatch --account`] : []),
    '    # Shell lines run before the workload; they replace the preset\'s. Activate your environment here:',
    '    # setup:',
    ...setup.map((line) => `    #   - ${line}`),
    '    #   - source ~/venvs/myenv/bin/activate',
    ...(answers.preset === 'generic' ? GENERIC_PARTITION_LINES : []),
    '',
    'experiments:',
    '  # Batched inference on one GPU. --random-init builds a tiny model, so nothing is downloaded;',
    '  # for a real model use `--model <id>` and list the id under `models:` (read from the offline cache).',
    '  gpu-example:',
    '    description: Batched inference benchmark on one GPU, three batch sizes',
    '    cluster: main',
    `    partition: ${gpu}`,
    '    files: [workloads/, data/prompts.txt]',
    '    command: python3 workloads/infer.py --random-init --prompts data/prompts.txt --batch-size "$batch_size" --max-new-tokens 32',
    '    resources:',
    '      time: "00:15:00"',
    '      gpus: 1',
    '    sweep:',
    '      matrix:',
    '        batch_size: [1, 4, 16]',
    '    profiling:',
    '      warmup: 1',
    '      inference_log: inference.jsonl',
    '',
    '  # The same workload on CPUs: a baseline, and a check of the setup before asking for a GPU.',
    '  cpu-example:',
    '    description: Batched inference benchmark on CPUs',
    '    cluster: main',
    `    partition: ${cpu}`,
    '    files: [workloads/, data/prompts.txt]',
    '    command: python3 workloads/infer.py --random-init --device cpu --prompts data/prompts.txt --batch-size 4 --max-new-tokens 32',
    '    resources:',
    '      time: "00:15:00"',
    ...(cpuShared
      ? ['      cpus_per_task: 4', '      mem: 8G']
      : [`      # ${cpu} gives whole nodes: the job gets every CPU of one node, and is billed for them.`]),
    '    profiling:',
    '      warmup: 1',
    '      inference_log: inference.jsonl',
    '',
  ];
  return lines.join('\n');
}

/** Every file `hpcbench init` writes, read from the package where they are copies. */
export function listInitFiles(answers: InitAnswers, packageRoot: string = PACKAGE_ROOT): InitFile[] {
  const read = (path: string): string => readFileSync(join(packageRoot, path), 'utf8');
  return [
    { path: CONFIG_FILE, content: renderInitConfig(answers) },
    { path: SCHEMA_FILE, content: read(join('schema', 'hpcbench.schema.json')) },
    ...WORKLOAD_FILES.map((name) => ({ path: `workloads/${name}`, content: read(join('workloads', name)), mode: 0o755 })),
    { path: 'data/prompts.txt', content: read(join('data_sample', 'prompts.txt')) },
  ];
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Writes the files under `dir` (created when missing). Without `force`, nothing is written when
 * any of them exists: the error names each one. Returns the paths written, relative to `dir`.
 */
export function writeInitFiles(dir: string, files: readonly InitFile[], options: { force?: boolean } = {}): string[] {
  const root = resolve(dir);
  if (existsSync(root) && !lstatSync(root).isDirectory()) throw new UsageError(`${dir} exists and is not a directory`, 'Pass --dir with a directory (it is created when missing).');
  const present = files.filter((f) => exists(join(root, f.path))).map((f) => f.path);
  if (present.length > 0 && !options.force) {
    throw new UsageError(
      `not overwriting ${present.length === 1 ? 'an existing file' : 'existing files'} in ${dir}: ${present.join(', ')}`,
      'Move them away, pick another --dir, or pass --force to overwrite them.',
    );
  }
  for (const file of files) {
    const target = join(root, file.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileAtomically(target, file.content, file.mode === undefined ? {} : { mode: file.mode });
  }
  return files.map((f) => f.path);
}

/** The presets `init` offers, with their one-line summaries, for prompts and --help. */
export function describeInitPresets(): string {
  return INIT_PRESETS.map((name) => `${name}: ${PRESETS.get(name)?.summary ?? ''}`).join('\n');
}
