/**
 * A columnar store of inference records. A streamed log of a million requests kept as one
 * InferenceRecord object each (plus its parsed token arrays, id string and hidden-class
 * overhead) took about 700 bytes a record; here a record is a row of typed-array columns
 * (NaN where a field is absent), small dictionaries for the strings that repeat (error
 * messages, params objects, file and run), and its id packed into one string per chunk.
 *
 * Readers append parsed records; the profiler reads a row at a time (`get`, record-table.ts), and
 * `views()` hands out `InferenceRecordView`s for the library's `records`: objects of two fields
 * that read their row on access, so every consumer of `InferenceRecord` works unchanged and gets
 * the same values, bit for bit, as from the record that was appended.
 */
import type { InferenceParams, InferenceRecord } from './schema.js';
import type { InferenceRecordTable } from './record-table.js';

/** 4096 values a chunk (32 KiB of doubles): small logs stay small, large ones never copy. */
const CHUNK_BITS = 12;
const CHUNK = 1 << CHUNK_BITS;
const MASK = CHUNK - 1;

type NumberArray = Float64Array | Int32Array | Uint8Array;

/**
 * A growable column of numbers in fixed-size typed-array chunks: growing never copies. A chunk
 * whose values are all the column's default (NaN for an absent field, batch size 1, no error…)
 * is never allocated, so a field a log does not have costs nothing.
 */
class ChunkedColumn<T extends NumberArray> {
  private readonly chunks: (T | undefined)[] = [];
  length = 0;

  constructor(
    private readonly allocate: (size: number) => T,
    private readonly fallback: number,
  ) {}

  push(value: number): void {
    const index = this.length++;
    const k = index >>> CHUNK_BITS;
    if (k === this.chunks.length) this.chunks.push(undefined);
    let chunk = this.chunks[k];
    if (chunk === undefined) {
      if (Object.is(value, this.fallback)) return;
      chunk = this.allocate(CHUNK);
      if (!Object.is(this.fallback, 0)) chunk.fill(this.fallback);
      this.chunks[k] = chunk;
    }
    chunk[index & MASK] = value;
  }

  get(i: number): number {
    const chunk = this.chunks[i >>> CHUNK_BITS];
    return chunk === undefined ? this.fallback : (chunk[i & MASK] as number);
  }
}

const float64 = (fallback = Number.NaN): ChunkedColumn<Float64Array> => new ChunkedColumn((n) => new Float64Array(n), fallback);
const int32 = (fallback = 0): ChunkedColumn<Int32Array> => new ChunkedColumn((n) => new Int32Array(n), fallback);
const uint8 = (): ChunkedColumn<Uint8Array> => new ChunkedColumn((n) => new Uint8Array(n), 0);

/**
 * Strings that rarely repeat (request ids): each full chunk is joined into one flat string with
 * an offset per entry, instead of one heap string (and its header) per record.
 */
class StringColumn {
  private readonly texts: string[] = [];
  private readonly ends: (Int32Array | undefined)[] = [];
  private pending: string[] = [];
  length = 0;

  push(value: string): void {
    this.pending.push(value);
    this.length++;
    if (this.pending.length === CHUNK) {
      if (this.pending.every((text) => text === '')) {
        // A chunk of records without a string id.
        this.texts.push('');
        this.ends.push(undefined);
        this.pending = [];
        return;
      }
      const ends = new Int32Array(CHUNK);
      let end = 0;
      for (let i = 0; i < CHUNK; i++) {
        end += (this.pending[i] as string).length;
        ends[i] = end;
      }
      this.texts.push(this.pending.join(''));
      this.ends.push(ends);
      this.pending = [];
    }
  }

  get(i: number): string {
    const chunk = i >>> CHUNK_BITS;
    const offset = i & MASK;
    const text = this.texts[chunk];
    if (text === undefined) return this.pending[offset] as string;
    const ends = this.ends[chunk];
    if (ends === undefined) return '';
    return text.slice(offset === 0 ? 0 : ends[offset - 1], ends[offset]);
  }
}

/** Values that repeat, stored once and referred to by a small integer code. */
class Dictionary<T> {
  readonly values: T[] = [];
  private readonly codes = new Map<string, number>();

  code(key: string, value: T): number {
    let code = this.codes.get(key);
    if (code === undefined) {
      code = this.values.length;
      this.values.push(value);
      this.codes.set(key, code);
    }
    return code;
  }
}

