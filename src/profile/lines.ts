import { createReadStream, promises as fs } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { CheckFailedError, HpcbenchError, InputError } from '../errors.js';

/** One line of a text file, without its line end (`\n` or `\r\n`). */
export interface Line {
  text: string;
  /** 1-based. */
  lineNumber: number;
  /** False only for a last line with no line end: a writer killed mid-line leaves one. */
  terminated: boolean;
}

export interface ReadProgress {
  file: string;
  bytesRead: number;
  totalBytes: number;
}

export interface ReadLinesOptions {
  /** Called after each chunk; the CLI throttles and draws a progress display on a TTY. */
  onProgress?: (progress: ReadProgress) => void;
  signal?: AbortSignal;
  /** Bytes per read (default 1 MiB: large reads keep syscalls and callbacks rare). */
  chunkSize?: number;
  /** `latin1` is faster for ASCII-only logs; default `utf8`. */
  encoding?: 'utf8' | 'latin1';
  /** Accept a 0-byte file instead of throwing InputError (default false). */
  allowEmpty?: boolean;
}

export interface ScanResult {
  file: string;
  lines: number;
  bytes: number;
  /** The file ended without a line end (the last line may be cut short). */
  lastLineUnterminated: boolean;
}

const DEFAULT_CHUNK = 1 << 20;

function openError(file: string, error: unknown): InputError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const why =
    code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : String(error);
  return new InputError(`cannot read the file: ${why}`, { file, hint: 'check the path (and that the job copied its logs back)', cause: error });
}

/** The size of a log file; InputError for a missing file, a directory, or (unless allowed) an empty file. */
async function statLogFile(file: string, allowEmpty = false): Promise<number> {
  let size: number;
  try {
    const stat = await fs.stat(file);
    if (stat.isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
    size = stat.size;
  } catch (error) {
    throw openError(file, error);
  }
  if (size === 0 && !allowEmpty) throw emptyFileError(file);
  return size;
}

/**
 * Files read whole (JSON results and summaries, trainer_state.json, sacct output) are small;
 * a larger one is refused before it is read rather than failing inside the string machinery.
 */
const MAX_WHOLE_FILE_BYTES = 256 * 1024 * 1024;

/** Reads a file that parsers take whole; InputError (exit 2) for a missing, unreadable or oversized file. */
export async function readWholeTextFile(file: string, expected: string): Promise<string> {
  const size = await statLogFile(file, true);
  if (size > MAX_WHOLE_FILE_BYTES) {
    throw new InputError(`the file is ${size} bytes; expected ${expected} of at most ${MAX_WHOLE_FILE_BYTES / 1024 / 1024} MiB`, { file, hint: 'check that this is the right file' });
  }
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    throw openError(file, error);
  }
}

/** The InputError for a file with no content. */
export function emptyFileError(file: string, expected = 'log lines'): InputError {
  return new InputError(`the file is empty; expected ${expected}`, {
    file,
    hint: 'the job may have failed before logging anything; check its output file',
  });
}

/** The InputError for a file whose content matches no known format. */
export function unrecognisedFileError(file: string, expected: string, found?: string): InputError {
  return new InputError(`unrecognised content${found ? ` (${found})` : ''}; expected ${expected}`, {
    file,
    hint: 'pass the right file, or say which format it is',
  });
}

/**
 * Streams a file line by line, calling `onLine` synchronously for each line. This is the fast
 * path for multi-gigabyte logs: no promise per line, and memory holds one chunk plus one
 * partial line however large the file is. Throws InputError for a missing or empty file.
 */
export async function scanLines(
  file: string,
  onLine: (text: string, lineNumber: number, terminated: boolean) => void,
  options: ReadLinesOptions = {},
): Promise<ScanResult> {
  const totalBytes = await statLogFile(file, options.allowEmpty);
  const decoder = new StringDecoder(options.encoding ?? 'utf8');
  const stream = createReadStream(file, { highWaterMark: options.chunkSize ?? DEFAULT_CHUNK, signal: options.signal });
  let carry = '';
  let lineNumber = 0;
  let bytesRead = 0;
  const emit = (text: string, terminated: boolean): void => {
    lineNumber++;
    // A line that ends within the chunk after a long carry is checked here, not only the carry.
    if (text.length > MAX_LINE_BYTES) throw tooLongError(file, lineNumber);
    const end = text.length > 0 && text.charCodeAt(text.length - 1) === 13 ? text.length - 1 : text.length;
    onLine(end === text.length ? text : text.slice(0, end), lineNumber, terminated);
  };
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      bytesRead += chunk.length;
      const text = carry + decoder.write(chunk);
      let start = 0;
      let newline = text.indexOf('\n', start);
      while (newline !== -1) {
        emit(text.slice(start, newline), true);
        start = newline + 1;
        newline = text.indexOf('\n', start);
      }
      carry = start === 0 ? text : text.slice(start);
      if (carry.length > MAX_LINE_BYTES) throw tooLongError(file, lineNumber + 1);
      options.onProgress?.({ file, bytesRead, totalBytes });
    }
  } catch (error) {
    // A parser's own error (thrown from onLine) is already precise; only I/O errors are wrapped.
    if ((error as Error | undefined)?.name === 'AbortError' || error instanceof HpcbenchError) throw error;
    throw openError(file, error);
  }
  carry += decoder.end();
  const lastLineUnterminated = carry.length > 0;
  if (lastLineUnterminated) emit(carry, false);
  return { file, lines: lineNumber, bytes: bytesRead, lastLineUnterminated };
}

