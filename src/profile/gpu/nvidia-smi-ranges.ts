/**
 * The byte ranges of one --query-gpu log, and the exact merge of their results: the file is cut
 * just after line ends, each range is parsed on its own (on the calling thread or a worker, see
 * nvidia-smi-parallel.ts) into per-GPU states and a line count, and the states are merged in
 * file order. Counts merge exactly, so percentiles equal a sequential parse; time integrals are
 * stitched across range borders unless a missing value or a restart lies between; line numbers
 * in rejections stay exact because each range reports how many lines it read. Kept apart from
 * the thread orchestration so a worker thread loads only what parses a range.
 */
import { open } from 'node:fs/promises';
import { InputError, type RangeFailureDetail } from '../../errors.js';
import { RejectedLines, scanLineBytes, type RejectedLine } from '../lines.js';
import { GpuLogAccumulator } from './log-accumulator.js';
import type { GpuAccumulator, GpuRangeState } from './metrics.js';
import { parseHeaderLine } from './nvidia-smi-fields.js';
import { QueryGpuParser, type RangeStart } from './nvidia-smi-query.js';
import { addRestartWarning, addTruncatedWarning } from './nvidia-smi-messages.js';

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
