/**
 * SLURM accounting metrics for one job: queue wait, elapsed time, CPU and memory efficiency,
 * GPU-hours, service units and cost. The input is a minimal sacct-like record; the sacct parser
 * (src/slurm/sacct.ts) produces a compatible shape, and anything else can be adapted to it.
 */
import { InputError } from '../../errors.js';
import { cpuEfficiencyOf } from './sacct.js';

/** The sacct fields these metrics need. Durations in seconds, memory in MiB. */
export interface AccountingRecord {
  jobId: string;
  /** sacct State, e.g. COMPLETED, FAILED, TIMEOUT, OUT_OF_MEMORY, "CANCELLED by 0". */
  state: string;
  /** sacct ExitCode as written, "code:signal", e.g. "0:0" or "1:0". */
  exitCode: string;
  submit?: Date;
  start?: Date;
  end?: Date;
  /** Elapsed wall time of the allocation, seconds; null when the sacct output lacks Elapsed. */
  elapsedSeconds: number | null;
  /** TotalCPU (user + system over all steps), seconds; undefined when the sacct output lacks it. */
  totalCpuSeconds?: number;
  /** CPUs allocated (AllocCPUS / NCPUS); null when the sacct output has none of them. */
  ncpus: number | null;
  /** Largest MaxRSS over the job's steps, MiB. */
  maxRssMiB?: number;
  /** Memory requested for the whole job, MiB (per-node or per-CPU requests already multiplied out). */
  reqMemMiB?: number;
  /** GPUs allocated (from AllocTRES gres/gpu; 0 when AllocTRES names none); null without AllocTRES. */
  gpus: number | null;
  nodes: number;
  partition: string;
}

/** A cluster's charging rule. Service units (SU) per hour, then money per SU or per GPU-hour. */
export interface AccountingRates {
  suPerGpuHour?: number;
  suPerCpuHour?: number;
  currencyPerSu?: number;
  /** Direct price per GPU-hour, when the centre quotes one instead of SUs. */
  costPerGpuHour?: number;
  /** Currency name for reports, e.g. "BRL" or "USD". */
  currency?: string;
}

export interface AccountingMetrics {
  jobId: string;
  state: string;
  exitCode: string;
  /** Exit status and signal split out of "code:signal". */
  exitStatus?: number;
  exitSignal?: number;
  partition: string;
  nodes: number;
  queueWaitSeconds?: number;
  /** Null when sacct gave no Elapsed: unknown, never 0 (0 would read as a job that did not run). */
  elapsedSeconds: number | null;
  /** TotalCPU in whole seconds (rounded, as seff) / (Elapsed × NCPUS), 0..1; undefined when TotalCPU is unknown or elapsed or ncpus is 0. */
  cpuEfficiency?: number;
  /** MaxRSS / requested memory, 0..1 (can exceed 1 slightly when the limit is not enforced). */
  memoryEfficiency?: number;
  /** NCPUS × Elapsed and GPUs × Elapsed in hours; null when Elapsed or the CPU/GPU count is unknown. */
  cpuHours: number | null;
  gpuHours: number | null;
  /** Left out when a figure the rates need is unknown (a charge built on a guessed 0 is too small). */
  serviceUnits?: number;
  cost?: number;
  currency?: string;
  /** Cost per million output tokens, when inference output tokens were given. */
  costPerMillionOutputTokens?: number;
}

export interface AccountingOptions {
  rates?: AccountingRates;
  /** Output tokens produced by the job (from its inference logs). */
  outputTokens?: number;
  /** Named in errors, e.g. the sacct file or "job 1234". */
  source?: string;
}

function requireNonNegative(value: number, field: string, source: string | undefined): void {
  if (!Number.isFinite(value) || value < 0) {
    throw new InputError(`accounting field \`${field}\` is ${value}; expected a number ≥ 0`, {
      file: source,
      hint: 'check the sacct output this record was built from',
    });
  }
}

function splitExitCode(exitCode: string): { exitStatus?: number; exitSignal?: number } {
  const match = /^(\d+):(\d+)$/.exec(exitCode.trim());
  if (match === null) return {};
  return { exitStatus: Number(match[1]), exitSignal: Number(match[2]) };
}

/**
 * Service units: GPU-hours × su_per_gpu_hour plus CPU-hours × su_per_cpu_hour (a centre that
 * charges only GPUs sets only the first). Cost: SU × currency_per_su, or GPU-hours × cost_per_gpu_hour.
 */
