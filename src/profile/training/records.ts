/**
 * Training records, whatever log they come from (hpcbench JSONL, Trainer stdout, trainer_state.json):
 * one dict becomes a step, eval or summary record; a present but malformed field is an error, a
 * NaN/inf loss is kept (divergence).
 */
import { FieldError } from '../../errors.js';

export interface TrainingStepRecord {
  kind: 'step';
  line: number;
  /** Optimizer step: logged, read from the tqdm bar before the dict, or absent. */
  step?: number;
  /** Set when `step` was not written in the record: read from the progress bar, or epoch × steps per epoch. */
  stepFrom?: 'progress-bar' | 'epoch-estimate';
  epoch?: number;
  loss?: number;
  learningRate?: number;
  gradNorm?: number;
  stepTimeS?: number;
  samplesPerS?: number;
  tokensPerS?: number;
  /** Wall-clock time of the log entry, seconds (epoch or since start; only differences are used). */
  time?: number;
}

export interface TrainingEvalRecord {
  kind: 'eval';
  line: number;
  step?: number;
  stepFrom?: 'progress-bar' | 'epoch-estimate';
  epoch?: number;
  evalLoss?: number;
  /** Every other `eval_*` number, without the prefix (runtime, samples_per_second, accuracy…). */
  metrics: Record<string, number>;
}

export interface TrainingSummaryRecord {
  kind: 'summary';
  line: number;
  step?: number;
  epoch?: number;
  trainRuntimeS?: number;
  trainSamplesPerS?: number;
  trainStepsPerS?: number;
  trainTokensPerS?: number;
  trainLoss?: number;
}

export type TrainingRecord = TrainingStepRecord | TrainingEvalRecord | TrainingSummaryRecord;

export type TrainingLine =
  | { kind: 'records'; records: TrainingRecord[] }
  | { kind: 'ignored' }
  | { kind: 'rejected'; reason: string };

/** A parsed log dict: PythonScalar values from a Python repr, any JSON value from a JSON line. */
export type Dict = Record<string, unknown>;

