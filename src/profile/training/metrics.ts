/**
 * Training metrics from TrainingRecords: loss and learning-rate curves, final loss, step time,
 * samples/s, tokens/s and time per epoch. Where the Trainer printed its own totals
 * (train_runtime, train_samples_per_second) those are used; otherwise they are derived from
 * the per-step entries, and every derived figure says where it came from.
 */
import { addProfileWarning, type ProfileWarning, type WarningSink } from '../../report/i18n/profile-warnings.js';
import { summarize, type Summary } from '../../stats/index.js';
import type { TrainingEvalRecord, TrainingRecord, TrainingStepRecord, TrainingSummaryRecord } from './records.js';

export interface CurvePoint {
  step: number;
  epoch?: number;
  value: number;
}

export type TrainingFigureSource = 'logged' | 'timestamps' | 'trainer-summary' | null;

export type TrainingLogSource = 'jsonl' | 'trainer-stdout' | 'trainer-state';

/** What the log says beyond its records (trainer_state.json's top level). */
export interface TrainingLogContext {
  source?: TrainingLogSource;
  /** Entries read, of every kind (log_history's length for trainer_state.json). */
  logEntries?: number;
  globalStep?: number | null;
  bestMetric?: number | null;
  bestModelCheckpoint?: string | null;
}

/** The fields marked `?` are always set by computeTrainingMetrics; they are optional only for documents written before them. */
export interface TrainingMetrics {
  source?: TrainingLogSource | null;
  logEntries?: number;
  stepEntries: number;
  evalEntries: number;
  /**
   * `logged`: steps as written, read from the training progress bar before each entry, or estimated
   * from epoch × steps per epoch (`stepSource` says which); `index`: the steps are unknown, the
   * curves use 1-based entry order.
   */
  stepAxis: 'logged' | 'index';
  stepSource?: 'logged' | 'progress-bar' | 'epoch-estimate' | 'mixed' | 'index';
  /** trainer_state.json's `global_step`; null when the log does not say. */
  globalStep?: number | null;
  bestMetric?: number | null;
  bestModelCheckpoint?: string | null;
  /**
   * The step (or entry index, with stepAxis `index`) of the first NaN/infinite training loss; null
   * when every loss is finite. Named as issue 10 asks; the curves leave such points out.
   */
  diverged_at_step?: number | null;
  warnings?: string[];
  /** The same warnings as codes and values, for reports in other languages (absent in documents from before them). */
  warningCodes?: ProfileWarning[];
  lossCurve: CurvePoint[];
  learningRateCurve: CurvePoint[];
  evalLossCurve: CurvePoint[];
  /** The last logged training loss. */
  finalLoss: number | null;
  minLoss: number | null;
  /** The Trainer's average training loss over the run (`train_loss`). */
  trainLoss: number | null;
  finalEval: number | null;
  lastStep: number | null;
  finalEpoch: number | null;
  /** Seconds per optimizer step, one value per log entry (or per logging interval). */
  stepTimeS: Summary;
  stepTimeSource: TrainingFigureSource;
  meanStepTimeS: number | null;
  samplesPerS: number | null;
  samplesPerSSource: TrainingFigureSource;
  tokensPerS: number | null;
  tokensPerSSource: TrainingFigureSource;
  trainRuntimeS: number | null;
  trainRuntimeSource: TrainingFigureSource;
  timePerEpochS: number | null;
}

// reduce rather than Math.max(...xs): a long run logs more entries than the argument limit.
function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}

function curve<T extends TrainingStepRecord | TrainingEvalRecord>(
  records: readonly T[],
  useIndex: boolean,
  pick: (r: T) => number | undefined,
): CurvePoint[] {
  const points: CurvePoint[] = [];
  records.forEach((r, i) => {
    const value = pick(r);
    if (value === undefined) return;
    const point: CurvePoint = { step: useIndex ? i + 1 : (r.step as number), value };
    if (r.epoch !== undefined) point.epoch = r.epoch;
    points.push(point);
  });
  return points;
}

/** Seconds per step between consecutive entries that carry both `time` and `step`. */
function stepTimesFromTimestamps(steps: readonly TrainingStepRecord[]): number[] {
  const out: number[] = [];
  let previous: TrainingStepRecord | undefined;
  for (const r of steps) {
    if (r.time === undefined || r.step === undefined) continue;
    if (previous?.time !== undefined && previous.step !== undefined && r.step > previous.step && r.time >= previous.time) {
      out.push((r.time - previous.time) / (r.step - previous.step));
    }
    previous = r;
  }
  return out;
}

function runtimeFromTimestamps(steps: readonly TrainingStepRecord[]): { seconds: number; epochs: number | null } | null {
  const timed = steps.filter((r) => r.time !== undefined);
  const first = timed[0];
  const last = timed[timed.length - 1];
  if (first === undefined || last === undefined || timed.length < 2) return null;
  const seconds = (last.time as number) - (first.time as number);
  const epochs = first.epoch !== undefined && last.epoch !== undefined ? last.epoch - first.epoch : null;
  return { seconds, epochs };
}

function describeStepSource(steps: readonly TrainingStepRecord[], useIndex: boolean): NonNullable<TrainingMetrics['stepSource']> {
  if (useIndex) return 'index';
  const kinds = new Set(steps.map((r) => r.stepFrom ?? 'logged'));
  return kinds.size === 1 ? ([...kinds][0] ?? 'logged') : 'mixed';
}

