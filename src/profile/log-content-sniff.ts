/**
 * Recognises training and inference logs by what they hold, past the head that detectLogKind
 * reads: a Trainer log whose first `{'loss': …}` comes after 200 KB of banners and progress bars,
 * a JSONL file whose first record is longer than the head, trainer_state.json, and the JSON
 * shapes of vLLM-derived summaries (a top-level list of rows, InferenceX aggregates).
 */
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { LogKind } from './detect-kind.js';
import { looksLikeTrainerState } from './training/trainer-state.js';

const TRAINER_DICT = /\{'(loss|train_runtime|train_loss|eval_loss)':/;
const TRAINING_JSON_LINE = /(^|\n)[^\n{]*\{"(loss|eval_loss|train_runtime|train_loss)"\s*:/;
/** A tqdm bar of a training loop (`2/30 [00:26<05:23, 11.57s/it]`) … */
const TQDM_BAR = /\d+\/\d+ \[[\d:]+<[\d:?]+, +[\d.?]+ ?(s\/it|it\/s)\]/;
/** … in a log that says it trains (a Trainer log interrupted before its first loss record). */
const TRAINING_WORDS = /\b(LoRA|gradient[ _]checkpointing|Trainer|trainer\.py|Num Epochs|optimization steps|training)\b/i;
/** How much of an otherwise unrecognised file is searched for training records. */
const DEEP_SCAN_BYTES = 64 * 1024 * 1024;
/** The longest first line read to classify a JSONL file. */
const FIRST_LINE_BYTES = 16 * 1024 * 1024;

/** Reads from the start of a file until `stop` says so or `limit` bytes; returns what was read. */
async function readUntil(file: string, limit: number, stop: (text: string) => boolean): Promise<string> {
  const decoder = new StringDecoder('utf8');
  const stream = createReadStream(file, { highWaterMark: 1 << 20, end: limit - 1 });
  let text = '';
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    text += decoder.write(chunk);
    if (stop(text)) break;
    // Only the last megabyte can still hold the start of a match that ends in the next chunk.
    if (text.length > 2 << 20) text = text.slice(-(1 << 20));
  }
  stream.destroy();
  return text;
}

/** The first non-blank line, read whole even when it is longer than the head. */
async function readFirstLine(file: string): Promise<string> {
  let seen = '';
  const text = await readUntil(file, FIRST_LINE_BYTES, (t) => {
    seen = t;
    // indexOf, not /\S[^\n]*\n/: that regex rescans the line from every start, quadratic on a 1 MB line.
    const first = t.search(/\S/);
    return first !== -1 && t.indexOf('\n', first) !== -1;
  });
  const body = text || seen;
  return body.split('\n').find((l) => l.trim() !== '') ?? '';
}

/** JSON documents that are not one object: the vLLM nightly table is a list of row objects. */
function classifyJsonShape(value: unknown): LogKind | undefined {
  if (Array.isArray(value)) {
    const first: unknown = value[0];
    if (typeof first === 'object' && first !== null && Object.keys(first).some((k) => /TTFT|TPOT|Tput|ITL/i.test(k))) return 'inference';
    return undefined;
  }
  if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value);
    if (keys.some((k) => /^(mean|median|p\d+)_(ttft|tpot|itl|e2el)$/.test(k))) return 'inference';
    // llmperf's *_summary.json (results_ttft_s_mean…); genai-perf's summary has request_throughput.
    if (keys.some((k) => /^results_(ttft|end_to_end_latency|inter_token_latency)_s_/.test(k))) return 'inference';
  }
  return undefined;
}

/**
 * The kind of a file that the head-based checks did not recognise, or undefined. `classifyJson`
 * is detectLogKind's classifier for one JSON object.
 */
export async function sniffLogContent(file: string, head: string, classifyJson: (value: unknown) => LogKind): Promise<LogKind | undefined> {
  const trimmed = head.trimStart();
  if (looksLikeTrainerState(head)) return 'training';
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    try {
      const shape = classifyJsonShape(JSON.parse(head));
      if (shape !== undefined) return shape;
    } catch {
      // Not one complete document in the head: a long first JSONL record, or a big document.
    }
  }
  // genai-perf / perf_analyzer per-request export (profile_export.json): refused precisely by the reader.
  if (trimmed.startsWith('{') && /"experiments"\s*:/.test(head) && /"(response_timestamps|request_inputs)"\s*:/.test(head)) return 'inference';
  if (trimmed.startsWith('{"') && !/\n\s*\S/.test(trimmed)) {
    // The head holds part of one line: read that whole line (a 22 KB first JSONL record).
    try {
      const kind = classifyJson(JSON.parse(await readFirstLine(file)));
      if (kind !== 'unknown') return kind;
    } catch {
      // Still not JSON: fall through to the text checks.
    }
  }
  if (TQDM_BAR.test(head) && TRAINING_WORDS.test(head)) return 'training';
  const text = await readUntil(file, DEEP_SCAN_BYTES, (t) => TRAINER_DICT.test(t) || TRAINING_JSON_LINE.test(t));
  if (TRAINER_DICT.test(text) || TRAINING_JSON_LINE.test(text)) return 'training';
  return undefined;
}
