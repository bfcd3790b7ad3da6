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
import { readFileHead, RejectedLines, scanLines, type ReadProgress } from './lines.js';
import { looksLikeTrainerState, readTrainerState } from './trainer-state.js';
import type { TrainingLogContext } from './training-metrics.js';
import { parsePythonDict, type PythonScalar } from './training-python-dict.js';

export type TrainingLogFormat = 'jsonl' | 'trainer' | 'trainer-state';

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

type Dict = Record<string, PythonScalar | unknown>;

const JSON_NON_FINITE: Record<string, number> = { NaN: Number.NaN, Infinity: Infinity, '-Infinity': -Infinity };
/** Bare NaN/Infinity tokens (Python's json.dumps) quoted so that JSON.parse accepts the line. */
export const PYTHON_NON_FINITE = /(?<=[:,[]\s*)(-?Infinity|NaN)(?=\s*[,\]}])/g;
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

class FieldError extends Error {}

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

const PROGRESS = /(\d+)\/(\d+) \[/g;

/**
 * What Trainer stdout said before the current position: the last tqdm counter (`350/411 [`),
 * wherever it was (same line after a `\r`, or lines above when a terminal capture wrapped the bars
 * with `\n`), and the total of the training loop's bar, so that an eval loop's bar is not taken
 * for an optimizer step.
 */
export class TrainerProgress {
  private last: { step: number; total: number } | undefined;
  private trainTotal: number | undefined;
  private readonly lastByTotal = new Map<number, number>();

  /** Records every counter in `text` up to `end`. */
  advance(text: string, from: number, end: number): void {
    if (text.indexOf('/', from) < 0) return;
    for (const match of text.slice(from, end).matchAll(PROGRESS)) {
      const step = Number(match[1]);
      const total = Number(match[2]);
      this.last = { step, total };
      this.lastByTotal.set(total, step);
    }
  }

  /** The counter to use for a loss dict: the bar running when it was logged is the training loop's. */
  forStep(): number | undefined {
    if (this.last === undefined) return undefined;
    this.trainTotal ??= this.last.total;
    return this.lastByTotal.get(this.trainTotal);
  }

  /** From the Trainer's `***** Running training *****` banner: optimizer steps and epochs planned. */
  private totalSteps: number | undefined;
  private epochs: number | undefined;

  /** Reads `Num Epochs = 3` and `Total optimization steps = 411` where the banner prints them. */
  observeBanner(text: string): void {
    if (!text.includes(' = ')) return;
    const steps = /Total optimization steps = ([\d,]+)/.exec(text);
    if (steps) this.totalSteps = Number((steps[1] as string).replace(/,/g, ''));
    const epochs = /Num Epochs = ([\d,]+)/.exec(text);
    if (epochs) this.epochs = Number((epochs[1] as string).replace(/,/g, ''));
  }

  /** Optimizer steps per epoch, when the banner gave both figures. */
  stepsPerEpoch(): number | undefined {
    return this.totalSteps !== undefined && this.epochs !== undefined && this.epochs > 0 ? this.totalSteps / this.epochs : undefined;
  }

  /** The last counter seen (`2/30`), for messages. */
  describe(): string | undefined {
    return this.last === undefined ? undefined : `${this.last.step}/${this.last.total}`;
  }

  /** The counter to use for an eval dict: only the training loop's bar, once it is known. */
  forEval(): number | undefined {
    return this.trainTotal === undefined ? undefined : this.lastByTotal.get(this.trainTotal);
  }
}

const TRAINING_JSON_START = /\{"(loss|eval_|train_|learning_rate|step|epoch)/;

/** A JSON object printed among other output (`{"loss": 2.3, "step": 10}` from a callback or job.out). */
function parseEmbeddedJson(text: string, open: number, line: number, progress: TrainerProgress): TrainingLine {
  const parsed = parseTrainingJsonLine(text.slice(open).trimEnd(), line);
  if (parsed.kind === 'rejected') {
    // Other JSON (a config dump) is not a training record; only a training-looking line is an error.
    return TRAINING_JSON_START.test(text.slice(open, open + 20)) && !parsed.reason.startsWith('no training field') ? parsed : { kind: 'ignored' };
  }
  if (parsed.kind === 'records') for (const record of parsed.records) stepFromProgress(record, progress);
  return parsed;
}

/** Gives a record without `step` the step of the training bar above it (only a training record asks). */
function stepFromProgress(record: TrainingRecord, progress: TrainerProgress): TrainingRecord {
  if (record.kind === 'summary' || record.step !== undefined) return record;
  const step = record.kind === 'eval' ? progress.forEval() : progress.forStep();
  if (step !== undefined) {
    record.step = step;
    record.stepFrom = 'progress-bar';
  }
  return record;
}

/**
 * Parses one line of Trainer stdout. Lines without a Trainer dict are ignored (stdout is mostly
 * other output); a dict that is recognisably a training log but malformed is rejected. Pass the
 * same `progress` for every line of a file, so that a dict takes its step from a bar above it.
 */
export function parseTrainerLine(text: string, line: number, progress = new TrainerProgress()): TrainingLine {
  const records: TrainingRecord[] = [];
  let from = 0;
  for (;;) {
    const open = text.indexOf("{'", from);
    if (open < 0) {
      const json = text.indexOf('{"', from);
      progress.advance(text, from, json < 0 ? text.length : json);
      if (json >= 0 && records.length === 0) return parseEmbeddedJson(text, json, line, progress);
      break;
    }
    progress.advance(text, from, open);
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
      const record = classifyTrainingDict(parsed.value, line, { numericStrings: true });
      if (record !== undefined) records.push(stepFromProgress(record, progress));
    } catch (error) {
      if (error instanceof FieldError) return { kind: 'rejected', reason: error.message };
      throw error;
    }
    from = parsed.end;
  }
  return records.length > 0 ? { kind: 'records', records } : { kind: 'ignored' };
}

/**
 * Without a step in the record or a bar above it, the banner's steps per epoch give one: epoch ×
 * steps per epoch, rounded. The Trainer prints epochs to 2 decimals, so this is an estimate
 * (stepFrom 'epoch-estimate'), said as such in the metrics.
 */
function estimateStepsFromEpochs(records: TrainingRecord[], stepsPerEpoch: number | undefined): void {
  if (stepsPerEpoch === undefined) return;
  for (const record of records) {
    if (record.kind === 'summary' || record.step !== undefined || record.epoch === undefined) continue;
    record.step = Math.round(record.epoch * stepsPerEpoch);
    record.stepFrom = 'epoch-estimate';
  }
}

/** Chooses the format from the first non-blank line: JSONL lines start with `{"`, Python dicts with `{'`. */
export function detectTrainingFormat(firstLine: string): TrainingLogFormat {
  return firstLine.trimStart().startsWith('{"') ? 'jsonl' : 'trainer';
}

export interface TrainingLog {
  file: string;
  format: TrainingLogFormat;
  records: TrainingRecord[];
  /** For computeTrainingMetrics: where the records came from, and trainer_state.json's top level. */
  context: TrainingLogContext;
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
  if (format === 'trainer-state' || (format === undefined && looksLikeTrainerState(await readFileHead(file, 4096)))) {
    const state = await readTrainerState(file, rejected);
    if (state.records.length === 0) {
      throw new InputError(`no training log entries found: \`log_history\` has ${state.logEntries} entries and none is a loss, eval or summary entry`, {
        file,
        hint: 'the Trainer writes log_history every logging_steps; a checkpoint saved before the first log has none',
      });
    }
    const { globalStep, bestMetric, bestModelCheckpoint, logEntries } = state;
    return { file, format: 'trainer-state', records: state.records, context: { source: 'trainer-state', logEntries, globalStep, bestMetric, bestModelCheckpoint } };
  }
  let firstRejected: { line: number; reason: string } | undefined;
  const progress = new TrainerProgress();
  await scanLines(
    file,
    (text, lineNumber, terminated) => {
      if (text.trim() === '') return;
      format ??= detectTrainingFormat(text);
      if (format === 'trainer') progress.observeBanner(text);
      const parsed = format === 'jsonl' ? parseTrainingJsonLine(text, lineNumber) : parseTrainerLine(text, lineNumber, progress);
      switch (parsed.kind) {
        case 'records':
          for (const record of parsed.records) records.push(record);
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
    const bar = progress.describe();
    const detail = firstRejected
      ? `; first rejected line ${firstRejected.line}: ${firstRejected.reason}`
      : bar !== undefined
        ? ` yet: a Trainer log that stopped before its first loss record (last progress bar ${bar})`
        : '';
    throw new InputError(`no training log entries found${detail}`, {
      file,
      line: firstRejected?.line,
      hint: 'expected JSONL lines like {"step": 10, "loss": 2.3, "learning_rate": 5e-5} or Hugging Face Trainer output with {\'loss\': ...} dicts',
    });
  }
  estimateStepsFromEpochs(records, progress.stepsPerEpoch());
  const source = (format ?? 'trainer') === 'jsonl' ? 'jsonl' : 'trainer-stdout';
  return { file, format: format ?? 'trainer', records, context: { source, logEntries: records.length } };
}
