import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTrainingLog, type TrainingRecord } from '../../../../src/profile/training/log.js';
import { computeTrainingMetrics } from '../../../../src/profile/training/metrics.js';

const fixtures = join(import.meta.dirname, '../../../fixtures/training');

describe('computeTrainingMetrics', () => {
  it('summarises the JSONL fixture from its logged step times and timestamps', async () => {
    const { records } = await readTrainingLog(join(fixtures, 'train.jsonl'));
    const m = computeTrainingMetrics(records);
    expect(m.stepAxis).toBe('logged');
    expect(m.lossCurve).toHaveLength(20);
    expect(m.lossCurve[0]).toEqual({ step: 10, epoch: 0.1, value: 2.8238 });
    expect(m.learningRateCurve.at(-1)).toEqual({ step: 200, epoch: 2, value: 0 });
    expect(m.finalLoss).toBe(2.1138);
    expect(m.minLoss).toBe(2.0893);
    expect(m.lastStep).toBe(200);
    expect(m.finalEpoch).toBe(2);
    // 15 entries at 0.40 s/step and 5 at 0.42 s/step
    expect(m.stepTimeSource).toBe('logged');
    expect(m.stepTimeS.n).toBe(20);
    expect(m.meanStepTimeS).toBeCloseTo(0.405, 12);
    expect(m.stepTimeS.max).toBe(0.42);
    expect(m.samplesPerS).toBeCloseTo(19.762, 9);
    expect(m.tokensPerS).toBeCloseTo(10118.1, 6);
    expect(m.samplesPerSSource).toBe('logged');
    // first to last timestamp: 77 s over 1.9 epochs
    expect(m.trainRuntimeSource).toBe('timestamps');
    expect(m.trainRuntimeS).toBeCloseTo(77, 6);
    expect(m.timePerEpochS).toBeCloseTo(77 / 1.9, 6);
  });

  it('uses the Trainer summary for runtime, throughput and time per epoch', async () => {
    const { records } = await readTrainingLog(join(fixtures, 'trainer-stdout.log'));
    const m = computeTrainingMetrics(records);
    expect(m.stepAxis).toBe('logged');
    expect(m.lossCurve.map((p) => p.step)).toEqual(Array.from({ length: 20 }, (_, i) => (i + 1) * 10));
    expect(m.finalLoss).toBe(2.1138);
    expect(m.trainLoss).toBe(2.4411);
    expect(m.evalLossCurve.map((p) => p.value)).toEqual([2.4187, 2.2871]);
    expect(m.finalEval).toBe(2.2871);
    expect(m.trainRuntimeS).toBe(81.234);
    expect(m.trainRuntimeSource).toBe('trainer-summary');
    expect(m.timePerEpochS).toBeCloseTo(40.617, 12);
    expect(m.samplesPerS).toBe(19.696);
    expect(m.samplesPerSSource).toBe('trainer-summary');
    expect(m.stepTimeSource).toBe('trainer-summary');
    expect(m.meanStepTimeS).toBeCloseTo(1 / 2.462, 12);
    expect(m.stepTimeS.n).toBe(0);
    expect(m.tokensPerS).toBeNull();
  });

  it('derives step time from timestamps when none is logged, and numbers entries without steps', () => {
    const records: TrainingRecord[] = [
      { kind: 'step', line: 1, step: 0, time: 100, loss: 3 },
      { kind: 'step', line: 2, step: 10, time: 105, loss: 2.5 },
      { kind: 'step', line: 3, step: 30, time: 117, loss: 2 },
    ];
    const m = computeTrainingMetrics(records);
    expect(m.stepTimeSource).toBe('timestamps');
    expect(Array.from([m.stepTimeS.min, m.stepTimeS.max])).toEqual([0.5, 0.6]);
    const unnumbered = computeTrainingMetrics([
      { kind: 'step', line: 1, loss: 3 },
      { kind: 'step', line: 2, step: 7, loss: 2 },
    ]);
    expect(unnumbered.stepAxis).toBe('index');
    expect(unnumbered.lossCurve.map((p) => p.step)).toEqual([1, 2]);
  });

  it('reports nulls, not zeros, for what the log does not say', () => {
    const m = computeTrainingMetrics([{ kind: 'step', line: 1, step: 1, learningRate: 1e-4 }]);
    expect(m).toMatchObject({ finalLoss: null, minLoss: null, meanStepTimeS: null, samplesPerS: null, trainRuntimeS: null, timePerEpochS: null });
  });
});
