/**
 * One experiment: which cluster and partition it runs on, its resources sized from the partition,
 * and every check that would otherwise surface only after hours in the queue.
 */
import { formatSlurmDuration } from '../slurm/time.js';
import type { RawConfig, RawExperiment, Scalar } from './schema.js';
import type { Cluster, Experiment, IssueCollector, Partition, Profiling, Resources } from './resolve.js';
import { closest } from './suggest.js';

/** Characters SLURM and the shell pass through unchanged in a job name. */
export const JOB_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const HF_ID = /^[A-Za-z0-9][\w.-]*(\/[A-Za-z0-9][\w.-]*)?$/;
const DEFAULT_TIME_S = 3600;
const DEFAULT_SECONDS_BEFORE = 300;
const DEFAULT_GRACE_SECONDS = 120;
/** Below SLURM's default KillWait (30 s), so the job still writes exit.json before SIGKILL. */
const DEFAULT_TERM_GRACE_SECONDS = 20;
const DEFAULT_MAX_RESTARTS = 10;
/** What the trap needs after the grace to requeue and exit before the time limit. */
const REQUEUE_MARGIN_SECONDS = 10;

interface Context {
  clusters: Record<string, Cluster>;
  defaults: RawConfig['defaults'];
  experimentNames: string[];
}

function oneOf(names: readonly string[]): string {
  return names.length > 0 ? names.join(', ') : '(none)';
}

function unknownName(kind: string, name: string, allowed: readonly string[], where = ''): string {
  const guess = closest(name, allowed);
  return `unknown ${kind} '${name}'${where}${guess ? ` — did you mean '${guess}'?` : ''}; allowed: ${oneOf(allowed)}`;
}

function pickCluster(name: string, exp: RawExperiment, ctx: Context, issues: IssueCollector): Cluster | undefined {
  const names = Object.keys(ctx.clusters);
  const wanted = exp.cluster ?? ctx.defaults?.cluster ?? (names.length === 1 ? names[0] : undefined);
  if (wanted === undefined) {
    issues.add(['experiments', name], `experiment '${name}' names no cluster and there are several: set \`cluster:\` to one of ${oneOf(names)}`);
    return undefined;
  }
  const cluster = ctx.clusters[wanted];
  if (!cluster) {
    const path = exp.cluster !== undefined ? ['experiments', name, 'cluster'] : ['defaults', 'cluster'];
    issues.add(path, unknownName('cluster', wanted, names));
  }
  return cluster;
}

function pickPartition(name: string, exp: RawExperiment, cluster: Cluster, issues: IssueCollector): Partition | undefined {
  const names = Object.keys(cluster.partitions);
  const wanted = exp.partition ?? cluster.default_partition ?? (names.length === 1 ? names[0] : undefined);
  if (wanted === undefined) {
    issues.add(['experiments', name], `experiment '${name}' names no partition: set \`partition:\` to one of ${oneOf(names)}`);
    return undefined;
  }
  const partition = cluster.partitions[wanted];
  if (!partition) issues.add(['experiments', name, 'partition'], unknownName('partition', wanted, names, ` on cluster '${cluster.name}'`));
  return partition;
}

/**
 * An unknown partition (already reported) stands in with no limits, so the experiment's other
 * checks (parameters, files, command) still run in this pass; a config with an issue never renders.
 */
function standInPartition(exp: RawExperiment): Partition | undefined {
  if (exp.partition === undefined) return undefined;
  const gpus = exp.resources?.gpus ?? 0;
  return {
    name: exp.partition,
    kind: gpus > 0 ? 'gpu' : 'cpu',
    description: undefined,
    gpus_per_node: gpus,
    gpu_type: undefined,
    gpu_request: 'gres',
    cpus_per_node: undefined,
    mem_per_node_mib: undefined,
    max_time_s: undefined,
    default_time_s: undefined,
    max_nodes: undefined,
    shared: true,
    whole_node: false,
  };
}

function formatMiB(mib: number): string {
  return mib % 1024 === 0 ? `${mib / 1024}G` : `${mib}M`;
}

