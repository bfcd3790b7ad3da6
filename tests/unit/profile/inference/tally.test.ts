import { describe, expect, it } from 'vitest';
import { InferenceTally } from '../../../../src/profile/inference/tally.js';
import type { InferenceRecord } from '../../../../src/profile/inference/schema.js';

const failure = (error: string): InferenceRecord => ({ latencyS: 0.1, batchSize: 1, warmup: false, error, params: {} });

describe('InferenceTally', () => {
  it('counts at most 10 000 distinct error messages, and every failure', () => {
    const tally = new InferenceTally(undefined);
    for (let i = 0; i < 12_000; i++) tally.add(failure(`request ${i} failed`));
    // Messages met after the cap still count as failures, and known ones keep counting.
    for (let i = 0; i < 3; i++) tally.add(failure('request 5 failed'));
    tally.add(failure('a message met only after the cap'));
    expect(tally.errors.size).toBe(10_000);
    expect(tally.failedRequests).toBe(12_004);
    expect(tally.topErrors()[0]).toEqual({ message: 'request 5 failed', count: 4 });
    expect(tally.errors.has('a message met only after the cap')).toBe(false);
  });

  it('cuts messages to 200 characters, so long ones that differ only at the end are one', () => {
    const tally = new InferenceTally(undefined);
    tally.add(failure(`${'x'.repeat(200)}A`));
    tally.add(failure(`${'x'.repeat(200)}B`));
    expect(tally.topErrors()).toEqual([{ message: 'x'.repeat(200), count: 2 }]);
  });
});
