import { describe, expect, it } from 'vitest';
import type { SweepPoint } from '../../../src/profile/metrics-document.js';
import { checkReferences, type ReferenceSpec } from '../../../src/report/references.js';
import { chooseBestPoint, groupSweeps } from '../../../src/report/sweep.js';
import { buildFixtureDoc } from './fixture-doc.js';

function point(task: string, batch: number, tokens: number, tps: number, p95: number): SweepPoint {
  return { experiment: 'infer', task, params: { batch_size: batch, max_new_tokens: tokens }, requests: 10, output_tokens_per_s: tps, request_throughput: tps / 10, latency_p50_s: p95 / 2, latency_p95_s: p95, ttft_p95_s: null, gpu_utilization_mean: null, energy_j: null };
}

describe('references', () => {
  it('passes a higher-is-better metric down to value × (1 − tolerance), and a lower-is-better one up to value × (1 + tolerance)', async () => {
    const judge = async (measured: number, spec: ReferenceSpec): Promise<string | undefined> => {
      const doc = await buildFixtureDoc();
      const training = doc.tasks.find((t) => t.experiment === 'lora')?.training;
      if (training === undefined) throw new Error('fixture has no training task');
      training.finalLoss = measured;
      return checkReferences(doc, { lora: { train_final_loss: spec } })[0]?.status;
    };
    expect(await judge(90, { value: 100, tolerance_pct: 10, direction: 'higher' })).toBe('pass');
    expect(await judge(89.9, { value: 100, tolerance_pct: 10, direction: 'higher' })).toBe('fail');
    expect(await judge(1.05, { value: 1, tolerance_pct: 5, direction: 'lower' })).toBe('pass');
    expect(await judge(1.06, { value: 1, tolerance_pct: 5, direction: 'lower' })).toBe('fail');
  });

  it('checks each task of the experiment, takes the direction from the metric catalog, and names unknown metrics', async () => {
    const doc = await buildFixtureDoc();
    const checks = checkReferences(doc, { infer: { latency_p95_s: { value: 1.5, tolerance_pct: 0 }, output_tokenz: { value: 1 } }, lora: { train_final_loss: { value: 2, tolerance_pct: 10 } } });
    const summary = checks.map((c) => `${c.experiment}/${c.task} ${c.metric} ${c.direction} ${c.status}`);
    expect(summary).toEqual([
      'lora/main train_final_loss lower pass',
      'infer/0 latency_p95_s lower pass',
      'infer/0 output_tokenz higher unknown-metric',
      'infer/1 latency_p95_s lower fail',
      'infer/1 output_tokenz higher unknown-metric',
    ]);
    expect(checks[3]?.deviation).toBeCloseTo(2 / 1.5 - 1, 12);
  });
});

describe('sweeps', () => {
  const points = [point('3', 16, 32, 500, 2.5), point('0', 1, 32, 80, 0.4), point('1', 4, 32, 240, 0.9), point('2', 4, 128, 270, 1.9)];

  it('orders the points by the swept parameters and names only the parameters that vary', () => {
    const [table] = groupSweeps(points);
    expect(table?.swept).toEqual(['batch_size', 'max_new_tokens']);
    expect(table?.points.map((p) => p.task)).toEqual(['0', '1', '2', '3']);
    const [single] = groupSweeps(points.map((p) => ({ ...p, params: { ...p.params, max_new_tokens: 32 } })));
    expect(single?.swept).toEqual(['batch_size']);
  });

  it('picks the highest throughput whose p95 meets the SLO', () => {
    const [table] = groupSweeps(points);
    const choice = chooseBestPoint(table!, 2000);
    expect(choice.best?.task).toBe('2');
    expect(choice.meeting).toBe(3);
    expect(chooseBestPoint(table!, null).best?.task).toBe('3');
    const none = chooseBestPoint(table!, 100);
    expect(none.best).toBeNull();
    expect(none.judged).toBe(4);
  });
});
