/**
 * The data a job template sees: every field computed here from the resolved experiment, so the
 * templates only place values (through the quoting filters) and choose between layouts.
 */
import { basename, isAbsolute } from 'node:path';
import type { Cluster, Experiment, Partition } from '../config/index.js';
import { DEFAULT_GPU_QUERY_FIELDS } from '../profile/gpu/nvidia-smi-fields.js';
import { fillPlaceholders, findPlaceholders, parameterEnvName, substitutePlaceholders } from './placeholders.js';
import type { ParamRecord } from './sweep.js';

const DEFAULT_INFERENCE_LOG = 'inference.jsonl';
const DEFAULT_TRAINING_LOG = 'train.jsonl';

export interface NameValue {
  name: string;
  value: string | number | boolean;
}

export interface ParameterView extends NameValue {
  /** The same value's second name, HPCBENCH_PARAM_<NAME>. */
  env_name: string;
}

/**
 * How the multinode template starts the command on every node: inside its own torchrun (`wrap`),
 * the user's own torchrun once per node under srun (`srun`), or the user's own srun line as it is.
 */
export type MultinodeLaunch = 'wrap' | 'srun' | 'as-is';

export interface JobView {
  run_id: string;
  experiment: string;
  template: string;
  config_file: string;
  job_name: string;
  partition: string;
  account: string | undefined;
  qos: string | undefined;
  gpu_request: Partition['gpu_request'];
  resources: {
    time: string;
    nodes: number;
    ntasks_per_node: number;
    cpus_per_task: number;
    mem: string | undefined;
    gpus_per_node: number;
    exclusive: boolean;
    constraint: string | undefined;
  };
  /** #SBATCH --output / --error, relative to the run directory (%a = array task id). */
  output: string;
  error: string;
  comment: string;
  array: { spec: string; size: number; sweep_file: string; params_file: string } | undefined;
  checkpoint:
    | {
        signal: string;
        sbatch_signal: string;
        seconds_before: number;
        grace_seconds: number;
        max_restarts: number;
        requeue: boolean;
        dir: string;
        dir_absolute: boolean;
      }
    | undefined;
  /** Seconds the TERM trap waits for the workload: the checkpoint's term grace, or a short default. */
  term_grace_seconds: number;
  extra_directives: string[];
  out_dir: string;
  script: string;
  /** The script's relative path as a JSON string literal, for metadata.json. */
  script_json: string;
  logs: { inference: string; inference_absolute: boolean; training: string; training_absolute: boolean };
  gpu: { sidecar: boolean; fields: string; fields_json: string; field_list: string[]; interval_ms: number; loop_flag: '-l' | '-lms'; loop_value: number };
  /** Shell lines written verbatim (cluster setup, then experiment setup). */
  setup: string[];
  hf_home: string | undefined;
  env: NameValue[];
  parameters: ParameterView[];
  params_json: string;
  /**
   * The user's shell code with its `{name}` placeholders filled; for an array whose command uses a
   * swept parameter, a `case` over the task id with one filled command per task.
   */
  command: string;
  /** Per array task, the filled command (multinode template, which wraps each one); undefined when every task runs the same. */
  command_tasks: string[] | undefined;
  multinode_launch: MultinodeLaunch;
}

/** A job without `checkpoint:` still lets its workload flush logs for a moment after SIGTERM. */
const TERM_GRACE_WITHOUT_CHECKPOINT_S = 5;

function scriptPath(experiment: string): string {
  return `scripts/${experiment}.sbatch`;
}

/** nvidia-smi's loop option: whole seconds use -l, anything finer -lms. */
function sidecarLoop(intervalMs: number): { loop_flag: '-l' | '-lms'; loop_value: number } {
  return intervalMs % 1000 === 0 ? { loop_flag: '-l', loop_value: intervalMs / 1000 } : { loop_flag: '-lms', loop_value: intervalMs };
}

export interface JobViewInput {
  runId: string;
  configFile: string;
  cluster: Cluster;
  partition: Partition;
  experiment: Experiment;
  /** Fixed parameters (swept keys removed). */
  parameters: ParamRecord;
  array: JobView['array'];
  /** The swept values of each array task (empty without a sweep). */
  points?: readonly ParamRecord[];
}

