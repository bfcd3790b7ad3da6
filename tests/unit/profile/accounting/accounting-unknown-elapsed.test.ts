// "A field that is absent is unknown, never 0": a sacct capture without Elapsed must give
// metrics.json an accounting section whose elapsed time, CPU-hours and GPU-hours are null (and a
// capture without AllocTRES unknown GPU-hours, not 0), and
// reports must not print them as 0 (they show the missing-value mark in both languages).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { computeAccountingMetrics } from '../../../../src/profile/accounting/accounting.js';
import { profileRun } from '../../../../src/profile/profile-run.js';
import { MISSING } from '../../../../src/report/format.js';
import { renderMarkdownReport } from '../../../../src/report/markdown.js';
import { buildReportModel } from '../../../../src/report/report-model.js';

// The shape of sacct -P with a --format that leaves Elapsed out (TotalCPU and NCPUS present).
const NO_ELAPSED = 'JobID|State|ExitCode|TotalCPU|NCPUS|MaxRSS|ReqMem\n' +
  '4242|COMPLETED|0:0|00:01:00|2||1G\n4242.batch|COMPLETED|0:0|00:01:00|2|512M|\n';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function writeRun(sacct: string): string {
  const rd = mkdtempSync(join(tmpdir(), 'hpcb-noelapsed-'));
  dirs.push(rd);
  writeFileSync(join(rd, 'sacct.txt'), sacct);
  mkdirSync(join(rd, 'out', 'exp', 'main'), { recursive: true });
  writeFileSync(join(rd, 'out', 'exp', 'main', 'metadata.json'), JSON.stringify({ job_id: '4242' }));
  return rd;
}

describe('accounting without Elapsed', () => {
  it('keeps elapsed, CPU-hours and GPU-hours null in metrics.json, not 0', async () => {
    const doc = await profileRun(writeRun(NO_ELAPSED));
    const acc = doc.tasks.find((t) => t.accounting !== undefined)?.accounting;
    expect(acc).toBeDefined();
    expect(acc?.jobId).toBe('4242');
    expect(acc?.elapsedSeconds).toBeNull();
    expect(acc?.cpuHours).toBeNull();
    expect(acc?.gpuHours).toBeNull();
    expect(acc?.cpuEfficiency).toBeUndefined();
    // Through JSON, as metrics.json is written: null survives, no 0 appears.
    const json = JSON.parse(JSON.stringify(acc)) as Record<string, unknown>;
    expect(json.elapsedSeconds).toBeNull();
    expect(json.cpuHours).toBeNull();

    const model = buildReportModel(doc, undefined, { now: () => new Date('2026-12-01T17:00:00Z') });
    for (const lang of ['en', 'pt-BR'] as const) {
      const row = renderMarkdownReport(model, lang).split('\n').find((l) => l.includes('| 4242 |') && l.includes('COMPLETED'));
      expect(row, lang).toBeDefined();
      expect(row, lang).toContain(MISSING);
      expect(row, lang).not.toMatch(/\| 0:00 \|/);
    }
  });

  it('still gives the figures when Elapsed is there', async () => {
    const doc = await profileRun(writeRun(NO_ELAPSED.replace('ExitCode|', 'ExitCode|Elapsed|').replace('0:0|00:01:00|2||', '0:0|00:01:00|00:01:00|2||').replace('0:0|00:01:00|2|512M', '0:0|00:01:00|00:01:00|2|512M')));
    const acc = doc.tasks.find((t) => t.accounting !== undefined)?.accounting;
    expect(acc?.elapsedSeconds).toBe(60);
    expect(acc?.cpuHours).toBeCloseTo((2 * 60) / 3600, 12);
    expect(acc?.cpuEfficiency).toBeCloseTo(0.5, 12);
    // No AllocTRES column: the GPU count is not in the file, so GPU-hours are unknown too.
    expect(acc?.gpuHours).toBeNull();
  });

  it('leaves the charge out rather than pricing an unknown time as free', () => {
    const m = computeAccountingMetrics(
      { jobId: '1', state: 'COMPLETED', exitCode: '0:0', elapsedSeconds: null, ncpus: 4, gpus: 1, nodes: 1, partition: 'gpu' },
      { rates: { suPerGpuHour: 1, currencyPerSu: 2, currency: 'BRL' } },
    );
    expect(m.elapsedSeconds).toBeNull();
    expect(m.gpuHours).toBeNull();
    expect(m.serviceUnits).toBeUndefined();
    expect(m.cost).toBeUndefined();
  });

  it('charges what the known figures allow when only the GPU count is unknown', () => {
    const base = { jobId: '2', state: 'COMPLETED', exitCode: '0:0', elapsedSeconds: 3600, ncpus: 4, gpus: null, nodes: 1, partition: 'cpu' };
    const cpuOnly = computeAccountingMetrics(base, { rates: { suPerCpuHour: 1, currencyPerSu: 2 } });
    expect(cpuOnly.cpuHours).toBe(4);
    expect(cpuOnly.gpuHours).toBeNull();
    expect(cpuOnly.serviceUnits).toBe(4);
    expect(cpuOnly.cost).toBe(8);
    const perGpu = computeAccountingMetrics(base, { rates: { costPerGpuHour: 3 } });
    expect(perGpu.cost).toBeUndefined();
    const gpuSu = computeAccountingMetrics(base, { rates: { suPerGpuHour: 1, suPerCpuHour: 1 } });
    expect(gpuSu.serviceUnits).toBeUndefined();
  });
});
