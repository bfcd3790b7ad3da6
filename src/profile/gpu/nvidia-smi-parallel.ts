import { existsSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { InputError, RangeFailure, type RangeFailureDetail } from '../../errors.js';
import { RejectedLines, scanLineBytes, unrecognisedFileError, type ReadProgress, type RejectedLine } from '../lines.js';
import { GpuLogAccumulator } from './log-accumulator.js';
import type { GpuAccumulator, GpuRangeState } from './metrics.js';
import { parseHeaderLine } from './nvidia-smi-fields.js';
import { QueryGpuParser, type RangeStart } from './nvidia-smi-query.js';
import { addRestartWarning, addTruncatedWarning } from './nvidia-smi-messages.js';

/**
 * Parallel parsing of one large --query-gpu log: the file is cut at line ends into one byte
 * range per core; the main thread parses the first range and worker threads the others; the
 * per-GPU states are then merged in file order. Counts merge exactly, so percentiles are the
 * same as a sequential parse; time integrals are stitched across range borders unless a missing
 * value or a restart lies between. Line numbers in rejections stay exact (ranges report their
 * line counts). A header that changes the field list mid-file makes the caller re-parse
 * sequentially, since later ranges would have started with the wrong fields.
 */

/** Files smaller than this are parsed on one thread: starting workers costs more than it saves. */
const PARALLEL_MIN_BYTES = 32 * 1024 * 1024;
const MAX_THREADS = 4;
const WORKER_URL = new URL('./nvidia-smi-worker.js', import.meta.url);

export interface QueryRangeResult {
  devices: GpuRangeState[];
  rejected: { count: number; examples: RejectedLine[] };
  lines: number;
  accepted: number;
  restarts: number;
  truncatedLine: number | null;
  fieldsChanged: boolean;
}

export interface QueryRangeInput {
  file: string;
  start: number;
  end: number;
  range: RangeStart;
  fields: readonly string[] | undefined;
  keyField?: string;
}

/** Parses bytes [start, end) of a log (start and end at line starts) into a mergeable result. */
export async function parseQueryGpuRange(
  input: QueryRangeInput,
  onBytes?: (bytes: number) => void,
  signal?: AbortSignal,
): Promise<QueryRangeResult> {
  const acc = new GpuLogAccumulator(new RejectedLines());
  const parser = new QueryGpuParser(input.file, acc, { fields: input.fields, keyField: input.keyField }, input.range);
  let reported = 0;
  const scan = await scanLineBytes(input.file, (buffer, start, end, n, terminated) => parser.lineBytes(buffer, start, end, n, terminated), {
    start: input.start,
    end: input.end,
    signal,
    onProgress: (p) => {
      onBytes?.(p.bytesRead - reported);
      reported = p.bytesRead;
    },
  });
  return {
    devices: parser.devices.map((d) => d.exportRange()),
    rejected: { count: acc.rejected.count, examples: acc.rejected.examples },
    lines: scan.lines,
    accepted: parser.accepted,
    restarts: parser.restarts,
    truncatedLine: parser.truncatedLine,
    fieldsChanged: parser.fieldsChanged,
  };
}

/** The first non-blank line if it is a --query-gpu header, exactly as the parser will see it. */
export async function sniffHeader(file: string): Promise<string | null> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    for (const raw of buffer.toString('utf8', 0, bytesRead).split('\n')) {
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (line.trim().length === 0) continue;
      return parseHeaderLine(line) === null ? null : line;
    }
    return null;
  } finally {
    await handle.close();
  }
}

/** Offsets [0, b1, …, size] cutting the file into about `parts` ranges, each b just after a '\n'. */
export async function splitAtLines(file: string, size: number, parts: number): Promise<number[]> {
  const bounds = [0];
  const handle = await open(file, 'r');
  try {
    const window = Buffer.alloc(64 * 1024);
    for (let i = 1; i < parts; i++) {
      let position = Math.max(Math.floor((size * i) / parts), bounds[bounds.length - 1] as number);
      let cut = -1;
      while (cut === -1 && position < size) {
        const { bytesRead } = await handle.read(window, 0, window.length, position);
        if (bytesRead === 0) break;
        const newline = window.subarray(0, bytesRead).indexOf(10);
        if (newline !== -1) cut = position + newline + 1;
        else position += bytesRead;
      }
      if (cut === -1 || cut >= size) break;
      if (cut > (bounds[bounds.length - 1] as number)) bounds.push(cut);
    }
  } finally {
    await handle.close();
  }
  bounds.push(size);
  return bounds;
}

/** Merges range results, in file order, into `acc`; returns the rows accepted. */
export function mergeQueryRanges(file: string, results: readonly QueryRangeResult[], acc: GpuLogAccumulator): number {
  let lineOffset = 0;
  let restarts = 0;
  let accepted = 0;
  const seen = new Set<GpuAccumulator>();
  for (const result of results) {
    const offset = lineOffset;
    acc.rejected.addMany(
      file,
      result.rejected.count,
      result.rejected.examples.map((e) => ({ ...e, line: e.line + offset })),
    );
    const present = new Set<GpuAccumulator>();
    for (const state of result.devices) {
      const { id: _id, ...identity } = state.identity;
      present.add(acc.device(file, identity));
    }
    // A restart inside this range separates the GPUs it never mentions from their next rows.
    if (result.restarts > 0) for (const device of seen) if (!present.has(device)) device.breakSegments();
    for (const state of result.devices) {
      const { id: _id, ...identity } = state.identity;
      const device = acc.device(file, identity);
      device.mergeRange(state);
      seen.add(device);
    }
    if (result.truncatedLine !== null) addTruncatedWarning(acc, file, result.truncatedLine + offset);
    lineOffset += result.lines;
    restarts += result.restarts;
    accepted += result.accepted;
  }
  if (restarts > 0) addRestartWarning(acc, file, restarts);
  return accepted;
}