const FLAG_WARMUP = 1;
const FLAG_ITLS = 2;
const FLAG_ID = 4;
const FLAG_ID_STRING = 8;

const orNaN = (value: number | undefined): number => (value === undefined ? Number.NaN : value);
const orUndefined = (value: number): number | undefined => (Number.isNaN(value) ? undefined : value);

/** The columns of a set of inference records, appended one at a time. */
export class InferenceColumns implements InferenceRecordTable {
  private readonly latencyS = float64();
  private readonly batchSize = float64(1);
  private readonly inputTokens = float64();
  private readonly outputTokens = float64();
  private readonly ttftS = float64();
  private readonly start = float64();
  private readonly end = float64();
  private readonly line = float64();
  private readonly idNumber = float64();
  private readonly idText = new StringColumn();
  /** Cumulative count of ITL values up to and including each record. */
  private readonly itlEnd = float64(0);
  private readonly itlValues = float64();
  private readonly flags = uint8();
  /** -1 for null (a completed request). */
  private readonly errorCode = int32(-1);
  private readonly paramsCode = int32();
  private readonly sourceCode = int32();
  private readonly errors = new Dictionary<string>();
  private readonly params = new Dictionary<InferenceParams>();
  private readonly sources = new Dictionary<{ file: string | undefined; run: string | undefined }>();
  /** Most records share one params object (the header's): skip serialising it each time. */
  private lastParams: InferenceParams | undefined;
  private lastParamsCode = -1;
  private lastFile: string | undefined;
  private lastRun: string | undefined;
  private lastSourceCode = -1;

  get length(): number {
    return this.latencyS.length;
  }

  /** Stores a record's values (the record itself is not kept); returns its row. */
  append(record: InferenceRecord): number {
    const row = this.latencyS.length;
    this.latencyS.push(record.latencyS);
    this.batchSize.push(record.batchSize);
    this.inputTokens.push(orNaN(record.inputTokens));
    this.outputTokens.push(orNaN(record.outputTokens));
    this.ttftS.push(orNaN(record.ttftS));
    this.start.push(orNaN(record.start));
    this.end.push(orNaN(record.end));
    this.line.push(orNaN(record.line));
    let flags = record.warmup ? FLAG_WARMUP : 0;
    const id = record.id;
    if (id !== undefined) flags |= typeof id === 'string' ? FLAG_ID | FLAG_ID_STRING : FLAG_ID;
    this.idNumber.push(typeof id === 'number' ? id : Number.NaN);
    this.idText.push(typeof id === 'string' ? id : '');
    const itls = record.itlsS;
    if (itls !== undefined) {
      flags |= FLAG_ITLS;
      for (const value of itls) this.itlValues.push(value);
    }
    this.itlEnd.push(this.itlValues.length);
    this.flags.push(flags);
    this.errorCode.push(record.error === null ? -1 : this.errors.code(record.error, record.error));
    this.paramsCode.push(this.codeOfParams(record.params));
    this.sourceCode.push(this.codeOfSource(record.file, record.run));
    return row;
  }

  private codeOfSource(file: string | undefined, run: string | undefined): number {
    if (this.lastSourceCode >= 0 && file === this.lastFile && run === this.lastRun) return this.lastSourceCode;
    // undefined and a string never share a key: JSON writes undefined in an array as null.
    const code = this.sources.code(JSON.stringify([file, run]), { file, run });
    this.lastFile = file;
    this.lastRun = run;
    this.lastSourceCode = code;
    return code;
  }

  private codeOfParams(params: InferenceParams): number {
    if (params === this.lastParams) return this.lastParamsCode;
    // Same keys in the same order with the same values: one object serves every such record.
    const code = this.params.code(JSON.stringify(params), params);
    this.lastParams = params;
    this.lastParamsCode = code;
    return code;
  }

  /** A view of one row: short-lived, so that a profile never holds one object per record. */
  get(row: number): InferenceRecord {
    return new InferenceRecordView(this, row);
  }

  /** A view of every row, in order. */
  views(): InferenceRecord[] {
    const views: InferenceRecord[] = new Array<InferenceRecord>(this.length);
    for (let i = 0; i < this.length; i++) views[i] = new InferenceRecordView(this, i);
    return views;
  }