function resolveResources(name: string, exp: RawExperiment, cluster: Cluster, partition: Partition, issues: IssueCollector): Resources {
  const path = ['experiments', name, 'resources'];
  const r = exp.resources ?? {};
  const limit = Math.min(partition.max_time_s ?? Infinity, cluster.max_time_s ?? Infinity);
  let timeS = issues.duration([...path, 'time'], r.time);
  if (r.time !== undefined && timeS !== undefined && timeS > limit) {
    const longer = Object.values(cluster.partitions)
      .filter((p) => p.kind === partition.kind && (p.max_time_s ?? Infinity) >= timeS! && (cluster.max_time_s ?? Infinity) >= timeS!)
      .map((p) => p.name);
    const allows = formatSlurmDuration(limit);
    const who = limit === cluster.max_time_s && limit < (partition.max_time_s ?? Infinity) ? `cluster '${cluster.name}'` : `partition '${partition.name}'`;
    issues.add(
      [...path, 'time'],
      `${who} allows ${allows}, you asked ${formatSlurmDuration(timeS)} — lower \`time\`${longer.length > 0 ? ` or pick ${longer.join(', ')}` : ''}`,
    );
  }
  timeS ??= Math.min(partition.default_time_s ?? DEFAULT_TIME_S, limit);

  const nodes = r.nodes ?? 1;
  if (partition.max_nodes !== undefined && nodes > partition.max_nodes) {
    issues.add([...path, 'nodes'], `partition '${partition.name}' allows at most ${partition.max_nodes} node(s) per job, you asked ${nodes}`);
  }

  const gpus = r.gpus ?? (partition.kind === 'gpu' ? 1 : 0);
  if (gpus > 0 && partition.kind === 'cpu') {
    const gpuPartitions = Object.values(cluster.partitions).filter((p) => p.kind === 'gpu').map((p) => p.name);
    issues.add([...path, 'gpus'], `partition '${partition.name}' is a CPU partition and has no GPUs; set gpus: 0 or pick a GPU partition: ${oneOf(gpuPartitions)}`);
  } else if (partition.kind === 'gpu' && gpus > partition.gpus_per_node) {
    issues.add(
      [...path, 'gpus'],
      `a node of partition '${partition.name}' has ${partition.gpus_per_node} GPU(s); gpus is per node, so ask for at most ${partition.gpus_per_node} and raise \`nodes\` for more`,
    );
  }

  const share = partition.kind === 'gpu' && partition.gpus_per_node > 0 ? Math.min(gpus, partition.gpus_per_node) / partition.gpus_per_node : undefined;
  const ntasks = r.ntasks_per_node ?? 1;
  let cpus = r.cpus_per_task;
  if (cpus === undefined) {
    if (partition.cpus_per_node === undefined) cpus = 1;
    // The whole node is billed anyway: the job may as well have every CPU of it.
    else if (partition.whole_node) cpus = Math.max(1, Math.floor(partition.cpus_per_node / ntasks));
    else if (share !== undefined) cpus = Math.max(1, Math.floor((partition.cpus_per_node * share) / ntasks));
    else cpus = partition.shared ? 1 : Math.max(1, Math.floor(partition.cpus_per_node / ntasks));
  }
  if (partition.cpus_per_node !== undefined && cpus * ntasks > partition.cpus_per_node) {
    issues.add([...path, 'cpus_per_task'], `a node of partition '${partition.name}' has ${partition.cpus_per_node} CPUs; cpus_per_task × ntasks_per_node = ${cpus * ntasks}`);
  }

  let memMiB = issues.memory([...path, 'mem'], r.mem);
  if (memMiB !== undefined && partition.mem_per_node_mib !== undefined && memMiB > partition.mem_per_node_mib) {
    issues.add([...path, 'mem'], `a node of partition '${partition.name}' has ${formatMiB(partition.mem_per_node_mib)} of memory, you asked ${formatMiB(memMiB)}`);
  }
  // sbatch refuses a --mem of the nominal node memory (the OS keeps some); --mem=0 asks for all of it.
  const wholeNodeMem = memMiB === undefined && partition.whole_node;
  if (wholeNodeMem) memMiB = partition.mem_per_node_mib;
  else if (memMiB === undefined && share !== undefined && partition.mem_per_node_mib !== undefined) {
    memMiB = Math.floor((partition.mem_per_node_mib * share) / 1024) * 1024 || partition.mem_per_node_mib;
  }
  return {
    time: formatSlurmDuration(timeS),
    time_s: timeS,
    nodes,
    gpus_per_node: gpus,
    ntasks_per_node: ntasks,
    cpus_per_task: cpus,
    mem: wholeNodeMem ? '0' : memMiB === undefined ? undefined : formatMiB(memMiB),
    mem_mib: memMiB,
    exclusive: r.exclusive ?? false,
    constraint: r.constraint,
  };
}