export function computeTrainingMetrics(records: readonly TrainingRecord[], context: TrainingLogContext = {}): TrainingMetrics {
  const steps = records.filter((r): r is TrainingStepRecord => r.kind === 'step');
  const evals = records.filter((r): r is TrainingEvalRecord => r.kind === 'eval');
  const summary = records.filter((r): r is TrainingSummaryRecord => r.kind === 'summary').at(-1);
  const useIndex = !steps.every((r) => r.step !== undefined);
  const sink: WarningSink = { warnings: [], warningCodes: [] };
  const divergedIndex = steps.findIndex((r) => r.loss !== undefined && !Number.isFinite(r.loss));
  const divergedRecord = steps[divergedIndex];
  const divergedAt = divergedRecord === undefined ? null : useIndex ? divergedIndex + 1 : (divergedRecord.step as number);
  if (divergedRecord !== undefined) {
    const values = { loss: String(divergedRecord.loss), line: divergedRecord.line };
    if (useIndex) addProfileWarning(sink, 'training-diverged-entry', { ...values, entry: divergedAt as number });
    else addProfileWarning(sink, 'training-diverged', { ...values, step: divergedAt as number });
  }
  const lossCurve = curve(steps, useIndex, (r) => (r.loss !== undefined && Number.isFinite(r.loss) ? r.loss : undefined));
  if (useIndex && steps.length > 0) addProfileWarning(sink, 'training-no-step-numbers');
  const estimated = steps.filter((r) => r.stepFrom === 'epoch-estimate').length;
  if (estimated > 0) addProfileWarning(sink, 'training-steps-estimated', { count: estimated });
  const evalLossCurve = curve(evals, !evals.every((r) => r.step !== undefined), (r) => r.evalLoss);
  const losses = lossCurve.map((p) => p.value);

  let stepTimes = steps.flatMap((r) => (r.stepTimeS === undefined ? [] : [r.stepTimeS]));
  let stepTimeSource: TrainingFigureSource = stepTimes.length > 0 ? 'logged' : null;
  if (stepTimes.length === 0) {
    stepTimes = stepTimesFromTimestamps(steps);
    if (stepTimes.length > 0) stepTimeSource = 'timestamps';
  }
  const stepTimeS = summarize(stepTimes);
  let meanStepTimeS = stepTimeS.mean;
  if (meanStepTimeS === null && summary?.trainStepsPerS !== undefined && summary.trainStepsPerS > 0) {
    meanStepTimeS = 1 / summary.trainStepsPerS;
    stepTimeSource = 'trainer-summary';
  }

  const rate = (perStep: (number | undefined)[], total: number | undefined): [number | null, TrainingFigureSource] => {
    if (total !== undefined) return [total, 'trainer-summary'];
    const m = mean(perStep.filter((v): v is number => v !== undefined));
    return [m, m === null ? null : 'logged'];
  };
  const [samplesPerS, samplesPerSSource] = rate(
    steps.map((r) => r.samplesPerS),
    summary?.trainSamplesPerS,
  );
  const [tokensPerS, tokensPerSSource] = rate(
    steps.map((r) => r.tokensPerS),
    summary?.trainTokensPerS,
  );

  const epochs = [...steps, ...evals].flatMap((r) => (r.epoch === undefined ? [] : [r.epoch]));
  const finalEpoch = summary?.epoch ?? (epochs.length > 0 ? epochs.reduce((a, b) => Math.max(a, b)) : null);
  let trainRuntimeS: number | null = null;
  let trainRuntimeSource: TrainingFigureSource = null;
  let timePerEpochS: number | null = null;
  const fromTimestamps = runtimeFromTimestamps(steps);
  if (summary?.trainRuntimeS !== undefined) {
    trainRuntimeS = summary.trainRuntimeS;
    trainRuntimeSource = 'trainer-summary';
    if (finalEpoch !== null && finalEpoch > 0) timePerEpochS = trainRuntimeS / finalEpoch;
  } else if (fromTimestamps !== null) {
    trainRuntimeS = fromTimestamps.seconds;
    trainRuntimeSource = 'timestamps';
    if (fromTimestamps.epochs !== null && fromTimestamps.epochs > 0) timePerEpochS = fromTimestamps.seconds / fromTimestamps.epochs;
  }

  // The last step the log mentions, eval and summary entries included (they come after the last loss).
  const stepNumbers = records.flatMap((r) => (r.step === undefined ? [] : [r.step]));
  const lastLoss = steps.filter((r) => r.loss !== undefined).at(-1)?.loss;
  return {
    source: context.source ?? null,
    logEntries: context.logEntries ?? records.length,
    stepEntries: steps.length,
    evalEntries: evals.length,
    stepAxis: useIndex ? 'index' : 'logged',
    stepSource: describeStepSource(steps, useIndex),
    globalStep: context.globalStep ?? null,
    bestMetric: context.bestMetric ?? null,
    bestModelCheckpoint: context.bestModelCheckpoint ?? null,
    diverged_at_step: divergedAt,
    ...sink,
    lossCurve,
    learningRateCurve: curve(steps, useIndex, (r) => r.learningRate),
    evalLossCurve,
    // After a NaN the last finite loss is not the run's final loss: a diverged run has none.
    finalLoss: lastLoss !== undefined && Number.isFinite(lastLoss) ? lastLoss : null,
    minLoss: losses.length > 0 ? losses.reduce((a, b) => Math.min(a, b)) : null,
    trainLoss: summary?.trainLoss ?? null,
    finalEval: evalLossCurve.at(-1)?.value ?? null,
    lastStep: stepNumbers.length > 0 ? stepNumbers.reduce((a, b) => Math.max(a, b)) : null,
    finalEpoch,
    stepTimeS,
    stepTimeSource,
    meanStepTimeS,
    samplesPerS,
    samplesPerSSource,
    tokensPerS,
    tokensPerSSource,
    trainRuntimeS,
    trainRuntimeSource,
    timePerEpochS,
  };
}