/** A line longer than this is not a log line: the file is binary or not line-oriented. */
const MAX_LINE_BYTES = 16 * 1024 * 1024;

function tooLongError(file: string, lineNumber: number): InputError {
  return new InputError(`line is longer than ${MAX_LINE_BYTES / 1024 / 1024} MiB; expected a line-oriented text log`, {
    file,
    line: lineNumber,
    hint: 'check that this is the right file (not a binary or a single-line dump)',
  });
}

/**
 * The byte-level twin of scanLines for the hottest parsers: `onLine` gets the chunk and the
 * line's byte range (line end and a trailing CR excluded), so no string is made per line.
 * The buffer is only valid during the call. Same errors and memory bound as scanLines.
 */
export async function scanLineBytes(
  file: string,
  onLine: (buffer: Buffer, start: number, end: number, lineNumber: number, terminated: boolean) => void,
  options: Omit<ReadLinesOptions, 'encoding'> & { start?: number; end?: number } = {},
): Promise<ScanResult> {
  let totalBytes = await statLogFile(file, options.allowEmpty);
  // A byte range [start, end) lets parallel parsers each take a part of one file.
  const start = options.start ?? 0;
  const end = Math.min(options.end ?? totalBytes, totalBytes);
  totalBytes = end - start;
  if (totalBytes <= 0) return { file, lines: 0, bytes: 0, lastLineUnterminated: false };
  const stream = createReadStream(file, {
    highWaterMark: options.chunkSize ?? DEFAULT_CHUNK,
    signal: options.signal,
    start,
    end: end - 1,
  });
  let tail: Buffer | null = null;
  let lineNumber = 0;
  let bytesRead = 0;
  const emit = (buffer: Buffer, start: number, end: number, terminated: boolean): void => {
    lineNumber++;
    onLine(buffer, start, end > start && buffer[end - 1] === 13 ? end - 1 : end, lineNumber, terminated);
  };
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      bytesRead += chunk.length;
      let start = 0;
      if (tail !== null) {
        const newline = chunk.indexOf(10);
        if (newline === -1) {
          tail = Buffer.concat([tail, chunk]);
          if (tail.length > MAX_LINE_BYTES) throw tooLongError(file, lineNumber + 1);
          options.onProgress?.({ file, bytesRead, totalBytes });
          continue;
        }
        if (tail.length + newline > MAX_LINE_BYTES) throw tooLongError(file, lineNumber + 1);
        const joined: Buffer = Buffer.concat([tail, chunk.subarray(0, newline)]);
        tail = null;
        emit(joined, 0, joined.length, true);
        start = newline + 1;
      }
      let newline = chunk.indexOf(10, start);
      while (newline !== -1) {
        emit(chunk, start, newline, true);
        start = newline + 1;
        newline = chunk.indexOf(10, start);
      }
      if (start < chunk.length) {
        if (chunk.length - start > MAX_LINE_BYTES) throw tooLongError(file, lineNumber + 1);
        tail = Buffer.from(chunk.subarray(start));
      }
      options.onProgress?.({ file, bytesRead, totalBytes });
    }
  } catch (error) {
    if ((error as Error | undefined)?.name === 'AbortError' || error instanceof HpcbenchError) throw error;
    throw openError(file, error);
  }
  const lastLineUnterminated = tail !== null && tail.length > 0;
  if (tail !== null && lastLineUnterminated) emit(tail, 0, tail.length, false);
  return { file, lines: lineNumber, bytes: bytesRead, lastLineUnterminated };
}

