import { describe, expect, it } from 'vitest';
import { adviseOnMetrics, groupAdvice, type Advice } from '../../../src/report/advisor.js';
import { describeAdvice, describeAdviceGroup, describeTaskList } from '../../../src/report/i18n/index.js';
import type { GpuDeviceMetrics, GpuMetrics } from '../../../src/profile/gpu/metrics.js';
import { computeInferenceMetrics } from '../../../src/profile/inference/metrics.js';
import type { InferenceRecord } from '../../../src/profile/inference/schema.js';
import { buildFixtureDoc, emptyDoc, emptyTask } from './fixture-doc.js';

function gpuWith(busyFraction: number, mean: number, peakPercent: number): GpuMetrics {
  const dist = { samples: 100, mean, timeWeightedMean: mean, min: 0, p50: mean, p95: mean, max: mean };
  const device = {
    id: '0', index: '0', uuid: null, busId: null, name: 'V100', driverVersion: null, mig: false, sources: [], samples: 100,
    start: null, end: null, durationSeconds: 100,
    utilization: { ...dist, busyFraction },
    memoryUtilization: null,
    memoryUsedMiB: { ...dist, totalMiB: 1000, peakPercent, meanPercent: peakPercent },
    powerW: null, energyJ: null, temperatureC: null, clocksSmMHz: null, clocksMemMHz: null, clocksGraphicsMHz: null, missing: {},
  } satisfies GpuDeviceMetrics;
  return { format: 'query-gpu', files: [], gpus: [device], overall: { gpus: 1, utilization: device.utilization, memoryUsedPeakMiB: 1000, powerMeanTotalW: null, powerMaxW: null, energyJ: null, temperatureMaxC: null }, rejected: { count: 0, examples: [], byFile: {} }, warnings: [] };
}

describe('adviseOnMetrics', () => {
  it('flags an idle GPU, a GPU near its memory limit, and a low-utilization GPU', () => {
    const idle = emptyTask('x', 'idle');
    idle.gpu = gpuWith(0.02, 0.5, 10);
    const full = emptyTask('x', 'full');
    full.gpu = gpuWith(0.9, 30, 97);
    const codes = adviseOnMetrics(emptyDoc('r', ['x'], [idle, full])).map((a) => `${a.task}:${a.code}`);
    expect(codes).toEqual(['idle:gpu-idle', 'full:gpu-low-utilization', 'full:gpu-memory-near-limit']);
  });

  it('flags allocated GPUs that never worked (4 requested, 1 busy)', () => {
    const task = emptyTask('x', 'ddp');
    task.gpu = gpuWith(0.9, 80, 50);
    task.accounting = { jobId: '9', state: 'COMPLETED', exitCode: '0:0', partition: 'sequana_gpu', nodes: 1, elapsedSeconds: 1800, cpuHours: 0.5, gpuHours: 2, cpuEfficiency: 0.9 };
    const advice = adviseOnMetrics(emptyDoc('r', ['x'], [task]));
    expect(advice.map((a) => a.code)).toEqual(['gpus-unused']);
    expect(describeAdvice(advice[0]!, 'en')).toMatch(/^Only 1 of the 4 allocated GPUs did any work\./);
  });

  it('flags low CPU efficiency, memory near the limit, too few samples and failed jobs', async () => {
    const doc = await buildFixtureDoc();
    const codes = adviseOnMetrics(doc).map((a) => `${a.experiment ?? ''}/${a.task ?? ''}:${a.code}`);
    expect(codes).toContain('lora/main:low-cpu-efficiency');
    expect(codes).toContain('lora/main:memory-near-limit');
    expect(codes).toContain('infer/0:few-samples-p95');
    expect(codes).toContain('/infer/0:rejected-lines');
    const failed = emptyTask('x', 'oom');
    failed.accounting = { jobId: '1', state: 'OUT_OF_MEMORY', exitCode: '0:125', partition: 'p', nodes: 1, elapsedSeconds: 5, cpuHours: 0, gpuHours: 0 };
    expect(adviseOnMetrics(emptyDoc('r', ['x'], [failed])).map((a) => a.code)).toEqual(['job-not-completed']);
  });

  it('asks for more samples before quoting a p99 below 100 requests, and finds latency outliers', () => {
    const task = emptyTask('x', 't');
    const latencies = Array.from({ length: 50 }, (_, i) => 1 + (i % 5) * 0.01);
    latencies[10] = 9;
    const records: InferenceRecord[] = latencies.map((latencyS, i) => ({ latencyS, batchSize: 1, error: null, warmup: false, params: {}, file: 'f', line: i + 1 }));
    task.inference = computeInferenceMetrics(records, { bootstrap: false });
    task.latency_samples_s = latencies;
    const advice = adviseOnMetrics(emptyDoc('r', ['x'], [task]));
    expect(advice.map((a) => a.code)).toEqual(['few-samples-p99', 'latency-outliers']);
    expect(describeAdvice(advice[1]!, 'en')).toBe(
      '1 of 50 latencies is an outlier (|modified z-score| > 3.50). Look for warm-up effects, garbage collection or contention; report the median next to the mean.',
    );
    expect(describeAdvice(advice[0]!, 'pt-BR')).toContain('Apenas 50 amostras de latência');
  });
});

