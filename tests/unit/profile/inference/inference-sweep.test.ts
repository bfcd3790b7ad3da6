import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readInferenceLog } from '../../../../src/profile/inference/log.js';
import { aggregateInferenceSweep } from '../../../../src/profile/inference/sweep.js';
import type { InferenceLog } from '../../../../src/profile/inference/log.js';
import type { InferenceParams } from '../../../../src/profile/inference/schema.js';
import { toPlainInferenceRecord } from '../../../../src/profile/inference/columns.js';

const sweep = join(import.meta.dirname, '../../../fixtures/inference/sweep');

/** A one-record log whose record has these params, for the sweep's grouping. */
function logWith(params: InferenceParams, file: string): InferenceLog {
  return { file, format: 'jsonl', params, records: [{ latencyS: 1, batchSize: 1, warmup: false, error: null, params, file }] };
}

describe('the sweep point key', () => {
  it('does not depend on key order', () => {
    const points = aggregateInferenceSweep([logWith({ b: 1, a: 'x' }, 'one.jsonl'), logWith({ a: 'x', b: 1 }, 'two.jsonl')], { bootstrap: false });
    expect(points).toHaveLength(1);
    expect(points[0]?.key).toBe('{"a":"x","b":1}');
    expect(points[0]?.files).toEqual(['one.jsonl', 'two.jsonl']);
    const apart = aggregateInferenceSweep([logWith({ a: 1 }, 'one.jsonl'), logWith({ a: '1' }, 'two.jsonl')], { bootstrap: false });
    expect(apart.map((p) => p.key)).toEqual(['{"a":1}', '{"a":"1"}']);
  });
});

describe('aggregateInferenceSweep', () => {
  it('computes one point per batch size, sorted numerically, from per-batch records', async () => {
    const logs = await Promise.all(['batch-4.jsonl', 'batch-1.jsonl'].map((f) => readInferenceLog(join(sweep, f))));
    const points = aggregateInferenceSweep(logs, {
      bootstrap: false,
      gpuEnergyJByFile: { [join(sweep, 'batch-1.jsonl')]: 300, [join(sweep, 'batch-4.jsonl')]: 1200 },
    });
    expect(points.map((p) => p.params)).toEqual([
      { batch_size: 1, max_new_tokens: 64 },
      { batch_size: 4, max_new_tokens: 64 },
    ]);
    const [one, four] = points;
    // batch 1: three 1.0 s requests (the warm-up is flagged) run back to back
    expect(one?.metrics).toMatchObject({ requests: 3, durationS: 3, durationSource: 'sum-of-latencies', totalOutputTokens: 192 });
    expect(one?.metrics.requestThroughput).toBe(1);
    expect(one?.metrics.outputTokensPerS).toBe(64);
    expect(one?.metrics.tpotS.mean).toBeCloseTo(0.945 / 63, 15);
    expect(one?.metrics.energy?.outputTokensPerJoule).toBeCloseTo(192 / 300, 15);
    // batch 4: three 2.0 s batches of 4 sequences × 64 tokens
    expect(four?.metrics).toMatchObject({ records: 3, requests: 12, durationS: 6, totalOutputTokens: 768 });
    expect(four?.metrics.requestThroughput).toBe(2);
    expect(four?.metrics.outputTokensPerS).toBe(128);
    expect(four?.metrics.tpotS.mean).toBeCloseTo(1.5 / 63, 15);
    expect(four?.files).toEqual([join(sweep, 'batch-4.jsonl')]);
  });

  it('puts repeated runs of one point together and leaves energy out unless every file has it', async () => {
    const a = await readInferenceLog(join(sweep, 'batch-1.jsonl'));
    const b = { ...a, file: 'repeat.jsonl', records: a.records.map((r) => ({ ...toPlainInferenceRecord(r), file: 'repeat.jsonl' })) };
    const points = aggregateInferenceSweep([a, b], { bootstrap: false, gpuEnergyJByFile: { [a.file]: 300 } });
    expect(points).toHaveLength(1);
    expect(points[0]?.files).toEqual([a.file, 'repeat.jsonl']);
    expect(points[0]?.metrics.requests).toBe(6);
    expect(points[0]?.metrics.energy).toBeUndefined();
  });
});