interface WorkerMessage {
  type: 'progress' | 'result' | 'error';
  bytes?: number;
  result?: QueryRangeResult;
  error?: RangeFailureDetail;
}

/** An InputError from a range, as plain data: its line is relative to the range's first line. */
export function describeRangeError(error: unknown): RangeFailureDetail {
  const input = error instanceof InputError;
  return {
    message: error instanceof Error ? error.message : String(error),
    line: input ? error.line : undefined,
    hint: input ? error.hint : undefined,
    input,
  };
}

/** Parses a range and reports failures the way a worker thread does. */
export type RangeRunner = (input: QueryRangeInput, onBytes: (bytes: number) => void, signal?: AbortSignal) => Promise<QueryRangeResult>;

/** Runs a range on the calling thread (range 0, and the tests). */
export const runRangeHere: RangeRunner = async (input, onBytes, signal) => {
  try {
    return await parseQueryGpuRange(input, onBytes, signal);
  } catch (error) {
    if (error instanceof InputError) throw new RangeFailure(describeRangeError(error));
    throw error;
  }
};

/** Runs a range on a worker thread. */
const runRangeInWorker: RangeRunner = (input, onBytes, signal) => {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_URL, { workerData: input });
    let settled = false;
    const abort = (): void => {
      settled = true;
      void worker.terminate();
      reject(signal?.reason instanceof Error ? signal.reason : Object.assign(new Error('aborted'), { name: 'AbortError' }));
    };
    if (signal?.aborted) abort();
    signal?.addEventListener('abort', abort, { once: true });
    worker.on('exit', () => signal?.removeEventListener('abort', abort));
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'progress') onBytes(message.bytes ?? 0);
      else if (message.type === 'result' && message.result) {
        settled = true;
        resolve(message.result);
      } else if (message.type === 'error' && message.error) {
        settled = true;
        reject(new RangeFailure(message.error));
      }
    });
    worker.on('error', (error) => {
      settled = true;
      reject(error);
    });
    worker.on('exit', (code) => {
      if (!settled) reject(new Error(`nvidia-smi parser thread exited with code ${code}`));
    });
  });
};

/**
 * Parses one file on several threads into `acc`. Returns false, having changed nothing, when
 * the file should be parsed sequentially instead (small file, one core, no built worker, or a
 * field list that changes mid-file).
 */
export interface ParallelOptions {
  fields?: readonly string[];
  keyField?: string;
  parallel?: boolean;
  onProgress?: (progress: ReadProgress) => void;
  signal?: AbortSignal;
  /** Ranges to cut (default: cores, at most 4). */
  threads?: number;
  /** Smallest file parsed in parallel (default PARALLEL_MIN_BYTES). */
  minBytes?: number;
  /** How ranges after the first are run (default: worker threads). Tests run them in process. */
  runRange?: RangeRunner;
}

export async function parseQueryGpuFileParallel(file: string, options: ParallelOptions, acc: GpuLogAccumulator): Promise<boolean> {
  const threads = options.threads ?? Math.min(availableParallelism(), MAX_THREADS);
  const runRange = options.runRange ?? runRangeInWorker;
  if (options.parallel === false || threads < 2) return false;
  if (options.runRange === undefined && !existsSync(fileURLToPath(WORKER_URL))) return false; // running from sources
  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile()) return false;
    size = info.size;
  } catch {
    return false; // the sequential path reports the error
  }
  if (size < (options.minBytes ?? PARALLEL_MIN_BYTES)) return false;
  const header = await sniffHeader(file);
  const bounds = await splitAtLines(file, size, threads);
  let bytesRead = 0;
  const onBytes = (bytes: number): void => {
    bytesRead += bytes;
    options.onProgress?.({ file, bytesRead, totalBytes: size });
  };
  const inputs: QueryRangeInput[] = bounds.slice(0, -1).map((start, i) => ({
    file,
    start,
    end: bounds[i + 1] as number,
    range: { header, first: i === 0 },
    fields: options.fields,
    keyField: options.keyField,
  }));
  const settled = await Promise.allSettled(inputs.map((input, i) =>
      (i === 0 ? runRangeHere : runRange)(input, onBytes, options.signal),
    ));
  let lineOffset = 0;
  const results: QueryRangeResult[] = [];
  for (const outcome of settled) {
    if (outcome.status === 'rejected') {
      const error: unknown = outcome.reason;
      if (error instanceof RangeFailure && error.detail.input) {
        const line = error.detail.line === undefined ? undefined : error.detail.line + lineOffset;
        const prefix = new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(:\\d+)?: `);
        throw new InputError(error.detail.message.replace(prefix, ''), { file, line, hint: error.detail.hint });
      }
      throw error;
    }
    results.push(outcome.value);
    lineOffset += outcome.value.lines;
  }
  if (results.some((r) => r.fieldsChanged)) return false;
  acc.files.push(file);
  const accepted = mergeQueryRanges(file, results, acc);
  if (accepted === 0) {
    const first = acc.rejected.examples.find((r) => r.file === file);
    throw unrecognisedFileError(
      file,
      'nvidia-smi --query-gpu CSV rows',
      first ? `no usable row; line ${first.line}: ${first.reason}` : 'no data rows',
    );
  }
  return true;
}

export type { RangeStart };
