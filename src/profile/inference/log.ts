/**
 * Reads an inference log file of any supported format into InferenceRecords:
 * hpcbench JSONL (streamed line by line), vLLM's serving benchmark result (one JSON document),
 * or any text log through the user's regex extractors (streamed).
 */
import { InputError } from '../../errors.js';
import { InferenceColumns } from './columns.js';
import type { InferenceRecordTable } from './record-table.js';
import { parseInferenceLine, type InferenceHeader, type InferenceParams, type InferenceRecord } from './schema.js';
import { emptyFileError, readFileHead, readWholeTextFile, RejectedLines, scanLines, unrecognisedFileError, type ReadProgress } from '../lines.js';
import { extractFields, fieldsToInferenceRecord, type CompiledExtractor } from './regex-extractor.js';
import { looksLikeGenaiPerfSummary, looksLikeLlmperfSummary, readGenaiPerfSummary, readLlmperfSummary } from './summary-formats.js';
import { looksLikeVllmResult, parseVllmResults, type VllmReportedSummary } from './vllm-result.js';
import { invalidJsonError, summariseVllmResult, type BenchmarkSummary } from './vllm-summary.js';

/** `summary`: a genai-perf or llmperf summary export (their figures, see inference-summary-formats.ts). */
export type InferenceLogFormat = 'jsonl' | 'vllm' | 'text' | 'summary';

export interface InferenceLog {
  file: string;
  format: InferenceLogFormat;
  header?: InferenceHeader;
  /**
   * For JSONL and text logs, read-only views of rows of typed-array columns (columns.ts), made
   * on first access: reading a field works as on a plain record, but spreading one copies
   * nothing; copy a record with toPlainInferenceRecord.
   */
  records: InferenceRecord[];
  /**
   * JSONL and text logs: the same records by row, read without making an object per record
   * (what the profiler uses; `records` would hold ~60 bytes of heap a record).
   */
  table?: InferenceRecordTable;
  /** vLLM's own summary, when the file is one vLLM result (not several appended ones). */
  reported?: VllmReportedSummary;
  /** A tool's summary, when the file holds no per-request records (vLLM without --save-detailed, genai-perf, llmperf). */
  summary?: BenchmarkSummary;
  /** Parameters that hold for the whole file (header params, vLLM traffic settings). */
  params: InferenceParams;
  /** The read stopped after `recordLimit` + 1 records: the file holds more than `records`. */
  stoppedAtLimit?: boolean;
}

export interface ReadInferenceLogOptions {
  format?: InferenceLogFormat | 'auto';
  /** Needed for text logs; compile them with compileExtractors. */
  extractors?: readonly CompiledExtractor[];
  /** Shared collector; rejected lines are added here (one is created when absent). */
  rejected?: RejectedLines;
  onProgress?: (progress: ReadProgress) => void;
  signal?: AbortSignal;
  /**
   * JSONL and text logs: stop reading once more records than this are read (the log then says
   * `stoppedAtLimit`). The profiler reads at most this many into memory before it decides to
   * stream a large log instead.
   */
  recordLimit?: number;
}

const EXPECTED = 'hpcbench inference JSONL (docs/inference-jsonl.md), a vLLM serving benchmark result JSON, or a text log with regex extractors';

/**
 * Guesses the format from the first line: a JSON object with vLLM's summary keys is a vLLM
 * result; a JSON object otherwise (or a pretty-printed `{`) is JSONL or vLLM; anything else
 * is a text log when extractors are configured.
 */
export async function detectInferenceFormat(file: string, hasExtractors: boolean): Promise<InferenceLogFormat> {
  const head = await readFileHead(file);
  if (head.trim() === '') throw emptyFileError(file, 'inference records');
  const firstLine = head.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
  const document = parseJsonQuietly(head) ?? parseJsonQuietly(firstLine);
  if (looksLikeGenaiPerfSummary(document) || looksLikeLlmperfSummary(document)) return 'summary';
  // `[ : a JSON list (the vLLM nightly table), refused precisely by the vLLM reader.
  if (firstLine === '{' || firstLine.startsWith('{ ') || firstLine === '{\r' || firstLine.startsWith('[')) return 'vllm';
  if (firstLine.startsWith('{')) {
    try {
      return looksLikeVllmResult(JSON.parse(firstLine)) ? 'vllm' : 'jsonl';
    } catch {
      // A vLLM result written on one line can be longer than the head we read.
      if (/"(duration|completed|total_input_tokens)"\s*:/.test(firstLine) && !/"latency_s"/.test(firstLine)) return 'vllm';
      return hasExtractors ? 'text' : 'jsonl';
    }
  }
  if (hasExtractors) return 'text';
  throw unrecognisedFileError(file, EXPECTED, `first line: ${firstLine.slice(0, 60)}`);
}