function checkIdentifiers(path: (string | number)[], record: Record<string, unknown> | undefined, what: string, issues: IssueCollector): void {
  for (const key of Object.keys(record ?? {})) {
    if (!IDENTIFIER.test(key)) issues.add(path, `'${key}' is not a valid ${what} name: use letters, digits and _, not starting with a digit`, { key });
  }
}

function resolveProfiling(name: string, exp: RawExperiment, ctx: Context, partition: Partition, issues: IssueCollector): Profiling {
  const p = { ...(ctx.defaults?.profiling ?? {}), ...(exp.profiling ?? {}) };
  (p.extractors ?? []).forEach((extractor, i) => {
    try {
      new RegExp(extractor.pattern, extractor.flags);
    } catch (error) {
      issues.add(['experiments', name, 'profiling', 'extractors', i, 'pattern'], `invalid regular expression: ${(error as Error).message}`);
    }
  });
  return {
    nvidia_smi: p.nvidia_smi ?? partition.kind === 'gpu',
    interval_ms: p.interval_ms ?? 1000,
    gpu_fields: p.gpu_fields,
    warmup: p.warmup ?? 0,
    percentile_method: p.percentile_method ?? 'linear',
    slo: p.slo ?? {},
    latency_slo_ms: p.latency_slo_ms,
    extractors: p.extractors ?? [],
    inference_log: p.inference_log,
    training_log: p.training_log,
    sample_processes: p.sample_processes ?? true,
    sacct_fields: p.sacct_fields,
    gpu_busy_threshold_pct: p.gpu_busy_threshold_pct,
  };
}

/** A signal that can mean "checkpoint", after the start, leaving the grace plus a margin before the limit. */
function checkCheckpoint(ck: Experiment['checkpoint'], timeS: number, path: (string | number)[], issues: IssueCollector): void {
  if (ck.signal === 'TERM' || ck.signal === 'INT') {
    issues.add([...path, 'signal'], `signal ${ck.signal} cannot ask for a checkpoint: scancel, the time limit and Ctrl-C send TERM and INT to end a job, and a requeue must not follow them — use USR1 or USR2`);
  }
  if (ck.seconds_before >= timeS) {
    issues.add([...path, 'seconds_before'], `the signal would come ${ck.seconds_before} s before a time limit of ${timeS} s, i.e. before the job starts: use a smaller value`);
    return;
  }
  const room = ck.seconds_before - REQUEUE_MARGIN_SECONDS;
  if (ck.grace_seconds > room) {
    issues.add(
      [...path, 'grace_seconds'],
      `a grace of ${ck.grace_seconds} s does not fit in the signal's lead time: the signal comes ${ck.seconds_before} s (seconds_before) before the time limit and the requeue needs ${REQUEUE_MARGIN_SECONDS} s after the grace — use grace_seconds ≤ ${Math.max(room, 0)} or raise seconds_before`,
    );
  }
}

const LOWER_IS_BETTER = /latency|ttft|tpot|itl|time|duration|energy|joule|cost|wait|memory|loss/i;

