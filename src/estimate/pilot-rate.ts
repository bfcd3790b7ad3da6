/**
 * What a profiled pilot task measured that a projection can scale: seconds per optimizer step
 * (training log), seconds per item (inference log), or only the elapsed time of the whole job
 * (sacct). The startup overhead is what the job spent outside its measured work: sacct's elapsed
 * minus (work done × seconds per unit), so model loading, imports and the job script are paid
 * once per job in the projection instead of being scaled with the work.
 */
import type { TaskMetrics } from '../profile/metrics-document.js';
import { computeMeanHalfWidth95 } from '../stats/t-interval.js';

export type WorkUnit = 'steps' | 'items';

/** How the interval of seconds per unit was computed. */
export type RateIntervalMethod = 'window-spread' | 'bootstrap' | 'none';

export interface PilotRate {
  /** Where the rate came from: the training log, the inference log, or sacct alone. */
  kind: 'training' | 'inference' | 'elapsed';
  /** null for an elapsed-only pilot: it gives the time of the same job, not a rate. */
  unit: WorkUnit | null;
  secondsPerUnit: number | null;
  /** 95 % interval of secondsPerUnit (equal to it when the pilot gives no spread). */
  secondsPerUnitLow: number | null;
  secondsPerUnitHigh: number | null;
  intervalMethod: RateIntervalMethod;
  /** Log windows (entries with a step time) the spread was taken over. */
  windows: number;
  /** Steps or items the pilot did. */
  workDone: number | null;
  /** sacct Elapsed of the pilot job; null without accounting. */
  elapsedS: number | null;
  /** elapsed − workDone × secondsPerUnit, at least 0; 0 (and overheadKnown false) without sacct. */
  overheadS: number;
  overheadKnown: boolean;
  gpuMemoryPeakMiB: number | null;
  experiment: string;
  task: string;
  jobId: string | null;
}

function describeTask(task: TaskMetrics, kind: PilotRate['kind'], unit: WorkUnit | null): PilotRate {
  const elapsed = task.accounting?.elapsedSeconds ?? null;
  return {
    kind,
    unit,
    secondsPerUnit: null,
    secondsPerUnitLow: null,
    secondsPerUnitHigh: null,
    intervalMethod: 'none',
    windows: 0,
    workDone: null,
    elapsedS: elapsed,
    overheadS: 0,
    overheadKnown: false,
    gpuMemoryPeakMiB: task.gpu?.overall.memoryUsedPeakMiB ?? null,
    experiment: task.experiment,
    task: task.task,
    jobId: task.job_id ?? task.accounting?.jobId ?? null,
  };
}

function addOverhead(rate: PilotRate): PilotRate {
  if (rate.elapsedS === null || rate.secondsPerUnit === null || rate.workDone === null) return rate;
  return { ...rate, overheadS: Math.max(0, rate.elapsedS - rate.workDone * rate.secondsPerUnit), overheadKnown: true };
}

/** Seconds per step from the training log: the mean over its windows, t interval of that mean. */
function readTrainingRate(task: TaskMetrics): PilotRate | undefined {
  const training = task.training;
  const perStep = training?.meanStepTimeS ?? null;
  if (training === undefined || perStep === null || perStep <= 0 || training.stepAxis !== 'logged' || training.lastStep === null) return undefined;
  const rate = { ...describeTask(task, 'training', 'steps'), secondsPerUnit: perStep, workDone: training.lastStep };
  const { n, std } = training.stepTimeS;
  if (n >= 2 && std !== null && training.stepTimeS.mean !== null) {
    const half = computeMeanHalfWidth95(std, n);
    return addOverhead({ ...rate, secondsPerUnitLow: Math.max(0, perStep - half), secondsPerUnitHigh: perStep + half, intervalMethod: 'window-spread', windows: n });
  }
  return addOverhead({ ...rate, secondsPerUnitLow: perStep, secondsPerUnitHigh: perStep, windows: n });
}

/** Seconds per item from the inference log: its duration over completed requests; the interval inverts the bootstrap interval of the throughput. */
function readInferenceRate(task: TaskMetrics): PilotRate | undefined {
  const inference = task.inference;
  const items = inference?.completedRequests ?? null;
  const duration = inference?.durationS ?? null;
  if (inference === undefined || items === null || items <= 0 || duration === null || duration <= 0) return undefined;
  const perItem = duration / items;
  const rate = { ...describeTask(task, 'inference', 'items'), secondsPerUnit: perItem, workDone: items };
  const ci = inference.ci.requestThroughput;
  if (ci !== null && ci.low > 0 && ci.high > 0) {
    return addOverhead({ ...rate, secondsPerUnitLow: 1 / ci.high, secondsPerUnitHigh: 1 / ci.low, intervalMethod: 'bootstrap', windows: ci.iterations });
  }
  return addOverhead({ ...rate, secondsPerUnitLow: perItem, secondsPerUnitHigh: perItem });
}

/**
 * The rate a profiled task gives, the training log first (a training job may also log
 * inference-like records); undefined when it has neither a rate nor an elapsed time.
 */
export function readPilotRate(task: TaskMetrics): PilotRate | undefined {
  const measured = readTrainingRate(task) ?? readInferenceRate(task);
  if (measured !== undefined) return measured;
  const elapsed = task.accounting?.elapsedSeconds ?? null;
  if (elapsed === null || elapsed <= 0) return undefined;
  return { ...describeTask(task, 'elapsed', null), overheadS: 0 };
}
