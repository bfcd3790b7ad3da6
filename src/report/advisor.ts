/**
 * Warnings a good advisor would give after looking at the numbers: idle GPUs, a CPU request
 * the job did not use, memory close to its limit, latency outliers, too few samples for the
 * tail percentiles. Each advice is structured (code + values): the catalogue of each language words it.
 */
import type { MetricsDocument, TaskMetrics } from '../profile/metrics-document.js';
import type { CheckpointStopReason } from '../slurm/checkpoint-stop.js';
import type { ProfileWarning } from './i18n/profile-warnings.js';
import { countOutliers } from '../stats/index.js';
import { SAMPLE_MINIMUMS } from './sample-minimums.js';

export type AdviceCode =
  | 'gpu-idle'
  | 'gpus-unused'
  | 'gpu-low-utilization'
  | 'gpu-memory-near-limit'
  | 'low-cpu-efficiency'
  | 'memory-near-limit'
  | 'memory-over-requested'
  | 'latency-outliers'
  | 'few-samples-p99'
  | 'few-samples-p95'
  | 'failed-requests'
  | 'job-not-completed'
  | 'rejected-lines'
  | 'samples-strided'
  | 'loss-not-decreasing'
  | 'training-diverged'
  | 'checkpoint-requeue-disabled'
  | 'checkpoint-requeue-failed'
  | 'checkpoint-max-restarts'
  | 'checkpoint-no-progress'
  | 'job-restarted'
  | 'whole-node-partial'
  | 'whole-node-partial-no-shared'
  | 'profile-warning';

export interface Advice {
  code: AdviceCode;
  severity: 'warning' | 'info';
  experiment: string | undefined;
  task: string | undefined;
  /** Values the message quotes; numbers are formatted per language by the renderer. */
  values: Record<string, string | number>;
  /** A profiler warning with its code (`profile-warning` from a document that has codes): the catalogue words it. */
  warning?: ProfileWarning;
}

/** Thresholds, exported so the report's method section can quote them. */
export const ADVICE_THRESHOLDS = {
  idleBusyFraction: 0.05,
  lowUtilizationPercent: 50,
  gpuMemoryNearLimitPercent: 95,
  lowCpuEfficiency: 0.5,
  memoryNearLimit: 0.9,
  memoryOverRequested: 0.1,
  outlierZ: 3.5,
  // The same minimums the tables use to hide a tail (one home: sample-minimums.ts).
  minSamplesP99: SAMPLE_MINIMUMS.p99,
  minSamplesP95: SAMPLE_MINIMUMS.p95,
} as const;

function gpuAdvice(task: TaskMetrics, push: (a: Omit<Advice, 'experiment' | 'task'>) => void): void {
  for (const gpu of task.gpu?.gpus ?? []) {
    const util = gpu.utilization;
    const label = gpu.index ?? gpu.id;
    if (util !== null) {
      if (util.busyFraction <= ADVICE_THRESHOLDS.idleBusyFraction) {
        push({ code: 'gpu-idle', severity: 'warning', values: { gpu: label, busy: util.busyFraction, mean: util.timeWeightedMean ?? util.mean } });
      } else if ((util.timeWeightedMean ?? util.mean) < ADVICE_THRESHOLDS.lowUtilizationPercent) {
        push({
          code: 'gpu-low-utilization',
          severity: 'warning',
          values: { gpu: label, mean: util.timeWeightedMean ?? util.mean, busy: util.busyFraction },
        });
      }
    }
    const peak = gpu.memoryUsedMiB?.peakPercent;
    if (typeof peak === 'number' && peak >= ADVICE_THRESHOLDS.gpuMemoryNearLimitPercent) {
      push({ code: 'gpu-memory-near-limit', severity: 'warning', values: { gpu: label, peak: peak / 100 } });
    }
  }
}

/** GPUs SLURM allocated (from sacct's GPU-hours) against those that did work in the log. */
function allocationAdvice(task: TaskMetrics, push: (a: Omit<Advice, 'experiment' | 'task'>) => void): void {
  const acc = task.accounting;
  if (acc === undefined || acc.elapsedSeconds === null || acc.gpuHours === null || !(acc.elapsedSeconds > 0) || task.gpu === undefined) return;
  const allocated = Math.round((acc.gpuHours * 3600) / acc.elapsedSeconds);
  const busy = task.gpu.gpus.filter((g) => g.utilization !== null && g.utilization.busyFraction > ADVICE_THRESHOLDS.idleBusyFraction).length;
  if (allocated >= 2 && busy < allocated) push({ code: 'gpus-unused', severity: 'warning', values: { working: busy, allocated } });
}