export function computeCharge(
  cpuHours: number,
  gpuHours: number,
  rates: AccountingRates | undefined,
): { serviceUnits?: number; cost?: number } {
  if (rates === undefined) return {};
  const out: { serviceUnits?: number; cost?: number } = {};
  if (rates.suPerGpuHour !== undefined || rates.suPerCpuHour !== undefined) {
    out.serviceUnits = gpuHours * (rates.suPerGpuHour ?? 0) + cpuHours * (rates.suPerCpuHour ?? 0);
    if (rates.currencyPerSu !== undefined) out.cost = out.serviceUnits * rates.currencyPerSu;
  }
  if (out.cost === undefined && rates.costPerGpuHour !== undefined) out.cost = gpuHours * rates.costPerGpuHour;
  return out;
}

/** computeCharge when every figure the given rates use is known; a rate on an unknown figure gives no charge. */
function computeKnownCharge(cpuHours: number | null, gpuHours: number | null, rates: AccountingRates | undefined): { serviceUnits?: number; cost?: number } {
  if (rates === undefined) return {};
  const { costPerGpuHour, ...suRates } = rates;
  const usesSu = rates.suPerGpuHour !== undefined || rates.suPerCpuHour !== undefined;
  const suKnown = (rates.suPerCpuHour === undefined || cpuHours !== null) && (rates.suPerGpuHour === undefined || gpuHours !== null);
  const out = usesSu && suKnown ? computeCharge(cpuHours ?? 0, gpuHours ?? 0, suRates) : {};
  if (out.cost === undefined && costPerGpuHour !== undefined && gpuHours !== null) out.cost = gpuHours * costPerGpuHour;
  return out;
}

export function computeAccountingMetrics(record: AccountingRecord, options: AccountingOptions = {}): AccountingMetrics {
  const { source } = options;
  const elapsed = record.elapsedSeconds;
  if (elapsed !== null) requireNonNegative(elapsed, 'elapsedSeconds', source);
  if (record.totalCpuSeconds !== undefined) requireNonNegative(record.totalCpuSeconds, 'totalCpuSeconds', source);
  if (record.ncpus !== null) requireNonNegative(record.ncpus, 'ncpus', source);
  if (record.gpus !== null) requireNonNegative(record.gpus, 'gpus', source);
  const cpuHours = elapsed === null || record.ncpus === null ? null : (record.ncpus * elapsed) / 3600;
  const gpuHours = elapsed === null || record.gpus === null ? null : (record.gpus * elapsed) / 3600;
  const metrics: AccountingMetrics = {
    jobId: record.jobId,
    state: record.state,
    exitCode: record.exitCode,
    ...splitExitCode(record.exitCode),
    partition: record.partition,
    nodes: record.nodes,
    elapsedSeconds: elapsed,
    cpuHours,
    gpuHours,
    ...computeKnownCharge(cpuHours, gpuHours, options.rates),
  };
  if (record.submit !== undefined && record.start !== undefined) {
    // A pending or cancelled-before-start job has no real start; a negative wait would be nonsense.
    const wait = (record.start.getTime() - record.submit.getTime()) / 1000;
    if (Number.isFinite(wait) && wait >= 0) metrics.queueWaitSeconds = wait;
  }
  // Unknown TotalCPU is not 0 % efficiency (a `--format` without TotalCPU says nothing about use).
  // seff's figure, from whole CPU seconds, as `hpcbench efficiency` prints it.
  const cpuEfficiency = cpuEfficiencyOf(record.totalCpuSeconds ?? null, elapsed, record.ncpus);
  if (cpuEfficiency !== null) metrics.cpuEfficiency = cpuEfficiency;
  if (record.maxRssMiB !== undefined && record.reqMemMiB !== undefined && record.reqMemMiB > 0) {
    metrics.memoryEfficiency = record.maxRssMiB / record.reqMemMiB;
  }
  if (options.rates?.currency !== undefined) metrics.currency = options.rates.currency;
  if (metrics.cost !== undefined && options.outputTokens !== undefined && options.outputTokens > 0) {
    metrics.costPerMillionOutputTokens = (metrics.cost / options.outputTokens) * 1e6;
  }
  return metrics;
}

/** Config spelling (snake_case, as in hpcbench.yaml) to AccountingRates. */
export function toAccountingRates(config: {
  su_per_gpu_hour?: number;
  su_per_cpu_hour?: number;
  currency_per_su?: number;
  cost_per_gpu_hour?: number;
  currency?: string;
}): AccountingRates {
  const rates: AccountingRates = {};
  if (config.su_per_gpu_hour !== undefined) rates.suPerGpuHour = config.su_per_gpu_hour;
  if (config.su_per_cpu_hour !== undefined) rates.suPerCpuHour = config.su_per_cpu_hour;
  if (config.currency_per_su !== undefined) rates.currencyPerSu = config.currency_per_su;
  if (config.cost_per_gpu_hour !== undefined) rates.costPerGpuHour = config.cost_per_gpu_hour;
  if (config.currency !== undefined) rates.currency = config.currency;
  return rates;
}
