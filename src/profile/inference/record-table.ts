/**
 * Inference records addressed by row, so that a million of them are never all objects at once.
 * A streamed log's records live in typed-array columns (columns.ts); the profiler reads them a
 * row at a time through a short-lived view, and warm-up exclusion keeps a list of row numbers
 * (4 bytes a record) instead of an array of records (a pointer and a view object each, about
 * 60 bytes of heap a record that stayed alive for the whole profile).
 */
import type { InferenceRecord } from './schema.js';

/** Records by row number: InferenceColumns, or an array through tableOfRecords. */
export interface InferenceRecordTable {
  readonly length: number;
  /** The record at `row` (0 ≤ row < length); a columnar table returns a fresh view each call. */
  get(row: number): InferenceRecord;
}

/** What the metrics accept: plain records (the library API) or a table. */
export type InferenceRecordSource = readonly InferenceRecord[] | InferenceRecordTable;

function isArraySource(source: InferenceRecordSource): source is readonly InferenceRecord[] {
  return Array.isArray(source);
}

/** A table over a source; an array is read in place, not copied. */
export function toRecordTable(source: InferenceRecordSource): InferenceRecordTable {
  if (!isArraySource(source)) return source;
  return { length: source.length, get: (row) => source[row] as InferenceRecord };
}

/** Several sources as one table, rows in order (each log's records after the previous log's). */
export function concatenateRecordTables(sources: readonly InferenceRecordSource[]): InferenceRecordTable {
  const tables = sources.map(toRecordTable).filter((t) => t.length > 0);
  const only = tables[0];
  if (tables.length === 1 && only !== undefined) return only;
  const starts: number[] = [];
  let length = 0;
  for (const table of tables) {
    starts.push(length);
    length += table.length;
  }
  return {
    length,
    get: (row) => {
      // A task has a handful of logs: a linear search from the end is enough.
      let k = tables.length - 1;
      while (k > 0 && (starts[k] as number) > row) k--;
      return (tables[k] as InferenceRecordTable).get(row - (starts[k] as number));
    },
  };
}

/**
 * Some rows of a table, in a given order (the records left after warm-up exclusion): iterating
 * gives one record at a time, and nothing keeps them.
 */
export class InferenceRecordRows implements Iterable<InferenceRecord> {
  constructor(
    private readonly table: InferenceRecordTable,
    private readonly rows: Uint32Array,
  ) {}

  get length(): number {
    return this.rows.length;
  }

  at(i: number): InferenceRecord {
    return this.table.get(this.rows[i] as number);
  }

  [Symbol.iterator](): Iterator<InferenceRecord> {
    let i = 0;
    return {
      next: (): IteratorResult<InferenceRecord> => (i < this.rows.length ? { done: false, value: this.at(i++) } : { done: true, value: undefined }),
    };
  }

  some(predicate: (record: InferenceRecord) => boolean): boolean {
    for (let i = 0; i < this.rows.length; i++) if (predicate(this.at(i))) return true;
    return false;
  }

  every(predicate: (record: InferenceRecord) => boolean): boolean {
    return !this.some((record) => !predicate(record));
  }

  /** The matching records as an array (for the few: failed requests). */
  filter(predicate: (record: InferenceRecord) => boolean): InferenceRecord[] {
    const kept: InferenceRecord[] = [];
    for (let i = 0; i < this.rows.length; i++) {
      const record = this.at(i);
      if (predicate(record)) kept.push(record);
    }
    return kept;
  }
}
