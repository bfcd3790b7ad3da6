import { describe, expect, it } from 'vitest';
import { createTaskMetrics, type TaskMetrics } from '../../../src/profile/metrics-document.js';
import { computeTrainingMetrics } from '../../../src/profile/training/metrics.js';
import type { TrainingStepRecord } from '../../../src/profile/training/records.js';
import { computeAccountingMetrics } from '../../../src/profile/accounting/accounting.js';
import { readPilotRate } from '../../../src/estimate/pilot-rate.js';

/** Steps 0, 10, …: each window of 10 steps took 10 × the given seconds per step. */
function trainingTask(perStep: number[], elapsedS: number | null): TaskMetrics {
  const task = createTaskMetrics('train', 'main');
  const records: TrainingStepRecord[] = [{ kind: 'step', line: 1, step: 0, loss: 2, time: 0 }];
  let time = 0;
  perStep.forEach((s, i) => {
    time += 10 * s;
    records.push({ kind: 'step', line: i + 2, step: (i + 1) * 10, loss: 1, time });
  });
  task.training = computeTrainingMetrics(records);
  task.job_id = '42';
  if (elapsedS !== null) {
    task.accounting = computeAccountingMetrics({ jobId: '42', state: 'COMPLETED', exitCode: '0:0', elapsedSeconds: elapsedS, ncpus: 1, gpus: 0, nodes: 1, partition: 'cpu' });
  }
  return task;
}

describe('readPilotRate', () => {
  it('takes seconds per step from the log windows, a Student-t 95 % interval of their mean, and the overhead from sacct', () => {
    // Windows of 0.4, 0.6, 0.5, 0.5 s/step: mean 0.5, sample std √(0.02/3), t(3) = 3.182.
    const rate = readPilotRate(trainingTask([0.4, 0.6, 0.5, 0.5], 50));
    expect(rate?.kind).toBe('training');
    expect(rate?.unit).toBe('steps');
    expect(rate?.secondsPerUnit).toBeCloseTo(0.5, 12);
    const half = (3.182 * Math.sqrt(0.02 / 3)) / 2;
    expect(rate?.secondsPerUnitLow).toBeCloseTo(0.5 - half, 10);
    expect(rate?.secondsPerUnitHigh).toBeCloseTo(0.5 + half, 10);
    expect(rate?.intervalMethod).toBe('window-spread');
    expect(rate?.windows).toBe(4);
    expect(rate?.workDone).toBe(40);
    // 50 s elapsed − 40 steps × 0.5 s = 30 s outside the steps.
    expect(rate?.overheadS).toBeCloseTo(30, 10);
    expect(rate?.overheadKnown).toBe(true);
    expect(rate?.jobId).toBe('42');
  });

  it('a steady log gives a zero-width interval; no sacct means no known overhead', () => {
    const rate = readPilotRate(trainingTask([0.25, 0.25, 0.25], null));
    expect(rate?.secondsPerUnitLow).toBeCloseTo(0.25, 12);
    expect(rate?.secondsPerUnitHigh).toBeCloseTo(0.25, 12);
    expect(rate?.overheadS).toBe(0);
    expect(rate?.overheadKnown).toBe(false);
  });

  it('never reports a negative overhead', () => {
    expect(readPilotRate(trainingTask([0.5, 0.5], 5))?.overheadS).toBe(0);
  });

  it('takes seconds per item from an inference log, inverting the bootstrap interval of its throughput', () => {
    const task = createTaskMetrics('infer', 'main');
    task.inference = {
      records: 200,
      completedRequests: 200,
      durationS: 100,
      ci: { requestThroughput: { estimate: 2, low: 1.6, high: 2.5, confidence: 0.95, iterations: 1000 }, latencyP50S: null, latencyP95S: null, outputTokensPerS: null },
    } as unknown as NonNullable<TaskMetrics['inference']>;
    task.accounting = computeAccountingMetrics({ jobId: '9', state: 'COMPLETED', exitCode: '0:0', elapsedSeconds: 130, ncpus: 1, gpus: 1, nodes: 1, partition: 'gpu' });
    const rate = readPilotRate(task);
    expect(rate?.unit).toBe('items');
    expect(rate?.secondsPerUnit).toBe(0.5);
    expect(rate?.secondsPerUnitLow).toBe(0.4);
    expect(rate?.secondsPerUnitHigh).toBe(0.625);
    expect(rate?.intervalMethod).toBe('bootstrap');
    expect(rate?.overheadS).toBe(30);
  });

  it('falls back to the elapsed time of a job without a rate log, and to nothing without either', () => {
    const task = createTaskMetrics('prep', 'main');
    expect(readPilotRate(task)).toBeUndefined();
    task.accounting = computeAccountingMetrics({ jobId: '3', state: 'COMPLETED', exitCode: '0:0', elapsedSeconds: 300, ncpus: 4, gpus: 0, nodes: 1, partition: 'cpu' });
    const rate = readPilotRate(task);
    expect(rate?.kind).toBe('elapsed');
    expect(rate?.unit).toBeNull();
    expect(rate?.elapsedS).toBe(300);
  });

  it("takes a plain HF Trainer's rate from its closing summary (its step dicts carry no time)", () => {
    const task = createTaskMetrics('train', 'main');
    task.training = computeTrainingMetrics([
      { kind: 'step', line: 1, step: 50, loss: 2, epoch: 0.5 },
      { kind: 'step', line: 2, step: 100, loss: 1, epoch: 1 },
      { kind: 'summary', line: 3, step: 100, trainRuntimeS: 40, trainStepsPerS: 2.5 },
    ]);
    task.accounting = computeAccountingMetrics({ jobId: '5', state: 'COMPLETED', exitCode: '0:0', elapsedSeconds: 70, ncpus: 1, gpus: 1, nodes: 1, partition: 'gpu' });
    const rate = readPilotRate(task);
    expect(rate?.secondsPerUnit).toBe(0.4);
    expect(rate?.intervalMethod).toBe('none');
    expect(rate?.secondsPerUnitHigh).toBe(0.4);
    // 70 s elapsed − 100 steps × 0.4 s.
    expect(rate?.overheadS).toBeCloseTo(30, 10);
  });

  it('a training log without step numbers gives no rate per step', () => {
    const task = createTaskMetrics('train', 'main');
    task.training = computeTrainingMetrics([
      { kind: 'step', line: 1, loss: 2, time: 0 },
      { kind: 'step', line: 2, loss: 1, time: 10 },
    ]);
    expect(readPilotRate(task)).toBeUndefined();
  });
});