/**
 * A partition that bills whole nodes charges every core of the node, whatever the job asked for:
 * a job that used part of its GPUs paid for all of them. The shared partition beside it is named.
 */
function wholeNodeAdvice(task: TaskMetrics, push: (a: Omit<Advice, 'experiment' | 'task'>) => void): void {
  const billing = task.billing;
  if (billing === undefined || billing.node_gpus <= 0) return;
  const acc = task.accounting;
  const fromSacct = acc !== undefined && acc.gpuHours !== null && acc.elapsedSeconds !== null && acc.elapsedSeconds > 0 ? Math.round((acc.gpuHours * 3600) / acc.elapsedSeconds) : undefined;
  const used = fromSacct ?? task.gpu?.gpus.length;
  if (used === undefined || used >= billing.node_gpus) return;
  const values = { used, total: billing.node_gpus, cpus: billing.node_cpus ?? 0 };
  if (billing.shared_alternative !== undefined) push({ code: 'whole-node-partial', severity: 'warning', values: { ...values, shared: billing.shared_alternative } });
  else push({ code: 'whole-node-partial-no-shared', severity: 'warning', values });
}

function accountingAdvice(task: TaskMetrics, push: (a: Omit<Advice, 'experiment' | 'task'>) => void): void {
  const acc = task.accounting;
  if (acc === undefined) return;
  if (!/^COMPLETED/.test(acc.state)) push({ code: 'job-not-completed', severity: 'warning', values: { state: acc.state, exit: acc.exitCode } });
  // On a partition billed by the node, fewer CPUs would not lower the charge: no such advice there.
  if (acc.cpuEfficiency !== undefined && acc.cpuEfficiency < ADVICE_THRESHOLDS.lowCpuEfficiency && task.billing === undefined) {
    const cpus = acc.elapsedSeconds !== null && acc.cpuHours !== null && acc.elapsedSeconds > 0 ? Math.round((acc.cpuHours * 3600) / acc.elapsedSeconds) : 0;
    push({ code: 'low-cpu-efficiency', severity: 'warning', values: { efficiency: acc.cpuEfficiency, cpus } });
  }
  if (acc.memoryEfficiency !== undefined) {
    if (acc.memoryEfficiency >= ADVICE_THRESHOLDS.memoryNearLimit) {
      push({ code: 'memory-near-limit', severity: 'warning', values: { efficiency: acc.memoryEfficiency } });
    } else if (acc.memoryEfficiency < ADVICE_THRESHOLDS.memoryOverRequested) {
      push({ code: 'memory-over-requested', severity: 'info', values: { efficiency: acc.memoryEfficiency } });
    }
  }
}

function inferenceAdvice(task: TaskMetrics, push: (a: Omit<Advice, 'experiment' | 'task'>) => void): void {
  const inf = task.inference;
  if (inf === undefined) return;
  // null: a tool's summary that does not say how many requests it covers (no advice on n).
  const n = inf.latencyS.n ?? 0;
  if (n > 0 && n < ADVICE_THRESHOLDS.minSamplesP95) {
    push({ code: 'few-samples-p95', severity: 'warning', values: { n, min: ADVICE_THRESHOLDS.minSamplesP95 } });
  } else if (n > 0 && n < ADVICE_THRESHOLDS.minSamplesP99) {
    push({ code: 'few-samples-p99', severity: 'warning', values: { n, min: ADVICE_THRESHOLDS.minSamplesP99 } });
  }
  if (inf.failedRequests > 0) {
    push({ code: 'failed-requests', severity: 'warning', values: { failed: inf.failedRequests, rate: inf.errorRate ?? 0 } });
  }
  if (task.latency_samples_s.length >= 3) {
    const outliers = countOutliers(task.latency_samples_s, ADVICE_THRESHOLDS.outlierZ);
    if (outliers > 0) {
      push({
        code: 'latency-outliers',
        severity: 'info',
        values: { count: outliers, n: task.latency_samples_s.length, z: ADVICE_THRESHOLDS.outlierZ },
      });
    }
  }
  if (task.latency_samples_strided) push({ code: 'samples-strided', severity: 'info', values: { kept: task.latency_samples_s.length } });
}

function trainingAdvice(task: TaskMetrics, push: (a: Omit<Advice, 'experiment' | 'task'>) => void): void {
  // A NaN or infinite loss ends the curve's finite part: say so before anything about its trend.
  const diverged = task.training?.diverged_at_step;
  if (diverged !== undefined && diverged !== null) {
    push({ code: 'training-diverged', severity: 'warning', values: { step: String(diverged) } });
    return;
  }
  const curve = task.training?.lossCurve ?? [];
  const first = curve[0];
  const last = curve[curve.length - 1];
  if (curve.length >= 3 && first !== undefined && last !== undefined && last.value >= first.value) {
    push({ code: 'loss-not-decreasing', severity: 'warning', values: { first: first.value, last: last.value } });
  }
}

