/**
 * Training logs, one line at a time: hpcbench's JSONL (`{"step", "epoch", "loss",
 * "learning_rate", "step_time_s"?, "samples_per_s"?, "tokens_per_s"?, "time"?}`) and the
 * Python dicts that the Hugging Face Trainer prints to stdout, often glued to tqdm bars:
 *
 *    10%|█         | 50/500 [00:10<01:30,  4.98it/s]{'loss': 2.345, 'grad_norm': 1.2, 'learning_rate': 4.5e-05, 'epoch': 0.5}
 *
 * Both become the same TrainingRecord union, so the metrics do not care where they came from; so
 * does trainer_state.json. Records: training-records.ts; stdout lines: training-stdout.ts.
 */
import { InputError } from '../../errors.js';
import { readFileHead, RejectedLines, scanLines, type ReadProgress } from '../lines.js';
import { looksLikeTrainerState, readTrainerState } from './trainer-state.js';
import type { TrainingLogContext } from './metrics.js';
import { parseTrainingJsonLine, type TrainingRecord } from './records.js';
import { estimateStepsFromEpochs, parseTrainerLine, TrainerProgress } from './stdout.js';

export * from './records.js';
export {  parseTrainerLine, TrainerProgress } from './stdout.js';

export type TrainingLogFormat = 'jsonl' | 'trainer' | 'trainer-state';

/** Chooses the format from the first non-blank line: JSONL lines start with `{"`, Python dicts with `{'`. */
function detectTrainingFormat(firstLine: string): TrainingLogFormat {
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