  getLatencyS(i: number): number {
    return this.latencyS.get(i);
  }
  getBatchSize(i: number): number {
    return this.batchSize.get(i);
  }
  getInputTokens(i: number): number | undefined {
    return orUndefined(this.inputTokens.get(i));
  }
  getOutputTokens(i: number): number | undefined {
    return orUndefined(this.outputTokens.get(i));
  }
  getTtftS(i: number): number | undefined {
    return orUndefined(this.ttftS.get(i));
  }
  getStart(i: number): number | undefined {
    return orUndefined(this.start.get(i));
  }
  getEnd(i: number): number | undefined {
    return orUndefined(this.end.get(i));
  }
  getLine(i: number): number | undefined {
    return orUndefined(this.line.get(i));
  }
  getId(i: number): string | number | undefined {
    const flags = this.flags.get(i);
    if ((flags & FLAG_ID) === 0) return undefined;
    return (flags & FLAG_ID_STRING) !== 0 ? this.idText.get(i) : this.idNumber.get(i);
  }
  getItlsS(i: number): number[] | undefined {
    if ((this.flags.get(i) & FLAG_ITLS) === 0) return undefined;
    const end = this.itlEnd.get(i);
    const values: number[] = [];
    for (let k = i === 0 ? 0 : this.itlEnd.get(i - 1); k < end; k++) values.push(this.itlValues.get(k));
    return values;
  }
  getWarmup(i: number): boolean {
    return (this.flags.get(i) & FLAG_WARMUP) !== 0;
  }
  getError(i: number): string | null {
    const code = this.errorCode.get(i);
    return code < 0 ? null : (this.errors.values[code] as string);
  }
  getParams(i: number): InferenceParams {
    return this.params.values[this.paramsCode.get(i)] as InferenceParams;
  }
  getFile(i: number): string | undefined {
    return (this.sources.values[this.sourceCode.get(i)] as { file: string | undefined }).file;
  }
  getRun(i: number): string | undefined {
    return (this.sources.values[this.sourceCode.get(i)] as { run: string | undefined }).run;
  }
}

/**
 * One row of an InferenceColumns, read on access: an InferenceRecord without its own copy of the
 * values. Read-only; `toJSON` gives the record as a plain object, keys in the order the schema's
 * normaliser writes them.
 */
class InferenceRecordView implements InferenceRecord {
  constructor(
    private readonly columns: InferenceColumns,
    private readonly row: number,
  ) {}

  get file(): string | undefined {
    return this.columns.getFile(this.row);
  }
  get line(): number | undefined {
    return this.columns.getLine(this.row);
  }
  get run(): string | undefined {
    return this.columns.getRun(this.row);
  }
  get id(): string | number | undefined {
    return this.columns.getId(this.row);
  }
  get start(): number | undefined {
    return this.columns.getStart(this.row);
  }
  get end(): number | undefined {
    return this.columns.getEnd(this.row);
  }
  get latencyS(): number {
    return this.columns.getLatencyS(this.row);
  }
  get batchSize(): number {
    return this.columns.getBatchSize(this.row);
  }
  get inputTokens(): number | undefined {
    return this.columns.getInputTokens(this.row);
  }
  get outputTokens(): number | undefined {
    return this.columns.getOutputTokens(this.row);
  }
  get ttftS(): number | undefined {
    return this.columns.getTtftS(this.row);
  }
  get itlsS(): number[] | undefined {
    return this.columns.getItlsS(this.row);
  }
  get warmup(): boolean {
    return this.columns.getWarmup(this.row);
  }
  get error(): string | null {
    return this.columns.getError(this.row);
  }
  get params(): InferenceParams {
    return this.columns.getParams(this.row);
  }

  toJSON(): InferenceRecord {
    const record: InferenceRecord = { latencyS: this.latencyS, batchSize: this.batchSize, warmup: this.warmup, error: this.error, params: this.params };
    const optional: [keyof InferenceRecord, unknown][] = [
      ['id', this.id],
      ['start', this.start],
      ['end', this.end],
      ['inputTokens', this.inputTokens],
      ['outputTokens', this.outputTokens],
      ['ttftS', this.ttftS],
      ['itlsS', this.itlsS],
      ['run', this.run],
      ['file', this.file],
      ['line', this.line],
    ];
    const target = record as unknown as Record<string, unknown>;
    for (const [key, value] of optional) if (value !== undefined) target[key] = value;
    return record;
  }
}

/**
 * A record as a plain object of its own: a view's values copied (spreading a view copies none
 * of them, as they live on its prototype), a plain record shallow-copied.
 */
export function toPlainInferenceRecord(record: InferenceRecord): InferenceRecord {
  return record instanceof InferenceRecordView ? record.toJSON() : { ...record };
}