export function resolveExperiment(name: string, exp: RawExperiment, ctx: Context, issues: IssueCollector): Experiment | undefined {
  const path = ['experiments', name];
  if (!JOB_NAME_PATTERN.test(name)) {
    issues.add(path, `experiment name '${name}' cannot be used in a job name: use letters, digits, '.', '_' and '-' (at most 64, starting with a letter or digit)`, { atKey: true });
  }
  if (exp.job_name !== undefined && !JOB_NAME_PATTERN.test(exp.job_name)) {
    issues.add([...path, 'job_name'], `job name ${JSON.stringify(exp.job_name)} has characters SLURM or the shell would mangle: use letters, digits, '.', '_' and '-' (at most 64)`);
  }
  for (const [i, dep] of (exp.depends_on ?? []).entries()) {
    if (dep === name) issues.add([...path, 'depends_on', i], `experiment '${name}' cannot depend on itself`);
    else if (!ctx.experimentNames.includes(dep)) issues.add([...path, 'depends_on', i], unknownName('experiment', dep, ctx.experimentNames.filter((n) => n !== name)));
  }
  checkIdentifiers([...path, 'parameters'], exp.parameters, 'parameter', issues);
  checkIdentifiers([...path, 'env'], exp.env, 'environment variable', issues);
  checkIdentifiers([...path, 'sweep', 'matrix'], exp.sweep?.matrix, 'sweep parameter', issues);
  for (const [i, point] of (exp.sweep?.exclude ?? []).entries()) {
    for (const key of Object.keys(point)) {
      if (!(key in (exp.sweep?.matrix ?? {}))) issues.add([...path, 'sweep', 'exclude', i], `'${key}' is not a swept parameter; swept: ${oneOf(Object.keys(exp.sweep?.matrix ?? {}))}`, { key });
    }
  }
  for (const [i, id] of [...(exp.models ?? [])].entries()) {
    if (!HF_ID.test(id)) issues.add([...path, 'models', i], `'${id}' is not a Hugging Face id such as distilgpt2 or org/model-name`);
  }

  const cluster = pickCluster(name, exp, ctx, issues);
  if (!cluster) return undefined;
  const partition = pickPartition(name, exp, cluster, issues) ?? standInPartition(exp);
  if (!partition) return undefined;
  if (cluster.require_account && !cluster.account) {
    issues.add(['clusters', cluster.name], `cluster '${cluster.name}' requires an account (--account) and none is set: add \`account: <your project account>\` (see \`sacctmgr show assoc user=$USER\`)`);
  }
  const resources = resolveResources(name, exp, cluster, partition, issues);
  const ck = exp.checkpoint ?? {};
  const checkpoint = {
    enabled: ck.enabled ?? exp.checkpoint !== undefined,
    signal: ck.signal ?? 'USR1',
    seconds_before: ck.seconds_before ?? DEFAULT_SECONDS_BEFORE,
    requeue: ck.requeue ?? true,
    dir: ck.dir ?? 'checkpoints',
    grace_seconds: ck.grace_seconds ?? Math.min(DEFAULT_GRACE_SECONDS, Math.max(1, (ck.seconds_before ?? DEFAULT_SECONDS_BEFORE) - REQUEUE_MARGIN_SECONDS)),
    term_grace_seconds: ck.term_grace_seconds ?? DEFAULT_TERM_GRACE_SECONDS,
    max_restarts: ck.max_restarts ?? DEFAULT_MAX_RESTARTS,
  } as const;
  if (checkpoint.enabled) checkCheckpoint(checkpoint, resources.time_s, [...path, 'checkpoint'], issues);
  const template = exp.template ?? (partition.kind === 'gpu' ? (resources.nodes > 1 ? 'multinode' : 'gpu') : 'cpu');
  const references: Experiment['references'] = {};
  for (const [metric, ref] of Object.entries(exp.references ?? {})) {
    references[metric] = { value: ref.value, tolerance_pct: ref.tolerance_pct ?? 5, direction: ref.direction ?? (LOWER_IS_BETTER.test(metric) ? 'lower' : 'higher') };
  }
  const toStrings = (record: Record<string, Scalar> | undefined): Record<string, string> =>
    Object.fromEntries(Object.entries(record ?? {}).map(([k, v]) => [k, String(v)]));
  return {
    name,
    description: exp.description,
    template,
    cluster: cluster.name,
    partition: partition.name,
    job_name: exp.job_name ?? name,
    resources,
    command: exp.command,
    files: exp.files ?? [],
    parameters: exp.parameters ?? {},
    sweep: exp.sweep ? { matrix: exp.sweep.matrix, max_parallel: exp.sweep.max_parallel, exclude: exp.sweep.exclude ?? [] } : undefined,
    profiling: resolveProfiling(name, exp, ctx, partition, issues),
    depends_on: exp.depends_on ?? [],
    models: exp.models ?? [],
    datasets: exp.datasets ?? [],
    checkpoint,
    references,
    env: toStrings(exp.env),
    setup: exp.setup ?? [],
    extra_directives: exp.extra_directives ?? [],
  };
}