/**
 * Async iteration over the lines of a file, for formats parsed a record at a time (JSONL,
 * text logs). Same memory bound and errors as scanLines; one promise per line, so prefer
 * scanLines for logs of millions of lines.
 */
export async function* readLines(file: string, options: ReadLinesOptions = {}): AsyncGenerator<Line> {
  const totalBytes = await statLogFile(file, options.allowEmpty);
  const decoder = new StringDecoder(options.encoding ?? 'utf8');
  const stream = createReadStream(file, { highWaterMark: options.chunkSize ?? 64 * 1024, signal: options.signal });
  let carry = '';
  let lineNumber = 0;
  let bytesRead = 0;
  const strip = (text: string): string => (text.endsWith('\r') ? text.slice(0, -1) : text);
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      bytesRead += chunk.length;
      const text = carry + decoder.write(chunk);
      const parts = text.split('\n');
      carry = parts.pop() ?? '';
      for (const part of parts) yield { text: strip(part), lineNumber: ++lineNumber, terminated: true };
      options.onProgress?.({ file, bytesRead, totalBytes });
    }
  } catch (error) {
    if ((error as Error | undefined)?.name === 'AbortError') throw error;
    if (error instanceof InputError) throw error;
    throw openError(file, error);
  }
  carry += decoder.end();
  if (carry.length > 0) yield { text: strip(carry), lineNumber: ++lineNumber, terminated: false };
}

/** A line a parser could not use, located for the user. */
export interface RejectedLine {
  file: string;
  line: number;
  reason: string;
}

export interface RejectedLinesReport {
  count: number;
  /** The first few rejections, in the order met. */
  examples: RejectedLine[];
  byFile: Record<string, number>;
}

/**
 * Counts every rejected line and keeps only the first `keep` (default 10) with their reasons,
 * so a file of a million bad lines costs no memory. Parsers share one collector per profile run.
 */
export class RejectedLines {
  readonly keep: number;
  count = 0;
  readonly examples: RejectedLine[] = [];
  private readonly perFile = new Map<string, number>();

  constructor(keep = 10) {
    this.keep = keep;
  }

  add(file: string, line: number, reason: string): void {
    this.count++;
    this.perFile.set(file, (this.perFile.get(file) ?? 0) + 1);
    if (this.examples.length < this.keep) this.examples.push({ file, line, reason });
  }

  /** Adds `count` rejections in `file` of which `examples` are the first (parallel parsing). */
  addMany(file: string, count: number, examples: readonly RejectedLine[]): void {
    this.count += count;
    if (count > 0) this.perFile.set(file, (this.perFile.get(file) ?? 0) + count);
    for (const example of examples) {
      if (this.examples.length >= this.keep) break;
      this.examples.push(example);
    }
  }

  /** Rejections counted in `file` so far. */
  countIn(file: string): number {
    return this.perFile.get(file) ?? 0;
  }

  merge(other: RejectedLines): void {
    this.count += other.count;
    for (const [file, n] of other.perFile) this.perFile.set(file, (this.perFile.get(file) ?? 0) + n);
    for (const example of other.examples) {
      if (this.examples.length >= this.keep) break;
      this.examples.push(example);
    }
  }

  toJSON(): RejectedLinesReport {
    return { count: this.count, examples: [...this.examples], byFile: Object.fromEntries(this.perFile) };
  }

  /** "3 lines rejected:\n  gpu.csv:5: reason …" (empty string when none). */
  format(): string {
    if (this.count === 0) return '';
    const head = `${this.count} line${this.count === 1 ? '' : 's'} rejected`;
    const shown = this.examples.map((r) => `  ${r.file}:${r.line}: ${r.reason}`);
    const more = this.count > this.examples.length ? [`  … and ${this.count - this.examples.length} more`] : [];
    return [`${head}:`, ...shown, ...more].join('\n');
  }
}

/**
 * `--strict`: any rejected line makes the command fail (CheckFailedError, exit 1), listing the
 * first few. Without strict this does nothing; the caller reports the count as a warning.
 */
export function enforceStrict(rejected: RejectedLines, strict: boolean): void {
  if (!strict || rejected.count === 0) return;
  throw new CheckFailedError(
    rejected.format(),
    'fix or remove the rejected lines, or run without --strict to profile the remaining ones',
  );
}

/** The first `bytes` of a file as UTF-8 (to recognise its format without reading it whole). */
export async function readFileHead(file: string, bytes = 65536): Promise<string> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (error) {
    throw openError(file, error);
  }
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } catch (error) {
    throw openError(file, error);
  } finally {
    await handle.close();
  }
}
