/**
 * From the file's shape to the typed, resolved config: presets merged, defaults filled, and every
 * fact that needs the whole document checked (cluster and partition names, limits, accounts).
 * All problems are collected and reported together.
 */
import { resolve } from 'node:path';
import { ConfigError, type ConfigIssue } from '../errors.js';
import { parseSlurmDuration } from '../slurm/time.js';
import { parseSlurmMemory } from '../slurm/memory.js';
import { findPreset, PRESETS } from './presets.js';
import type { RawCluster, RawConfig, RawExperiment, RawPartition, Rates, Scalar, SshSettings } from './schema.js';
import type { LoadedConfig } from './load.js';
import { sortIssues, type SourceMap } from './source-map.js';
import { closest } from './suggest.js';
import { resolveExperiment } from './resolve-experiment.js';

export interface Partition {
  name: string;
  kind: 'gpu' | 'cpu';
  description: string | undefined;
  gpus_per_node: number;
  gpu_type: string | undefined;
  gpu_request: 'gres' | 'gpus-per-node';
  cpus_per_node: number | undefined;
  mem_per_node_mib: number | undefined;
  max_time_s: number | undefined;
  default_time_s: number | undefined;
  max_nodes: number | undefined;
  shared: boolean;
  /** Whole nodes are allocated and billed whatever the job asks for. */
  whole_node: boolean;
}

export interface Cluster {
  name: string;
  preset: string | undefined;
  description: string | undefined;
  source: string | undefined;
  checked: string | undefined;
  transport: 'ssh' | 'local';
  ssh: SshSettings | undefined;
  project: string | undefined;
  user: string | undefined;
  workdir: string;
  scratch: string | undefined;
  hf_cache: string | undefined;
  account: string | undefined;
  qos: string | undefined;
  require_account: boolean;
  max_time_s: number | undefined;
  partitions: Record<string, Partition>;
  default_partition: string | undefined;
  setup: string[];
  env: Record<string, string>;
  rates: Rates;
  extra_directives: string[];
}

export interface Resources {
  time: string;
  time_s: number;
  nodes: number;
  gpus_per_node: number;
  ntasks_per_node: number;
  cpus_per_task: number;
  mem: string | undefined;
  mem_mib: number | undefined;
  exclusive: boolean;
  constraint: string | undefined;
}

export interface Profiling {
  nvidia_smi: boolean;
  interval_ms: number;
  gpu_fields: string[] | undefined;
  warmup: number;
  percentile_method: 'linear' | 'nearest-rank';
  slo: { ttft_ms?: number; tpot_ms?: number; e2e_ms?: number };
  latency_slo_ms: number | undefined;
  extractors: { pattern: string; flags?: string; fields?: string[]; file?: string }[];
  inference_log: string | undefined;
  training_log: string | undefined;
  sample_processes: boolean;
  sacct_fields: string | undefined;
  /** Percent; undefined means the default, 0 (busy = utilization > 0 %). */
  gpu_busy_threshold_pct: number | undefined;
}

export interface Checkpoint {
  enabled: boolean;
  signal: 'USR1' | 'USR2' | 'TERM' | 'INT';
  seconds_before: number;
  requeue: boolean;
  dir: string;
  grace_seconds: number;
  term_grace_seconds: number;
  max_restarts: number;
}

export interface Sweep {
  matrix: Record<string, Scalar[]>;
  max_parallel: number | undefined;
  exclude: Record<string, Scalar>[];
}

export interface Experiment {
  name: string;
  description: string | undefined;
  template: string;
  cluster: string;
  partition: string;
  job_name: string;
  resources: Resources;
  command: string | undefined;
  files: string[];
  parameters: Record<string, Scalar>;
  sweep: Sweep | undefined;
  profiling: Profiling;
  depends_on: string[];
  models: string[];
  datasets: string[];
  checkpoint: Checkpoint;
  references: Record<string, { value: number; tolerance_pct: number; direction: 'higher' | 'lower' }>;
  env: Record<string, string>;
  setup: string[];
  extra_directives: string[];
}

export interface ResolvedConfig {
  /** The config file as shown in messages. */
  file: string;
  /** Absolute project directory (the config file's directory, or its `root:`): relative paths in it start here. */
  root: string;
  project: string | undefined;
  clusters: Record<string, Cluster>;
  experiments: Record<string, Experiment>;
}

/** The source map of each config resolved from a file: preflight checks report positions with it. */
const SOURCES = new WeakMap<ResolvedConfig, SourceMap>();

