import { describe, expect, it } from 'vitest';
import { InferenceColumns } from '../../../../src/profile/inference/columns.js';
import { concatenateRecordTables, toRecordTable } from '../../../../src/profile/inference/record-table.js';
import { excludeInferenceWarmup } from '../../../../src/profile/inference/metrics.js';
import type { InferenceRecord } from '../../../../src/profile/inference/schema.js';

function record(id: number, file: string, warmup = false): InferenceRecord {
  return { id, file, latencyS: id / 10, batchSize: 1, warmup, error: null, params: {} };
}

function columnsOf(records: readonly InferenceRecord[]): InferenceColumns {
  const columns = new InferenceColumns();
  for (const r of records) columns.append(r);
  return columns;
}

describe('concatenateRecordTables', () => {
  it('reads every row of several logs in order, across columns, arrays and empty logs', () => {
    const a = [record(0, 'a'), record(1, 'a'), record(2, 'a')];
    const b = [record(3, 'b')];
    const c = Array.from({ length: 5000 }, (_, i) => record(4 + i, 'c'));
    const table = concatenateRecordTables([columnsOf(a), [], b, columnsOf(c)]);
    expect(table.length).toBe(5004);
    for (const row of [0, 2, 3, 4, 4099, 4100, 5003]) {
      expect(table.get(row).id, String(row)).toBe(row);
      expect(table.get(row).latencyS, String(row)).toBe(row / 10);
    }
    expect(table.get(3).file).toBe('b');
  });

  it('gives a single source back as it is, and an array as a table without copying it', () => {
    const columns = columnsOf([record(0, 'a')]);
    expect(concatenateRecordTables([[], columns])).toBe(columns);
    const records = [record(7, 'x')];
    expect(toRecordTable(records).get(0)).toBe(records[0]);
    expect(concatenateRecordTables([]).length).toBe(0);
  });
});

describe('excludeInferenceWarmup over a table of several runs', () => {
  it('drops the first N of each run and the flagged ones, runs in the order first met', () => {
    const rows = [record(0, 'a'), record(1, 'b'), record(2, 'a'), record(3, 'b', true), record(4, 'a'), record(5, 'b')];
    const kept = excludeInferenceWarmup(concatenateRecordTables([columnsOf(rows.slice(0, 3)), rows.slice(3)]), 1);
    expect([...kept].map((r) => r.id)).toEqual([2, 4, 5]);
    expect(kept.length).toBe(3);
    expect(kept.at(2).file).toBe('b');
    expect(kept.some((r) => r.id === 4)).toBe(true);
    expect(kept.every((r) => r.id !== 3)).toBe(true);
    expect(kept.filter((r) => r.file === 'a').map((r) => r.id)).toEqual([2, 4]);
  });
});