function parseJsonQuietly(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function readSummary(file: string): Promise<InferenceLog> {
  const text = await readWholeTextFile(file, 'a benchmark summary (JSON)');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw invalidJsonError(text, file, error);
  }
  const summary = looksLikeGenaiPerfSummary(value)
    ? readGenaiPerfSummary(value, file)
    : looksLikeLlmperfSummary(value)
      ? readLlmperfSummary(value, file)
      : undefined;
  if (summary === undefined) throw unrecognisedFileError(file, 'a genai-perf profile_export_genai_perf.json or an llmperf *_summary.json');
  return { file, format: 'summary', records: [], summary, params: {} };
}

export function noRecordsError(file: string, rejected: RejectedLines, what: string): InputError {
  const inFile = rejected.countIn(file);
  const first = rejected.examples.find((r) => r.file === file);
  const detail = inFile > 0 && first ? `; ${inFile} line(s) rejected, first at line ${first.line}: ${first.reason}` : '';
  return new InputError(`no ${what} found${detail}`, {
    file,
    line: first?.line,
    hint: `expected ${EXPECTED}`,
  });
}

/** What a scan of a JSONL or text log found besides its records. */
export interface RecordScan {
  header?: InferenceHeader;
  /** The header's params (JSONL), shared by every record without params of its own. */
  params: InferenceParams;
  records: number;
  /** The scan stopped early because `onRecord` returned false. */
  stopped: boolean;
}

export type RecordScanOptions = Pick<ReadInferenceLogOptions, 'onProgress' | 'signal'>;

/**
 * Calls scanLines so that `onRecord` can stop it: returning false aborts the read (the rest of
 * the current chunk is skipped, not parsed) and the scan returns with `stopped`.
 */
async function scanUntilStopped(
  file: string,
  onLine: (text: string, lineNumber: number, terminated: boolean) => boolean,
  options: RecordScanOptions,
): Promise<boolean> {
  const controller = new AbortController();
  const signal = options.signal === undefined ? controller.signal : AbortSignal.any([options.signal, controller.signal]);
  let stopped = false;
  try {
    await scanLines(
      file,
      (text, lineNumber, terminated) => {
        if (stopped) return;
        if (!onLine(text, lineNumber, terminated)) {
          stopped = true;
          controller.abort();
        }
      },
      { onProgress: options.onProgress, signal },
    );
  } catch (error) {
    if (!(stopped && (error as Error | undefined)?.name === 'AbortError')) throw error;
  }
  return stopped;
}

/**
 * Streams the records of an hpcbench JSONL log to `onRecord` (false stops the read), one
 * short-lived record at a time; lines that are no record go to `rejected`. readInferenceLog keeps
 * them in columns; a streamed profile reads the file again on each pass instead.
 */
export async function scanJsonlRecords(file: string, onRecord: (record: InferenceRecord) => boolean, rejected: RejectedLines, options: RecordScanOptions = {}): Promise<RecordScan> {
  let header: InferenceHeader | undefined;
  let headerParams: InferenceParams = {};
  let records = 0;
  const stopped = await scanUntilStopped(
    file,
    (text, lineNumber, terminated) => {
      if (text.trim() === '') return true;
      const parsed = parseInferenceLine(text, headerParams);
      switch (parsed.kind) {
        case 'header':
          if (header !== undefined || records > 0) {
            rejected.add(file, lineNumber, 'a second header record; the header must be the first line, once');
            return true;
          }
          header = parsed.header;
          headerParams = parsed.header.params ?? {};
          return true;
        case 'record':
          parsed.record.file = file;
          parsed.record.line = lineNumber;
          records++;
          return onRecord(parsed.record);
        case 'rejected':
          rejected.add(file, lineNumber, terminated ? parsed.reason : `truncated last line (job killed while writing?): ${parsed.reason}`);
          return true;
        default: {
          const never: never = parsed;
          return never;
        }
      }
    },
    options,
  );
  const scan: RecordScan = { params: headerParams, records, stopped };
  if (header !== undefined) scan.header = header;
  return scan;
}

/** scanJsonlRecords for a text log read through regex extractors. */
export async function scanTextRecords(
  file: string,
  extractors: readonly CompiledExtractor[],
  onRecord: (record: InferenceRecord) => boolean,
  rejected: RejectedLines,
  options: RecordScanOptions = {},
): Promise<RecordScan> {
  let records = 0;
  const stopped = await scanUntilStopped(
    file,
    (text, lineNumber) => {
      const fields = extractFields(extractors, text);
      if (fields === undefined) return true;
      const converted = fieldsToInferenceRecord(fields);
      if ('reason' in converted) {
        rejected.add(file, lineNumber, converted.reason);
        return true;
      }
      converted.record.file = file;
      converted.record.line = lineNumber;
      records++;
      return onRecord(converted.record);
    },
    options,
  );
  return { params: {}, records, stopped };
}

/** Appends each record to the columns; false (stop) once they hold more than the limit. */
function appendUpTo(columns: InferenceColumns, limit: number | undefined): (record: InferenceRecord) => boolean {
  return (record) => {
    columns.append(record);
    return limit === undefined || columns.length <= limit;
  };
}