/** Where the config came from, for file:line:column in later checks; undefined for a config built in code. */
export function sourceMapOf(config: ResolvedConfig): SourceMap | undefined {
  return SOURCES.get(config);
}

/** Collects issues while resolving, so that all of them are reported together. */
export class IssueCollector {
  readonly issues: ConfigIssue[] = [];
  constructor(readonly source: SourceMap) {}

  add(path: readonly (string | number)[], message: string, options?: { key?: string; atKey?: boolean }): void {
    this.issues.push(this.source.issue(path, message, options));
  }

  /** Parses a SLURM duration, recording an issue (and returning undefined) when it is malformed. */
  duration(path: readonly (string | number)[], value: string | number | undefined): number | undefined {
    if (value === undefined) return undefined;
    try {
      return parseSlurmDuration(String(value));
    } catch {
      this.add(
        path,
        `malformed time ${JSON.stringify(String(value))}: expected one of MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS`,
      );
      return undefined;
    }
  }

  memory(path: readonly (string | number)[], value: string | number | undefined): number | undefined {
    if (value === undefined) return undefined;
    if (typeof value === 'number') return value;
    try {
      return parseSlurmMemory(value);
    } catch {
      this.add(path, `malformed memory ${JSON.stringify(value)}: expected a size such as 64G, 512M or 1T`);
      return undefined;
    }
  }
}

function mergePartitions(
  base: Record<string, RawPartition> | undefined,
  override: Record<string, RawPartition> | undefined,
): Record<string, RawPartition> {
  const merged: Record<string, RawPartition> = { ...(base ?? {}) };
  for (const [name, fields] of Object.entries(override ?? {})) merged[name] = { ...(merged[name] ?? {}), ...fields };
  return merged;
}

/** The user's cluster on top of its preset: scalar fields replace, partitions and env merge by key. */
function mergeWithPreset(preset: RawCluster | undefined, user: RawCluster): RawCluster {
  if (!preset) return user;
  return {
    ...preset,
    ...user,
    partitions: mergePartitions(preset.partitions, user.partitions),
    env: { ...(preset.env ?? {}), ...(user.env ?? {}) },
    rates: { ...(preset.rates ?? {}), ...(user.rates ?? {}) },
  };
}

function substitute(template: string | undefined, cluster: RawCluster): string | undefined {
  if (template === undefined) return undefined;
  return template.replace(/\{(project|user)\}/g, (whole, key: 'project' | 'user') => cluster[key] ?? whole);
}

