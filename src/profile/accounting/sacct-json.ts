/**
 * `sacct --json` (data_parser v0.0.3x and later) to the same per-job figures as the text shapes.
 * Quirks seen in real output: `time.total.microseconds` can exceed 10⁶ and is added, not read as
 * a fraction; `required.memory` can be a sentinel (−9223372036854771968), so the request comes
 * from `memory_per_cpu` × CPUs or `memory_per_node` × nodes; MaxRSS is the step's
 * `tres.requested.max` entry of type `mem`, in bytes. Numbers may be wrapped as
 * `{set, infinite, number}` in newer parsers.
 */
import { InputError } from '../../errors.js';
import { computeEfficiencies, type SacctJobFigures } from './sacct.js';

type Json = unknown;

function field(value: Json, ...path: string[]): Json {
  let cur: Json = value;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, Json>)[key];
  }
  return cur;
}

/** A plain number, or `{set: true, infinite: false, number}`; null otherwise. */
function num(value: Json): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const v = value as Record<string, Json>;
    if (v.set === true && v.infinite !== true && typeof v.number === 'number') return v.number;
  }
  return null;
}

function str(value: Json): string | null {
  if (typeof value === 'string' && value !== '') return value;
  if (Array.isArray(value) && value.every((v) => typeof v === 'string') && value.length > 0) return value.join(',');
  return null;
}

function seconds(value: Json): number | null {
  const s = num(field(value, 'seconds'));
  const us = num(field(value, 'microseconds'));
  if (s === null) return null;
  return s + (us ?? 0) / 1e6;
}

function tresCount(list: Json, type: string, name = ''): number | null {
  if (!Array.isArray(list)) return null;
  for (const entry of list) {
    if (field(entry, 'type') === type && (field(entry, 'name') ?? '') === name) return num(field(entry, 'count'));
  }
  return null;
}

const MIB = 1024 * 1024;
/** SLURM's NO_VAL64-style sentinels are huge or negative: not a request. */
const plausible = (n: number | null): n is number => n !== null && n > 0 && n < 2 ** 53;

/** `step.id.step_id` (v0.0.39+), or `step.id` itself, `"batch"` or `0` (v0.0.38, Slurm 22.05); else the step name. */
function stepIdOf(step: Json): string {
  const id = field(step, 'step', 'id');
  if (typeof id === 'string' && id !== '') return id;
  if (typeof id === 'number' && Number.isInteger(id)) return String(id);
  return str(field(step, 'step', 'id', 'step_id')) ?? str(field(step, 'step', 'name')) ?? '?';
}

function readJob(job: Json): SacctJobFigures {
  const arrayJob = num(field(job, 'array', 'job_id'));
  const task = num(field(job, 'array', 'task_id'));
  const raw = num(field(job, 'job_id'));
  const jobId = arrayJob !== null && arrayJob > 0 && task !== null ? `${arrayJob}_${task}` : String(raw ?? '?');
  const elapsed = num(field(job, 'time', 'elapsed'));
  const ncpus = num(field(job, 'required', 'CPUs')) ?? tresCount(field(job, 'tres', 'allocated'), 'cpu');
  const nodes = num(field(job, 'allocation_nodes')) ?? tresCount(field(job, 'tres', 'allocated'), 'node');
  const perCpu = num(field(job, 'required', 'memory_per_cpu'));
  const perNode = num(field(job, 'required', 'memory_per_node'));
  const total = num(field(job, 'required', 'memory'));
  let reqMem: string | null = null;
  let reqMemBytes: number | null = null;
  if (plausible(perCpu)) {
    reqMem = `memory_per_cpu=${perCpu}`;
    reqMemBytes = ncpus === null ? null : perCpu * MIB * ncpus;
  } else if (plausible(perNode)) {
    reqMem = `memory_per_node=${perNode}`;
    reqMemBytes = perNode * MIB * (nodes ?? 1);
  } else if (plausible(total)) {
    reqMem = `memory=${total}`;
    reqMemBytes = total * MIB;
  }
  const steps = Array.isArray(field(job, 'steps')) ? (field(job, 'steps') as Json[]) : [];
  const rss = steps.map((s) => tresCount(field(s, 'tres', 'requested', 'max'), 'mem')).filter((v): v is number => v !== null);
  // seff's memory used: a step's `total` is the sum of its tasks' peaks (`max` is one task's).
  const used = steps.map((s) => tresCount(field(s, 'tres', 'requested', 'total'), 'mem')).filter((v): v is number => v !== null);
  let totalCpu = seconds(field(job, 'time', 'total'));
  const stepCpu = steps.map((s) => seconds(field(s, 'time', 'total'))).filter((v): v is number => v !== null);
  if (stepCpu.length > 0 && (totalCpu === null || totalCpu === 0)) totalCpu = stepCpu.reduce((a, b) => a + b, 0);
  const gpus = tresCount(field(job, 'tres', 'allocated'), 'gres', 'gpu');
  const exit = num(field(job, 'exit_code', 'return_code'));
  const time = (key: string): string | null => {
    const t = num(field(job, 'time', key));
    return t === null || t <= 0 ? null : new Date(t * 1000).toISOString();
  };
  const figures: SacctJobFigures = {
    jobId,
    jobIdRaw: raw === null ? null : String(raw),
    hasJobRow: true,
    name: str(field(job, 'name')),
    partition: str(field(job, 'partition')),
    state: str(field(job, 'state', 'current')),
    exitCode: exit === null ? null : `${exit}:${num(field(job, 'exit_code', 'signal', 'id')) ?? 0}`,
    submit: time('submission'),
    start: time('start'),
    end: time('end'),
    elapsedSeconds: elapsed,
    totalCpuSeconds: totalCpu,
    ncpus,
    ncpusFrom: ncpus === null ? null : 'required.CPUs',
    nodes,
    gpus: gpus ?? (Array.isArray(field(job, 'tres', 'allocated')) ? 0 : null),
    maxRssBytes: rss.length === 0 ? null : Math.max(...rss),
    memoryUsedBytes: used.length === 0 ? null : Math.max(...used),
    reqMem,
    reqMemBytes,
    allocMemBytes: ((m) => (m === null ? null : m * MIB))(tresCount(field(job, 'tres', 'allocated'), 'mem')),
    cpuEfficiency: null,
    memoryEfficiency: null,
    steps: steps.map((s) => `${jobId}.${stepIdOf(s)}`),
  };
  return { ...figures, ...computeEfficiencies(figures) };
}

/** True when the text is a `sacct --json` document (checked on its start, not its name). */
export function looksLikeSacctJson(text: string): boolean {
  const head = text.slice(0, 4096).replace(/^\uFEFF/, '').trimStart();
  return head.startsWith('{') && /"jobs"\s*:/.test(text.slice(0, 1 << 20)) && /"(?:data_parser|Slurm|slurm)"/.test(head);
}

export function readSacctJson(text: string, file?: string): SacctJobFigures[] {
  let doc: Json;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new InputError(`not valid JSON: ${(error as Error).message}`, { file, hint: 'save the whole output of sacct --json' });
  }
  const jobs = field(doc, 'jobs');
  if (!Array.isArray(jobs)) {
    throw new InputError('expected sacct --json output with a "jobs" array', { file, hint: 'save the whole output of sacct --json' });
  }
  return jobs.map(readJob);
}