/** What starts a command: its first word, after any leading VAR=value assignments. */
export function detectLauncher(command: string): 'torchrun' | 'srun' | undefined {
  const words = command.trim().split(/\s+/);
  const first = words.find((w) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w));
  if (first === undefined) return undefined;
  const base = first.replace(/^.*\//, '');
  if (base === 'torchrun') return 'torchrun';
  if (base === 'srun') return 'srun';
  const index = words.indexOf(first);
  if (/^python[0-9.]*$/.test(base) && words[index + 1] === '-m' && words[index + 2] === 'torch.distributed.run') return 'torchrun';
  return undefined;
}

function multinodeLaunch(command: string): MultinodeLaunch {
  const launcher = detectLauncher(command);
  return launcher === 'torchrun' ? 'srun' : launcher === 'srun' ? 'as-is' : 'wrap';
}

export function buildJobView(input: JobViewInput): JobView {
  const { experiment: exp, cluster, partition } = input;
  const script = scriptPath(exp.name);
  const outDir = `out/${exp.name}`;
  const task = input.array ? '%a' : 'main';
  const sidecar = exp.profiling.nvidia_smi && exp.resources.gpus_per_node > 0;
  const fields = sidecar ? [...(exp.profiling.gpu_fields ?? DEFAULT_GPU_QUERY_FIELDS)] : [];
  const ck = exp.checkpoint;
  const inference = exp.profiling.inference_log ?? DEFAULT_INFERENCE_LOG;
  const training = exp.profiling.training_log ?? DEFAULT_TRAINING_LOG;
  const points = input.points ?? [];
  const rawCommand = exp.command ?? '';
  const command = fillPlaceholders(rawCommand, input.parameters, points, 'command');
  const swept = new Set(points.flatMap((point) => Object.keys(point)));
  const perTask = findPlaceholders(rawCommand).some((p) => swept.has(p.name));
  return {
    run_id: input.runId,
    experiment: exp.name,
    template: exp.template,
    config_file: basename(input.configFile),
    job_name: exp.job_name,
    partition: partition.name,
    account: cluster.account,
    qos: cluster.qos,
    gpu_request: partition.gpu_request,
    resources: {
      time: exp.resources.time,
      nodes: exp.resources.nodes,
      ntasks_per_node: exp.resources.ntasks_per_node,
      cpus_per_task: exp.resources.cpus_per_task,
      mem: exp.resources.mem,
      gpus_per_node: exp.resources.gpus_per_node,
      exclusive: exp.resources.exclusive,
      constraint: exp.resources.constraint,
    },
    output: `${outDir}/${task}/job.out`,
    error: `${outDir}/${task}/job.err`,
    comment: `hpcbench:${input.runId}`,
    array: input.array,
    checkpoint: ck.enabled
      ? {
          signal: ck.signal,
          sbatch_signal: `B:${ck.signal}@${ck.seconds_before}`,
          seconds_before: ck.seconds_before,
          grace_seconds: ck.grace_seconds,
          max_restarts: ck.max_restarts,
          requeue: ck.requeue,
          dir: ck.dir,
          dir_absolute: isAbsolute(ck.dir),
        }
      : undefined,
    term_grace_seconds: ck.enabled ? ck.term_grace_seconds : TERM_GRACE_WITHOUT_CHECKPOINT_S,
    extra_directives: [...cluster.extra_directives, ...exp.extra_directives],
    out_dir: outDir,
    script,
    script_json: JSON.stringify(script),
    logs: { inference, inference_absolute: isAbsolute(inference), training, training_absolute: isAbsolute(training) },
    gpu: {
      sidecar,
      fields: fields.join(','),
      fields_json: JSON.stringify(fields),
      field_list: fields,
      interval_ms: exp.profiling.interval_ms,
      ...sidecarLoop(exp.profiling.interval_ms),
    },
    // The cluster's setup is shared by all experiments and stays verbatim; the experiment's own lines take placeholders.
    setup: [...cluster.setup, ...exp.setup.map((line) => fillPlaceholders(line, input.parameters, points, 'setup line'))],
    hf_home: cluster.hf_cache,
    env: [...Object.entries(cluster.env), ...Object.entries(exp.env)].map(([name, value]) => ({ name, value })),
    parameters: Object.entries(input.parameters).map(([name, value]) => ({ name, value, env_name: parameterEnvName(name) })),
    params_json: JSON.stringify(input.parameters),
    command,
    command_tasks: perTask ? points.map((point) => substitutePlaceholders(rawCommand, { ...input.parameters, ...point })) : undefined,
    multinode_launch: multinodeLaunch(rawCommand),
  };
}
