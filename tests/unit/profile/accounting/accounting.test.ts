import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../../src/errors.js';
import { computeAccountingMetrics, toAccountingRates, type AccountingRecord } from '../../../../src/profile/accounting/accounting.js';

type JsonRecord = Omit<AccountingRecord, 'submit' | 'start' | 'end'> & { submit?: string; start?: string; end?: string };

function loadJobs(): AccountingRecord[] {
  const raw = JSON.parse(readFileSync(join(import.meta.dirname, '../../../fixtures/sacct-metrics/jobs.json'), 'utf8')) as JsonRecord[];
  return raw.map(({ submit, start, end, ...rest }) => ({
    ...rest,
    ...(submit ? { submit: new Date(submit) } : {}),
    ...(start ? { start: new Date(start) } : {}),
    ...(end ? { end: new Date(end) } : {}),
  }));
}

const [gpuJob, oomJob, timeoutJob, pendingJob] = loadJobs() as [AccountingRecord, AccountingRecord, AccountingRecord, AccountingRecord];

describe('computeAccountingMetrics', () => {
  it('computes queue wait, efficiencies, GPU-hours, SUs, cost and cost per million tokens', () => {
    const rates = toAccountingRates({ su_per_gpu_hour: 1.5, su_per_cpu_hour: 0.1, currency_per_su: 2, currency: 'BRL' });
    const m = computeAccountingMetrics(gpuJob, { rates, outputTokens: 4_000_000 });
    expect(m).toMatchObject({
      jobId: '4211837',
      state: 'COMPLETED',
      exitStatus: 0,
      exitSignal: 0,
      partition: 'sequana_gpu',
      queueWaitSeconds: 750,
      elapsedSeconds: 7200,
      cpuHours: 48,
      gpuHours: 8,
      currency: 'BRL',
    });
    // 86400 CPU-s / (7200 s × 24 CPUs) = 0.5; 30 GiB of 60 GiB = 0.5
    expect(m.cpuEfficiency).toBe(0.5);
    expect(m.memoryEfficiency).toBe(0.5);
    // 8 GPU-h × 1.5 + 48 CPU-h × 0.1 = 16.8 SU; × 2 = 33.6; per 4 M tokens → 8.4 per million
    expect(m.serviceUnits).toBeCloseTo(16.8, 12);
    expect(m.cost).toBeCloseTo(33.6, 12);
    expect(m.costPerMillionOutputTokens).toBeCloseTo(8.4, 12);
  });

  it('prices by GPU-hour when the centre quotes one', () => {
    const m = computeAccountingMetrics(gpuJob, { rates: toAccountingRates({ cost_per_gpu_hour: 2.5 }) });
    expect(m.serviceUnits).toBeUndefined();
    expect(m.cost).toBe(20);
    expect(m.costPerMillionOutputTokens).toBeUndefined();
  });

  it('reports an OOM job with memory efficiency over 1 and the signal from the exit code', () => {
    const m = computeAccountingMetrics(oomJob);
    expect(m).toMatchObject({ state: 'OUT_OF_MEMORY', exitStatus: 0, exitSignal: 125, queueWaitSeconds: 5, gpuHours: 0 });
    expect(m.memoryEfficiency).toBeCloseTo(2100 / 2048, 15);
    expect(m.cpuEfficiency).toBeCloseTo(170 / 180, 15);
    expect(m.cost).toBeUndefined();
  });

  it('leaves out what cannot be known: no requested memory, no start', () => {
    const timeout = computeAccountingMetrics(timeoutJob);
    expect(timeout.memoryEfficiency).toBeUndefined();
    expect(timeout.cpuEfficiency).toBe(0);
    expect(timeout.gpuHours).toBeCloseTo(2 * 3630 / 3600, 15);
    const pending = computeAccountingMetrics(pendingJob);
    expect(pending.queueWaitSeconds).toBeUndefined();
    expect(pending.cpuEfficiency).toBeUndefined();
    expect(pending.state).toBe('CANCELLED by 1234');
    expect(computeAccountingMetrics({ ...gpuJob, exitCode: 'weird' }).exitStatus).toBeUndefined();
  });

  it('rejects negative or non-finite durations with an InputError naming the field', () => {
    expect(() => computeAccountingMetrics({ ...gpuJob, elapsedSeconds: -5 }, { source: 'sacct.txt' })).toThrow(InputError);
    expect(() => computeAccountingMetrics({ ...gpuJob, totalCpuSeconds: Number.NaN }, { source: 'sacct.txt' })).toThrow(
      /sacct\.txt: accounting field `totalCpuSeconds` is NaN/,
    );
  });
});
