/**
 * Hugging Face `trainer_state.json` (written next to every checkpoint): `log_history` holds the
 * same dicts the Trainer prints (loss entries, eval entries, the final train summary) with their
 * `step`, and the top level holds `global_step`, `best_metric` and `best_model_checkpoint`.
 * transformers writes it with `json.dumps(indent=2, sort_keys=True)`, so bare NaN/Infinity may
 * appear (a diverged run) and the keys before `log_history` are small and come first.
 */
import { InputError } from '../../errors.js';
import { emptyFileError, readWholeTextFile, RejectedLines } from '../lines.js';
import { classifyTrainingDict, PYTHON_NON_FINITE, type TrainingRecord } from './records.js';

export interface TrainerState {
  file: string;
  /** Entries in `log_history`, whatever their kind. */
  logEntries: number;
  records: TrainingRecord[];
  globalStep: number | null;
  maxSteps: number | null;
  bestMetric: number | null;
  bestModelCheckpoint: string | null;
}

const HINT = 'expected the trainer_state.json that the Hugging Face Trainer writes into each checkpoint-*/ directory';

/** True when the head of a JSON document has the top-level keys of a trainer_state.json. */
export function looksLikeTrainerState(head: string): boolean {
  return /^\s*\{/.test(head) && /"log_history"\s*:\s*\[/.test(head) && /"(global_step|best_metric|epoch)"\s*:/.test(head);
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** The 1-based line where each top-level `{` of log_history starts, so rejections can name a line. */
function entryLines(text: string): number[] {
  const lines: number[] = [];
  const start = text.search(/"log_history"\s*:\s*\[/);
  if (start < 0) return lines;
  let line = text.slice(0, start).split('\n').length;
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '\n') line++;
    else if (ch === '"') inString = true;
    else if (ch === '[' || ch === '{') {
      if (ch === '{' && depth === 1) lines.push(line);
      depth++;
    } else if (ch === ']' || ch === '}') {
      depth--;
      if (depth === 0) break;
    }
  }
  return lines;
}

/** Parses the text of a trainer_state.json. Throws InputError naming the file for anything else. */
export function parseTrainerState(text: string, file: string, rejected = new RejectedLines()): TrainerState {
  let value: unknown;
  try {
    value = JSON.parse(text.replace(PYTHON_NON_FINITE, '"$1"'));
  } catch (error) {
    throw new InputError(`not valid JSON: ${error instanceof Error ? error.message : String(error)}`, { file, hint: HINT, cause: error });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError('expected a JSON object with `log_history`', { file, hint: HINT });
  }
  const state = value as Record<string, unknown>;
  const history = state.log_history;
  if (!Array.isArray(history)) {
    throw new InputError(`\`log_history\` is ${history === undefined ? 'missing' : 'not a list'}`, { file, hint: HINT });
  }
  const lines = entryLines(text);
  const records: TrainingRecord[] = [];
  history.forEach((entry: unknown, i) => {
    const line = lines[i] ?? 0;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      rejected.add(file, line, `log_history[${i}]: expected an object`);
      return;
    }
    try {
      const record = classifyTrainingDict(entry as Record<string, unknown>, line);
      if (record === undefined) rejected.add(file, line, `log_history[${i}]: no training field (loss, eval_*, train_runtime)`);
      else records.push(record);
    } catch (error) {
      rejected.add(file, line, `log_history[${i}]: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
  const checkpoint = state.best_model_checkpoint;
  return {
    file,
    logEntries: history.length,
    records,
    globalStep: numberOrNull(state.global_step),
    maxSteps: numberOrNull(state.max_steps),
    bestMetric: numberOrNull(state.best_metric),
    bestModelCheckpoint: typeof checkpoint === 'string' ? checkpoint : null,
  };
}

/** Reads a trainer_state.json (a few MB at most: one entry per logging step). */
export async function readTrainerState(file: string, rejected?: RejectedLines): Promise<TrainerState> {
  const text = await readWholeTextFile(file, 'a trainer_state.json');
  if (text.trim() === '') throw emptyFileError(file, 'a trainer_state.json');
  return parseTrainerState(text.replace(/^\uFEFF/, ''), file, rejected);
}