function resolveCluster(name: string, user: RawCluster, issues: IssueCollector): Cluster {
  const path = ['clusters', name];
  let presetCluster: RawCluster | undefined;
  if (user.preset !== undefined) {
    presetCluster = findPreset(user.preset)?.cluster;
    if (!presetCluster) {
      const names = [...PRESETS.keys()];
      const guess = closest(user.preset, names);
      issues.add(
        [...path, 'preset'],
        `unknown preset '${user.preset}'${guess ? ` — did you mean '${guess}'? The rest was checked against '${guess}'.` : ''} Known presets: ${names.join(', ')}.`,
      );
      // Checking partitions and limits against the likely preset reports them in this pass, not the next.
      if (guess !== undefined) presetCluster = findPreset(guess)?.cluster;
    }
  }
  const raw = mergeWithPreset(presetCluster, user);
  const partitions: Record<string, Partition> = {};
  for (const [pname, p] of Object.entries(raw.partitions ?? {})) {
    const ppath = [...path, 'partitions', pname];
    if (p.kind === undefined) issues.add(ppath, `partition '${pname}' has no kind: add \`kind: gpu\` or \`kind: cpu\``);
    const kind = p.kind ?? 'cpu';
    if (kind === 'gpu' && !p.gpus_per_node) {
      issues.add(ppath, `GPU partition '${pname}' needs gpus_per_node (the number of GPUs on one node)`);
    }
    partitions[pname] = {
      name: pname,
      kind,
      description: p.description,
      gpus_per_node: p.gpus_per_node ?? 0,
      gpu_type: p.gpu_type,
      gpu_request: p.gpu_request ?? 'gres',
      cpus_per_node: p.cpus_per_node,
      mem_per_node_mib: issues.memory([...ppath, 'mem_per_node'], p.mem_per_node),
      max_time_s: issues.duration([...ppath, 'max_time'], p.max_time),
      default_time_s: issues.duration([...ppath, 'default_time'], p.default_time),
      max_nodes: p.max_nodes,
      shared: p.shared ?? false,
      whole_node: p.whole_node ?? false,
    };
  }
  const presetUnknown = user.preset !== undefined && !presetCluster;
  if (Object.keys(partitions).length === 0 && !presetUnknown) {
    issues.add(path, `cluster '${name}' has no partitions: declare them under \`partitions:\` or use a preset (${[...PRESETS.keys()].join(', ')})`);
  }
  if (raw.default_partition !== undefined && !partitions[raw.default_partition]) {
    issues.add([...path, 'default_partition'], `unknown partition '${raw.default_partition}'; this cluster has: ${Object.keys(partitions).join(', ')}`);
  }
  const transport = raw.transport ?? 'ssh';
  let ssh: SshSettings | undefined;
  if (typeof raw.ssh === 'string') ssh = { host: raw.ssh };
  else ssh = raw.ssh;
  if (transport === 'ssh' && !ssh) {
    issues.add(path, `cluster '${name}' uses transport ssh but has no \`ssh:\` target: give a Host alias from ~/.ssh/config, or "user@host"`);
  }
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw.env ?? {})) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) issues.add([...path, 'env'], `'${key}' is not a valid environment variable name (letters, digits, _; not starting with a digit)`, { key });
    env[key] = String(value);
  }
  return {
    name,
    preset: user.preset,
    description: raw.description,
    source: raw.source,
    checked: raw.checked,
    transport,
    ssh,
    project: raw.project,
    user: raw.user,
    workdir: substitute(raw.workdir, raw) ?? '~/hpcbench',
    scratch: substitute(raw.scratch, raw),
    hf_cache: substitute(raw.hf_cache, raw) ?? (raw.scratch ? `${substitute(raw.scratch, raw)}/hf-cache` : undefined),
    account: raw.account,
    qos: raw.qos,
    require_account: raw.require_account ?? false,
    max_time_s: issues.duration([...path, 'max_time'], raw.max_time),
    partitions,
    default_partition: raw.default_partition,
    setup: raw.setup ?? [],
    env,
    rates: raw.rates ?? {},
    extra_directives: raw.extra_directives ?? [],
  };
}

/** Resolves a loaded config; throws one ConfigError listing every problem. */
export function resolveConfig(loaded: LoadedConfig, root: string = process.cwd()): ResolvedConfig {
  const { config, issues } = resolveConfigCollecting(loaded, root);
  if (issues.length > 0) throw new ConfigError(sortIssues(issues));
  return config;
}

/**
 * Resolves what can be resolved and returns the problems instead of throwing: the config holds the
 * experiments that resolved, so later checks (`config check`) can still look at them.
 */
export function resolveConfigCollecting(loaded: LoadedConfig, root: string = process.cwd()): { config: ResolvedConfig; issues: ConfigIssue[] } {
  const issues = new IssueCollector(loaded.source);
  const raw: RawConfig = loaded.raw;
  const clusters: Record<string, Cluster> = {};
  for (const [name, cluster] of Object.entries(raw.clusters)) clusters[name] = resolveCluster(name, cluster, issues);
  if (Object.keys(clusters).length === 0) issues.add(['clusters'], 'no clusters defined: add at least one under `clusters:`');
  const experiments: Record<string, Experiment> = {};
  const rawExperiments: Record<string, RawExperiment> = raw.experiments ?? {};
  for (const [name, exp] of Object.entries(rawExperiments)) {
    const resolved = resolveExperiment(name, exp, { clusters, defaults: raw.defaults, experimentNames: Object.keys(rawExperiments) }, issues);
    if (resolved) experiments[name] = resolved;
  }
  checkDependencyCycles(rawExperiments, issues);
  const config: ResolvedConfig = { file: loaded.file, root: resolve(root, raw.root ?? '.'), project: raw.project, clusters, experiments };
  SOURCES.set(config, loaded.source);
  return { config, issues: issues.issues };
}

function checkDependencyCycles(experiments: Record<string, RawExperiment>, issues: IssueCollector): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, trail: string[]): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(name)), name];
      issues.add(['experiments', name, 'depends_on'], `dependency cycle: ${cycle.join(' → ')}; remove one of these dependencies`);
      return;
    }
    state.set(name, 'visiting');
    for (const dep of experiments[name]?.depends_on ?? []) if (experiments[dep]) visit(dep, [...trail, name]);
    state.set(name, 'done');
  };
  for (const name of Object.keys(experiments)) visit(name, []);
}