const JSON_NON_FINITE: Record<string, number> = { NaN: Number.NaN, Infinity: Infinity, '-Infinity': -Infinity };
/** Bare NaN/Infinity tokens (Python's json.dumps) quoted so that JSON.parse accepts the line. */
// The token comes first and the lookbehind after it: a leading `(?<=[:,[]\s*)` was tried at every
// position and scanned back over whitespace each time, quadratic on long runs of spaces.
export const PYTHON_NON_FINITE = /(-?Infinity|NaN)(?<=[:,[]\s*(?:-?Infinity|NaN))(?=\s*[,\]}])/g;
const NUMERIC_TEXT = /^\s*(?:[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|nan|-?inf)\s*$/;

/**
 * Reads a numeric field; a present but non-numeric or non-finite value is an error, not a zero.
 * With `numericStrings`, '2.345' counts as 2.345: some Trainer versions and callbacks format
 * floats as strings before printing the dict.
 */
function readNumber(dict: Dict, key: string, numericStrings = false): number | undefined {
  if (!(key in dict)) return undefined;
  let value = dict[key];
  if (value === null || value === undefined) return undefined;
  // Python's json.dumps writes bare NaN/Infinity; parseTrainingJsonLine turns them into these strings.
  if (typeof value === 'string' && value in JSON_NON_FINITE) value = JSON_NON_FINITE[value];
  else if (numericStrings && typeof value === 'string' && NUMERIC_TEXT.test(value)) {
    const text = value.trim();
    value = text === 'nan' ? Number.NaN : text.endsWith('inf') ? (text.startsWith('-') ? -Infinity : Infinity) : Number(text);
  }
  if (typeof value !== 'number') throw new FieldError(`field \`${key}\`: expected a number, found ${JSON.stringify(value)}`);
  if (!Number.isFinite(value)) {
    // A NaN/inf training loss is the finding itself (divergence): kept, so that the metrics can
    // say at which step, instead of the last finite loss passing for a healthy run.
    if (key === 'loss') return value;
    // fp16 runs log grad_norm nan/inf on skipped steps; the step's loss is still good.
    if (key === 'grad_norm') return undefined;
    throw new FieldError(`field \`${key}\` is ${String(value)}`);
  }
  return value;
}

function readStep(dict: Dict, numericStrings: boolean): number | undefined {
  const step = readNumber(dict, 'step', numericStrings);
  if (step !== undefined && (!Number.isInteger(step) || step < 0)) {
    throw new FieldError(`field \`step\`: expected a whole number ≥ 0, found ${step}`);
  }
  return step;
}

function assign<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

export interface ClassifyOptions {
  /** The step shown by the training progress bar before the dict, used when the dict has no `step`. */
  progressStep?: number;
  /** The same for an eval dict: only a bar of the training loop counts (not the eval loop's own bar). */
  evalProgressStep?: number;
  /** Accept numbers written as strings ('2.345'), as printed Trainer dicts may hold. */
  numericStrings?: boolean;
}

/** Classifies one parsed dict; undefined when it carries no training field at all. */
export function classifyTrainingDict(dict: Dict, line: number, options: ClassifyOptions = {}): TrainingRecord | undefined {
  const { progressStep, evalProgressStep } = options;
  const lenient = options.numericStrings ?? false;
  const num = (key: string): number | undefined => readNumber(dict, key, lenient);
  if ('train_runtime' in dict || 'train_loss' in dict) {
    const record: TrainingSummaryRecord = { kind: 'summary', line };
    assign(record, 'step', readStep(dict, lenient));
    assign(record, 'epoch', num('epoch'));
    assign(record, 'trainRuntimeS', num('train_runtime'));
    assign(record, 'trainSamplesPerS', num('train_samples_per_second'));
    assign(record, 'trainStepsPerS', num('train_steps_per_second'));
    assign(record, 'trainTokensPerS', num('train_tokens_per_second'));
    assign(record, 'trainLoss', num('train_loss'));
    return record;
  }
  const evalKeys = Object.keys(dict).filter((k) => k.startsWith('eval_'));
  if (evalKeys.length > 0) {
    const record: TrainingEvalRecord = { kind: 'eval', line, metrics: {} };
    const logged = readStep(dict, lenient);
    assign(record, 'step', logged ?? evalProgressStep);
    if (logged === undefined && evalProgressStep !== undefined) record.stepFrom = 'progress-bar';
    assign(record, 'epoch', num('epoch'));
    for (const key of evalKeys) {
      const value = dict[key];
      if (key === 'eval_loss') assign(record, 'evalLoss', num(key));
      else {
        const n = typeof value === 'number' ? value : lenient && typeof value === 'string' ? Number(value) : Number.NaN;
        if (Number.isFinite(n)) record.metrics[key.slice(5)] = n;
      }
    }
    return record;
  }
  const known = ['loss', 'learning_rate', 'step', 'step_time_s', 'samples_per_s', 'tokens_per_s'];
  if (!known.some((k) => k in dict)) return undefined;
  const record: TrainingStepRecord = { kind: 'step', line };
  const logged = readStep(dict, lenient);
  assign(record, 'step', logged ?? progressStep);
  if (logged === undefined && progressStep !== undefined) record.stepFrom = 'progress-bar';
  assign(record, 'epoch', num('epoch'));
  assign(record, 'loss', num('loss'));
  assign(record, 'learningRate', num('learning_rate'));
  assign(record, 'gradNorm', num('grad_norm'));
  assign(record, 'stepTimeS', num('step_time_s'));
  assign(record, 'samplesPerS', num('samples_per_s'));
  assign(record, 'tokensPerS', num('tokens_per_s'));
  assign(record, 'time', num('time'));
  return record;
}

/** Parses one line of a training JSONL file. Every line must be a training record. */
export function parseTrainingJsonLine(text: string, line: number): TrainingLine {
  let value: unknown;
  try {
    value = JSON.parse(text.replace(PYTHON_NON_FINITE, '"$1"'));
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { kind: 'rejected', reason: `not valid JSON (${detail})` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { kind: 'rejected', reason: 'expected a JSON object with `step` and `loss`' };
  }
  try {
    const record = classifyTrainingDict(value as Dict, line);
    if (record === undefined) {
      return { kind: 'rejected', reason: 'no training field (`loss`, `learning_rate`, `step`, `train_runtime`, `eval_*`)' };
    }
    return { kind: 'records', records: [record] };
  } catch (error) {
    if (error instanceof FieldError) return { kind: 'rejected', reason: error.message };
    throw error;
  }
}
