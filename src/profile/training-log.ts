/**
 * Training logs, one line at a time: hpcbench's JSONL (`{"step", "epoch", "loss",
 * "learning_rate", "step_time_s"?, "samples_per_s"?, "tokens_per_s"?, "time"?}`) and the
 * Python dicts that the Hugging Face Trainer prints to stdout, often glued to tqdm bars:
 *
 *    10%|█         | 50/500 [00:10<01:30,  4.98it/s]{'loss': 2.345, 'grad_norm': 1.2, 'learning_rate': 4.5e-05, 'epoch': 0.5}
 *
 * Both become the same TrainingRecord union, so the metrics do not care where they came from.
 */
import { InputError } from '../errors.js';
import { RejectedLines, scanLines, type ReadProgress } from './lines.js';
import { parsePythonDict, type PythonScalar } from './training-python-dict.js';

export type TrainingLogFormat = 'jsonl' | 'trainer';

export interface TrainingStepRecord {
  kind: 'step';
  line: number;
  /** Optimizer step: logged, read from the tqdm bar on the same line, or absent. */
  step?: number;
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
  epoch?: number;
  evalLoss?: number;
  /** Every other `eval_*` number, without the prefix (runtime, samples_per_second, accuracy…). */
  metrics: Record<string, number>;
}

export interface TrainingSummaryRecord {
  kind: 'summary';
  line: number;
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

type Dict = Record<string, PythonScalar | unknown>;

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
  if (numericStrings && typeof value === 'string' && NUMERIC_TEXT.test(value)) {
    const text = value.trim();
    value = text === 'nan' ? Number.NaN : text.endsWith('inf') ? (text.startsWith('-') ? -Infinity : Infinity) : Number(text);
  }
  if (typeof value !== 'number') throw new FieldError(`field \`${key}\`: expected a number, found ${JSON.stringify(value)}`);
  if (!Number.isFinite(value)) {
    const hint = key.includes('loss') ? ' (the training diverged?)' : '';
    throw new FieldError(`field \`${key}\` is ${String(value)}${hint}`);
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

class FieldError extends Error {}

function assign<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

export interface ClassifyOptions {
  /** The step shown by a tqdm bar on the same line, used when the dict has no `step`. */
  progressStep?: number;
  /** Accept numbers written as strings ('2.345'), as printed Trainer dicts may hold. */
  numericStrings?: boolean;
}

/** Classifies one parsed dict; undefined when it carries no training field at all. */
export function classifyTrainingDict(dict: Dict, line: number, options: ClassifyOptions = {}): TrainingRecord | undefined {
  const { progressStep } = options;
  const lenient = options.numericStrings ?? false;
  const num = (key: string): number | undefined => readNumber(dict, key, lenient);
  if ('train_runtime' in dict || 'train_loss' in dict) {
    const record: TrainingSummaryRecord = { kind: 'summary', line };
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
    assign(record, 'step', readStep(dict, lenient) ?? progressStep);
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
  assign(record, 'step', readStep(dict, lenient) ?? progressStep);
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
    value = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { kind: 'rejected', reason: `not valid JSON (${detail}); write NaN as null` };
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

const PROGRESS = /(\d+)\/(\d+) \[/g;

/** The step of the last tqdm bar (`50/500 [`) before `end`, if any. */
function progressStepBefore(text: string, end: number): number | undefined {
  let step: number | undefined;
  for (const match of text.slice(0, end).matchAll(PROGRESS)) step = Number(match[1]);
  return step;
}

/**
 * Parses one line of Trainer stdout. Lines without a Trainer dict are ignored (stdout is mostly
 * other output); a dict that is recognisably a training log but malformed is rejected.
 */
export function parseTrainerLine(text: string, line: number): TrainingLine {
  const records: TrainingRecord[] = [];
  let from = 0;
  for (;;) {
    const open = text.indexOf("{'", from);
    if (open < 0) break;
    const parsed = parsePythonDict(text, open);
    if (parsed === undefined) {
      // A dict that starts like a log entry but does not close is a truncated line (killed job).
      if (/\{'(loss|eval_|train_)/.test(text.slice(open, open + 12))) {
        return { kind: 'rejected', reason: `unterminated or malformed Trainer log dict: ${text.slice(open, open + 60)}` };
      }
      from = open + 2;
      continue;
    }
    try {
      const record = classifyTrainingDict(parsed.value, line, { progressStep: progressStepBefore(text, open), numericStrings: true });
      if (record !== undefined) records.push(record);
    } catch (error) {
      if (error instanceof FieldError) return { kind: 'rejected', reason: error.message };
      throw error;
    }
    from = parsed.end;
  }
  return records.length > 0 ? { kind: 'records', records } : { kind: 'ignored' };
}

/** Chooses the format from the first non-blank line: JSONL lines start with `{"`, Python dicts with `{'`. */
export function detectTrainingFormat(firstLine: string): TrainingLogFormat {
  return firstLine.trimStart().startsWith('{"') ? 'jsonl' : 'trainer';
}

export interface TrainingLog {
  file: string;
  format: TrainingLogFormat;
  records: TrainingRecord[];
}

export interface ReadTrainingLogOptions {
  format?: TrainingLogFormat | 'auto';
  rejected?: RejectedLines;
  onProgress?: (progress: ReadProgress) => void;
  signal?: AbortSignal;
}

/**
 * Streams a training log (JSONL or Trainer stdout) into records. Throws InputError when the file
 * is empty or holds no training record at all.
 */
export async function readTrainingLog(file: string, options: ReadTrainingLogOptions = {}): Promise<TrainingLog> {
  const rejected = options.rejected ?? new RejectedLines();
  const records: TrainingRecord[] = [];
  let format: TrainingLogFormat | undefined = options.format === 'auto' ? undefined : options.format;
  let firstRejected: { line: number; reason: string } | undefined;
  await scanLines(
    file,
    (text, lineNumber, terminated) => {
      if (text.trim() === '') return;
      format ??= detectTrainingFormat(text);
      const parsed = format === 'jsonl' ? parseTrainingJsonLine(text, lineNumber) : parseTrainerLine(text, lineNumber);
      switch (parsed.kind) {
        case 'records':
          records.push(...parsed.records);
          return;
        case 'ignored':
          return;
        case 'rejected': {
          const reason = terminated ? parsed.reason : `truncated last line (job killed while writing?): ${parsed.reason}`;
          firstRejected ??= { line: lineNumber, reason };
          rejected.add(file, lineNumber, reason);
          return;
        }
        default: {
          const never: never = parsed;
          return never;
        }
      }
    },
    { onProgress: options.onProgress, signal: options.signal },
  );
  if (records.length === 0) {
    const detail = firstRejected ? `; first rejected line ${firstRejected.line}: ${firstRejected.reason}` : '';
    throw new InputError(`no training log entries found${detail}`, {
      file,
      line: firstRejected?.line,
      hint: 'expected JSONL lines like {"step": 10, "loss": 2.3, "learning_rate": 5e-5} or Hugging Face Trainer output with {\'loss\': ...} dicts',
    });
  }
  return { file, format: format ?? 'trainer', records };
}
