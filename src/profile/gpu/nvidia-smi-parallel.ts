import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { InputError, RangeFailure, type RangeFailureDetail } from '../../errors.js';
import { unrecognisedFileError, type ReadProgress } from '../lines.js';
import type { GpuLogAccumulator } from './log-accumulator.js';
import {
  describeRangeError,
  mergeQueryRanges,
  parseQueryGpuRange,
  sniffHeader,
  splitAtLines,
  type QueryRangeInput,
  type QueryRangeResult,
} from './nvidia-smi-ranges.js';

/**
 * Parallel parsing of one large --query-gpu log: the file is cut at line ends into one byte
 * range per core (nvidia-smi-ranges.ts); the main thread parses the first range and worker
 * threads the others; the per-GPU states are then merged in file order, exactly. A header that
 * changes the field list mid-file makes the caller re-parse sequentially, since later ranges
 * would have started with the wrong fields.
 */

/** Files smaller than this are parsed on one thread: starting workers costs more than it saves. */
const PARALLEL_MIN_BYTES = 32 * 1024 * 1024;
const MAX_THREADS = 4;
const WORKER_URL = new URL('./nvidia-smi-worker.js', import.meta.url);

interface WorkerMessage {
  type: 'progress' | 'result' | 'error';
  bytes?: number;
  result?: QueryRangeResult;
  error?: RangeFailureDetail;
}

/** Parses a range and reports failures the way a worker thread does. */
export type RangeRunner = (input: QueryRangeInput, onBytes: (bytes: number) => void, signal?: AbortSignal) => Promise<QueryRangeResult>;

/** Runs a range on the calling thread (range 0). */
const runRangeHere: RangeRunner = async (input, onBytes, signal) => {
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
