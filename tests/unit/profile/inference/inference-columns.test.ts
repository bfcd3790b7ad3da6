import { describe, expect, it } from 'vitest';
import { InferenceColumns, toPlainInferenceRecord } from '../../../../src/profile/inference/columns.js';
import type { InferenceParams, InferenceRecord } from '../../../../src/profile/inference/schema.js';

const header: InferenceParams = { batch_size: 1 };

/** Records of every shape the readers produce, varied by index so chunk boundaries are crossed. */
function recordAt(i: number): InferenceRecord {
  const r: InferenceRecord = { latencyS: i * 0.001 + 0.1, batchSize: 1 + (i % 4), warmup: i % 97 === 0, error: i % 13 === 0 ? `error ${i % 3}` : null, params: i % 50 === 0 ? { ...header, extra: i % 100 } : header };
  if (i % 5 !== 0) r.id = i % 2 === 0 ? `req-${i}-${'x'.repeat(i % 7)}` : i;
  if (i % 3 !== 0) {
    r.start = 1_700_000_000 + i * 0.25;
    r.end = r.start + r.latencyS;
  }
  if (i % 4 !== 0) r.inputTokens = i;
  if (i % 6 !== 0) r.outputTokens = i % 300;
  if (i % 7 !== 0) r.ttftS = i === 8 ? -0 : i * 1e-4;
  if (i % 9 === 0) r.itlsS = Array.from({ length: i % 5 }, (_, k) => k * 0.01 + i * 1e-6);
  if (i % 11 === 0) r.run = `line ${i % 3}`;
  r.file = i % 2 === 0 ? 'a.jsonl' : 'b.jsonl';
  r.line = i + 2;
  return r;
}

describe('InferenceColumns', () => {
  const n = 10_000; // over two chunks of 4096
  const originals = Array.from({ length: n }, (_, i) => recordAt(i));
  const columns = new InferenceColumns();
  for (const r of originals) columns.append(r);
  const views = columns.views();

  it('gives back every field of every record, bit for bit', () => {
    expect(columns.length).toBe(n);
    expect(views).toHaveLength(n);
    for (let i = 0; i < n; i++) {
      const original = originals[i] as InferenceRecord;
      const view = views[i] as InferenceRecord;
      // A view of its row, not a copy: no value is an own property.
      expect(Object.keys(view)).not.toContain('latencyS');
      for (const key of ['file', 'line', 'run', 'id', 'start', 'end', 'latencyS', 'batchSize', 'inputTokens', 'outputTokens', 'ttftS', 'itlsS', 'warmup', 'error', 'params'] as const) {
        expect(Object.is(view[key], original[key]) || JSON.stringify(view[key]) === JSON.stringify(original[key]), `${i}.${key}`).toBe(true);
      }
      expect(toPlainInferenceRecord(view)).toStrictEqual(original);
    }
  });

  it('keeps -0 and distinguishes an empty ITL list from none', () => {
    expect(Object.is(views[8]?.ttftS, -0)).toBe(true);
    expect(views[0]?.itlsS).toEqual([]);
    expect(views[1]?.itlsS).toBeUndefined();
  });

  it('stores a repeated params object once and shares it', () => {
    expect(views[1]?.params).toBe(header);
    expect(views[50]?.params).toEqual({ batch_size: 1, extra: 50 });
    expect(views[150]?.params).toBe(views[50]?.params);
  });

  it('serialises a view as its record and copies it into a plain object', () => {
    const view = views[1] as InferenceRecord;
    expect(JSON.parse(JSON.stringify(view))).toEqual(JSON.parse(JSON.stringify(originals[1])));
    expect({ ...toPlainInferenceRecord(view), file: 'x' }).toMatchObject({ latencyS: view.latencyS, file: 'x', line: 3 });
    const plain: InferenceRecord = { latencyS: 1, batchSize: 1, warmup: false, error: null, params: {} };
    expect(toPlainInferenceRecord(plain)).toEqual(plain);
    expect(toPlainInferenceRecord(plain)).not.toBe(plain);
  });

  it('reads fields that appear only late (chunks of defaults are not stored) and ids of one kind', () => {
    const late = new InferenceColumns();
    const rows: InferenceRecord[] = [];
    for (let i = 0; i < 9_000; i++) {
      const r: InferenceRecord = { latencyS: i, batchSize: i === 8_500 ? 3 : 1, warmup: false, error: i === 8_999 ? 'late' : null, params: header, id: i };
      if (i >= 8_200) r.ttftS = i / 10;
      if (i === 8_300) r.itlsS = [0.5, 0.25];
      rows.push(r);
      late.append(r);
    }
    const lateViews = late.views();
    for (const i of [0, 4095, 4096, 8199, 8200, 8300, 8500, 8999]) expect(toPlainInferenceRecord(lateViews[i] as InferenceRecord), String(i)).toStrictEqual(rows[i]);
  });
});