describe('groupAdvice', () => {
  const few = (experiment: string, task: string, n: number): Advice => ({ code: 'few-samples-p99', severity: 'warning', experiment, task, values: { n, min: 100 } });

  it('gives one line per advice kind per experiment, listing its tasks', () => {
    const groups = groupAdvice([few('infer', '0', 60), few('infer', '1', 60), few('other', 'a', 60), few('infer', '2', 59)]);
    expect(groups.map((g) => `${g.experiment}:${g.code}:${g.tasks.join(',')}`)).toEqual(['infer:few-samples-p99:0,1,2', 'other:few-samples-p99:a']);
    expect(describeTaskList(groups[0]!.tasks, 'en')).toBe('tasks 0, 1, 2');
    expect(describeTaskList(groups[1]!.tasks, 'pt-BR')).toBe('tarefa a');
  });

  it('says a shared value once and the range of values that differ', () => {
    const [same] = groupAdvice([few('infer', '0', 60), few('infer', '1', 60)]);
    expect(describeAdviceGroup(same!, 'en')).toBe('Only 60 latency samples: p99 is not reliable below 100 samples. Run more requests before quoting the tail.');
    const [mixed] = groupAdvice([few('infer', '0', 60), few('infer', '1', 1200), few('infer', '2', 59)]);
    expect(describeAdviceGroup(mixed!, 'pt-BR')).toMatch(/^Apenas 59–1\.200 amostras de latência: o p99 não é confiável com menos de 100 amostras\./);
  });

  it('keeps warnings and notes, and each document-wide warning, apart', () => {
    const note: Advice = { code: 'memory-over-requested', severity: 'info', experiment: 'infer', task: '0', values: { efficiency: 0.05 } };
    const profile = (text: string): Advice => ({ code: 'profile-warning', severity: 'info', experiment: undefined, task: undefined, values: { text } });
    const groups = groupAdvice([few('infer', '0', 60), note, profile('a'), profile('b')]);
    expect(groups.map((g) => g.code)).toEqual(['few-samples-p99', 'memory-over-requested', 'profile-warning', 'profile-warning']);
  });

  it('agrees with the count of every grouped task (plural when they differ)', () => {
    const failed = (task: string, count: number): Advice => ({ code: 'failed-requests', severity: 'warning', experiment: 'x', task, values: { failed: count, rate: 0.01 } });
    expect(describeAdviceGroup(groupAdvice([failed('0', 1), failed('1', 1)])[0]!, 'pt-BR')).toMatch(/^1 requisição falhou/);
    expect(describeAdviceGroup(groupAdvice([failed('0', 1), failed('1', 3)])[0]!, 'pt-BR')).toMatch(/^1–3 requisições falharam/);
  });
});
