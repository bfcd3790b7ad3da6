/**
 * Hugging Face Trainer stdout, one line at a time: the Python dicts it prints (often glued to tqdm
 * bars after a `\r`) and JSON lines among banners and warnings. A record without `step` takes it
 * from the training progress bar above it, or from epoch × steps per epoch of the Trainer's banner.
 */
import { FieldError } from '../../errors.js';
import { parsePythonDict } from './python-dict.js';
import { classifyTrainingDict, parseTrainingJsonLine, type TrainingLine, type TrainingRecord } from './records.js';

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

  /** Optimizer steps the run plans (the banner's, else the training bar's total), for a live watch's ETA. */
  plannedSteps(): number | undefined {
    return this.totalSteps ?? this.trainTotal;
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
export function estimateStepsFromEpochs(records: TrainingRecord[], stepsPerEpoch: number | undefined): void {
  if (stepsPerEpoch === undefined) return;
  for (const record of records) {
    if (record.kind === 'summary' || record.step !== undefined || record.epoch === undefined) continue;
    record.step = Math.round(record.epoch * stepsPerEpoch);
    record.stepFrom = 'epoch-estimate';
  }
}
