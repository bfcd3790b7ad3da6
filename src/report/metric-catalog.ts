/**
 * The flat metric names a report uses everywhere: tidy CSV rows, references in the config
 * (`experiments.<x>.references.<metric>`), and `compare`. One catalog so the three agree.
 */
import type { TaskMetrics } from '../profile/metrics-document.js';

export type Direction = 'higher' | 'lower';

export interface MetricDefinition {
  name: string;
  unit: string;
  /** Which way is better; undefined for counts that are neither (requests, samples). */
  direction: Direction | undefined;
  pick: (task: TaskMetrics) => number | null | undefined;
}

function def(name: string, unit: string, direction: Direction | undefined, pick: MetricDefinition['pick']): MetricDefinition {
  return { name, unit, direction, pick };
}

export const METRIC_CATALOG: readonly MetricDefinition[] = [
  def('requests', 'count', undefined, (t) => t.inference?.requests),
  def('error_rate', 'fraction', 'lower', (t) => t.inference?.errorRate),
  def('latency_mean_s', 's', 'lower', (t) => t.inference?.latencyS.mean),
  def('latency_p50_s', 's', 'lower', (t) => t.inference?.latencyS.p50),
  def('latency_p90_s', 's', 'lower', (t) => t.inference?.latencyS.p90),
  def('latency_p95_s', 's', 'lower', (t) => t.inference?.latencyS.p95),
  def('latency_p99_s', 's', 'lower', (t) => t.inference?.latencyS.p99),
  def('ttft_p50_s', 's', 'lower', (t) => t.inference?.ttftS.p50),
  def('ttft_p95_s', 's', 'lower', (t) => t.inference?.ttftS.p95),
  def('tpot_p50_s', 's', 'lower', (t) => t.inference?.tpotS.p50),
  def('tpot_p95_s', 's', 'lower', (t) => t.inference?.tpotS.p95),
  def('itl_p95_s', 's', 'lower', (t) => t.inference?.itlS.p95),
  def('request_throughput', 'req/s', 'higher', (t) => t.inference?.requestThroughput),
  def('output_tokens_per_s', 'tokens/s', 'higher', (t) => t.inference?.outputTokensPerS),
  def('total_tokens_per_s', 'tokens/s', 'higher', (t) => t.inference?.totalTokensPerS),
  def('goodput_requests_per_s', 'req/s', 'higher', (t) => t.inference?.goodput?.requestsPerS),
  def('output_tokens_per_joule', 'tokens/J', 'higher', (t) => t.inference?.energy?.outputTokensPerJoule),
  def('gpu_count', 'count', undefined, (t) => t.gpu?.overall.gpus),
  // The time-weighted mean over GPU-seconds; the sample mean for logs without timestamps (and, in
  // older documents, `mean` was already the mean of per-GPU time-weighted means).
  def('gpu_utilization_mean', '%', 'higher', (t) => t.gpu?.overall.utilization?.timeWeightedMean ?? t.gpu?.overall.utilization?.mean),
  def('gpu_utilization_p95', '%', 'higher', (t) => t.gpu?.overall.utilization?.p95),
  def('gpu_busy_fraction', 'fraction', 'higher', (t) => t.gpu?.overall.utilization?.busyFraction),
  def('gpu_memory_peak_mib', 'MiB', 'lower', (t) => t.gpu?.overall.memoryUsedPeakMiB),
  def('gpu_power_mean_w', 'W', 'lower', (t) => t.gpu?.overall.powerMeanTotalW),
  def('gpu_power_max_w', 'W', 'lower', (t) => t.gpu?.overall.powerMaxW),
  def('gpu_energy_j', 'J', 'lower', (t) => t.gpu?.overall.energyJ),
  def('gpu_temperature_max_c', '°C', 'lower', (t) => t.gpu?.overall.temperatureMaxC),
  def('queue_wait_s', 's', 'lower', (t) => t.accounting?.queueWaitSeconds),
  def('elapsed_s', 's', 'lower', (t) => t.accounting?.elapsedSeconds),
  def('cpu_efficiency', 'fraction', 'higher', (t) => t.accounting?.cpuEfficiency),
  def('memory_efficiency', 'fraction', undefined, (t) => t.accounting?.memoryEfficiency),
  def('cpu_hours', 'h', 'lower', (t) => t.accounting?.cpuHours),
  def('gpu_hours', 'h', 'lower', (t) => t.accounting?.gpuHours),
  def('service_units', 'SU', 'lower', (t) => t.accounting?.serviceUnits),
  def('cost', 'currency', 'lower', (t) => t.accounting?.cost),
  def('cost_per_million_output_tokens', 'currency', 'lower', (t) => t.accounting?.costPerMillionOutputTokens),
  def('train_final_loss', 'loss', 'lower', (t) => t.training?.finalLoss),
  def('train_min_loss', 'loss', 'lower', (t) => t.training?.minLoss),
  def('train_eval_loss', 'loss', 'lower', (t) => t.training?.finalEval),
  def('train_runtime_s', 's', 'lower', (t) => t.training?.trainRuntimeS),
  def('train_step_time_mean_s', 's', 'lower', (t) => t.training?.meanStepTimeS),
  def('train_samples_per_s', 'samples/s', 'higher', (t) => t.training?.samplesPerS),
  def('train_tokens_per_s', 'tokens/s', 'higher', (t) => t.training?.tokensPerS),
  def('train_time_per_epoch_s', 's', 'lower', (t) => t.training?.timePerEpochS),
  def('process_cpu_mean_percent', '%', undefined, (t) => t.process?.meanCpuPercent),
  def('process_peak_rss_mib', 'MiB', 'lower', (t) => t.process?.peakRssMiB),
  // Only tasks that checkpointed or restarted have it (metrics.json `checkpoints`).
  def('restarts', 'count', 'lower', (t) => t.checkpoints?.restarts),
];

const BY_NAME = new Map(METRIC_CATALOG.map((m) => [m.name, m]));

export function findMetric(name: string): MetricDefinition | undefined {
  return BY_NAME.get(name);
}

export interface MetricValue {
  metric: string;
  value: number;
  unit: string;
}

/** Every catalog metric the task has a finite value for, in catalog order. */
export function collectTaskMetrics(task: TaskMetrics): MetricValue[] {
  const out: MetricValue[] = [];
  for (const m of METRIC_CATALOG) {
    const value = m.pick(task);
    if (typeof value === 'number' && Number.isFinite(value)) {
      out.push({ metric: m.name, value, unit: m.unit === 'currency' ? (task.accounting?.currency ?? 'currency') : m.unit });
    }
  }
  return out;
}