/**
 * Streamed logs keep their records in columns (inference-columns.ts), not one object each: a
 * million requests would otherwise take ~700 MB. The profiler reads the columns by row (`table`);
 * `records` are views of them, made only when read.
 */
async function readJsonl(file: string, options: ReadInferenceLogOptions, rejected: RejectedLines): Promise<InferenceLog> {
  const columns = new InferenceColumns();
  const scan = await scanJsonlRecords(file, appendUpTo(columns, options.recordLimit), rejected, options);
  if (columns.length === 0) throw noRecordsError(file, rejected, 'inference records');
  const log = columnarLog(file, 'jsonl', columns, scan.params);
  if (scan.header !== undefined) log.header = scan.header;
  if (scan.stopped) log.stoppedAtLimit = true;
  return log;
}

/** A log whose `records` are made from its columns only when read (the profiler reads `table`). */
function columnarLog(file: string, format: InferenceLogFormat, columns: InferenceColumns, params: InferenceParams): InferenceLog {
  let views: InferenceRecord[] | undefined;
  return {
    file,
    format,
    get records(): InferenceRecord[] {
      views ??= columns.views();
      return views;
    },
    table: columns,
    params,
  };
}

/**
 * A log that may or may not hold records (job.out, a task's *.log): its records through the
 * extractors, or undefined when no line matched at all. Lines that matched but made no record are
 * rejected lines as usual.
 */
export async function readTextLogIfMatched(file: string, options: ReadInferenceLogOptions & { extractors: readonly CompiledExtractor[] }): Promise<InferenceLog | undefined> {
  const rejected = options.rejected ?? new RejectedLines();
  const before = rejected.countIn(file);
  try {
    return await readText(file, options.extractors, options, rejected);
  } catch (error) {
    if (error instanceof InputError && rejected.countIn(file) === before && error.message.includes('no line matching')) return undefined;
    throw error;
  }
}

async function readText(
  file: string,
  extractors: readonly CompiledExtractor[],
  options: ReadInferenceLogOptions,
  rejected: RejectedLines,
): Promise<InferenceLog> {
  const columns = new InferenceColumns();
  const scan = await scanTextRecords(file, extractors, appendUpTo(columns, options.recordLimit), rejected, options);
  if (columns.length === 0) throw noRecordsError(file, rejected, 'line matching the regex extractors');
  const log = columnarLog(file, 'text', columns, {});
  if (scan.stopped) log.stoppedAtLimit = true;
  return log;
}

async function readVllm(file: string, rejected: RejectedLines): Promise<InferenceLog> {
  const text = await readWholeTextFile(file, 'a vLLM serving benchmark result');
  if (text.trim() === '') throw emptyFileError(file, 'a vLLM serving benchmark result');
  const results = parseVllmResults(text, file, rejected);
  const only = results.length === 1 ? results[0] : undefined;
  if (only !== undefined) {
    if (only.records.length === 0 && rejected.countIn(file) > 0) throw noRecordsError(file, rejected, 'usable request in the vLLM result');
    const log: InferenceLog = { file, format: 'vllm', records: only.records, reported: only.reported, params: only.params };
    if (only.records.length === 0) log.summary = summariseVllmResult(only.reported);
    return log;
  }
  const summaryOnly = results.findIndex((r) => r.records.length === 0);
  if (summaryOnly >= 0) {
    // Appended summaries (a sweep saved without --save-detailed) cannot be merged into one set of figures.
    throw new InputError(`${results.length} appended vLLM results, and result ${summaryOnly + 1} has no per-request lists: summaries of separate runs cannot be combined into one run's figures`, {
      file,
      hint: 'save each sweep point to its own file (one task each), or re-run with --save-detailed',
    });
  }
  // Several appended results (a request-rate sweep): each keeps its own params and time window.
  return { file, format: 'vllm', records: results.flatMap((r) => r.records), params: {} };
}

/** Reads one inference log. Throws InputError for an empty, unreadable or unrecognised file. */
export async function readInferenceLog(file: string, options: ReadInferenceLogOptions = {}): Promise<InferenceLog> {
  const rejected = options.rejected ?? new RejectedLines();
  const extractors = options.extractors ?? [];
  const format =
    options.format === undefined || options.format === 'auto'
      ? await detectInferenceFormat(file, extractors.length > 0)
      : options.format;
  switch (format) {
    case 'jsonl':
      return readJsonl(file, options, rejected);
    case 'vllm':
      return readVllm(file, rejected);
    case 'summary':
      return readSummary(file);
    case 'text':
      if (extractors.length === 0) {
        throw new InputError('a text log needs regex extractors', {
          file,
          hint: 'add `extractors: [{pattern: ...}]` to the experiment config, or pass a JSONL or vLLM result file',
        });
      }
      return readText(file, extractors, options, rejected);
    default: {
      const never: never = format;
      return never;
    }
  }
}