function stopAdviceCode(reason: CheckpointStopReason): AdviceCode {
  switch (reason) {
    case 'requeue-disabled':
      return 'checkpoint-requeue-disabled';
    case 'requeue-failed':
      return 'checkpoint-requeue-failed';
    case 'max-restarts':
      return 'checkpoint-max-restarts';
    case 'no-progress':
      return 'checkpoint-no-progress';
    default: {
      const never: never = reason;
      throw new Error(`unhandled checkpoint stop reason ${JSON.stringify(never)}`);
    }
  }
}

/** Why a checkpointing job stopped requeueing itself; and that sacct describes only the last attempt of a restarted one. */
function checkpointAdvice(task: TaskMetrics, push: (a: Omit<Advice, 'experiment' | 'task'>) => void): void {
  const ckpt = task.checkpoints;
  if (ckpt === undefined) return;
  if (ckpt.stop_reason !== null) push({ code: stopAdviceCode(ckpt.stop_reason), severity: 'warning', values: { restarts: ckpt.restarts } });
  if (ckpt.restarts > 0 && task.accounting !== undefined) push({ code: 'job-restarted', severity: 'info', values: { restarts: ckpt.restarts } });
}

/** All advice for a metrics document, task by task, then document-wide notes. */
export function adviseOnMetrics(doc: MetricsDocument): Advice[] {
  const out: Advice[] = [];
  for (const task of doc.tasks) {
    const push = (a: Omit<Advice, 'experiment' | 'task'>): void => {
      out.push({ ...a, experiment: task.experiment, task: task.task });
    };
    gpuAdvice(task, push);
    allocationAdvice(task, push);
    wholeNodeAdvice(task, push);
    accountingAdvice(task, push);
    inferenceAdvice(task, push);
    trainingAdvice(task, push);
    checkpointAdvice(task, push);
  }
  for (const source of doc.sources) {
    if (source.rejected !== undefined && source.rejected.count > 0) {
      out.push({
        code: 'rejected-lines',
        severity: 'warning',
        experiment: undefined,
        task: source.task,
        values: { file: source.file, count: source.rejected.count },
      });
    }
  }
  // A document with codes is worded by the report's catalogue; an older one keeps its English sentences.
  const codes = doc.warning_codes;
  if (codes !== undefined && codes.length === doc.warnings.length) {
    for (const warning of codes) out.push({ code: 'profile-warning', severity: 'info', experiment: undefined, task: undefined, values: {}, warning });
  } else {
    for (const warning of doc.warnings) out.push({ code: 'profile-warning', severity: 'info', experiment: undefined, task: undefined, values: { text: warning } });
  }
  return out;
}

/**
 * One advice kind for one experiment: the tasks it applies to and each task's values, so that a
 * sweep of twelve tasks with too few samples reads as one line, not twelve.
 */
export interface AdviceGroup {
  code: AdviceCode;
  severity: Advice['severity'];
  experiment: string | undefined;
  /** Distinct task names, in the order first seen. */
  tasks: string[];
  /** The task of each grouped advice, parallel to every list in `values`. */
  items: string[];
  values: Record<string, (string | number)[]>;
  /** The profiler warning of a `profile-warning` group, worded by the catalogue (absent for an old document's English sentence). */
  warning?: ProfileWarning;
}

/** Groups advice by (severity, experiment, code), keeping the order in which each group first appears. */
export function groupAdvice(advice: readonly Advice[]): AdviceGroup[] {
  const groups = new Map<string, AdviceGroup>();
  for (const a of advice) {
    // Document-wide warnings carry their whole text: grouping them would merge unrelated sentences.
    const key = a.code === 'profile-warning' ? `${groups.size}` : JSON.stringify([a.severity, a.experiment ?? null, a.code]);
    let group = groups.get(key);
    if (group === undefined) {
      group = { code: a.code, severity: a.severity, experiment: a.experiment, tasks: [], items: [], values: {}, ...(a.warning === undefined ? {} : { warning: a.warning }) };
      groups.set(key, group);
    }
    const task = a.task ?? '';
    if (a.task !== undefined && !group.tasks.includes(a.task)) group.tasks.push(a.task);
    const index = group.items.length;
    group.items.push(task);
    for (const [k, v] of Object.entries(a.values)) {
      const list = (group.values[k] ??= []);
      // A value absent from earlier items (a key only some advice carries) is left unset there.
      while (list.length < index) list.push('');
      list.push(v);
    }
  }
  return [...groups.values()];
}
