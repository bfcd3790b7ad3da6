import { describe, expect, it } from 'vitest';
import { QueryGpuParser } from '../../../../src/profile/gpu/nvidia-smi-query.js';
import { summarizeQueryGpuLogs } from '../../../../src/profile/gpu/nvidia-smi-query-files.js';
import { GpuLogAccumulator } from '../../../../src/profile/gpu/log-accumulator.js';
import { DEFAULT_GPU_QUERY_FIELDS } from '../../../../src/profile/gpu/nvidia-smi-fields.js';
import type { GpuDeviceMetrics, GpuMetrics } from '../../../../src/profile/gpu/metrics.js';
import { InputError } from '../../../../src/errors.js';

const fixture = (name: string): string => new URL(`../../../fixtures/nvidia-smi/${name}`, import.meta.url).pathname;

function gpu(metrics: GpuMetrics, index: string): GpuDeviceMetrics {
  const found = metrics.gpus.find((g) => g.index === index);
  if (found === undefined) throw new Error(`no GPU ${index}`);
  return found;
}

describe('--query-gpu CSV', () => {
  it('computes per-GPU metrics from a log with units (hand-checked values)', async () => {
    const m = await summarizeQueryGpuLogs([fixture('query-units.csv')]);
    expect(m.format).toBe('query-gpu');
    expect(m.gpus).toHaveLength(2);
    const g0 = gpu(m, '0');
    expect(g0).toMatchObject({
      uuid: 'GPU-5d3c9a8e-1f2b-4c6d-8e9f-0a1b2c3d4e5f',
      id: 'GPU-5d3c9a8e-1f2b-4c6d-8e9f-0a1b2c3d4e5f',
      busId: '00000000:07:00.0',
      name: 'NVIDIA A100-SXM4-40GB',
      driverVersion: '535.104.05',
      mig: false,
      samples: 4,
      start: '2024-05-14T10:21:07.000',
      end: '2024-05-14T10:21:10.000',
      durationSeconds: 3,
    });
    // utilization 0, 50, 100, 100 at 1 s steps
    expect(g0.utilization).toEqual({
      samples: 4,
      mean: 62.5,
      timeWeightedMean: 200 / 3,
      min: 0,
      p50: 75,
      p95: 100,
      max: 100,
      busyFraction: 0.75,
    });
    expect(g0.memoryUsedMiB).toMatchObject({ max: 30000, mean: 20250, totalMiB: 40960, peakPercent: (30000 / 40960) * 100 });
    expect(g0.memoryUsedMiB?.meanPercent).toBeCloseTo((20250 / 40960) * 100, 12);
    // power 60.00, 200.50, 300.25, 310.00: trapezoids 130.25 + 250.375 + 305.125 J
    expect(g0.energyJ).toBeCloseTo(685.75, 9);
    expect(g0.powerW).toMatchObject({ mean: 217.6875, max: 310, min: 60 });
    expect(g0.powerW?.p50).toBeCloseTo(250.375, 12);
    expect(g0.temperatureC?.max).toBe(66);
    expect(g0.clocksSmMHz).toMatchObject({ mean: 1110, max: 1410 });
    expect(g0.clocksMemMHz).toMatchObject({ mean: 1215, max: 1215 });
    const g1 = gpu(m, '1');
    expect(g1.utilization?.timeWeightedMean).toBeCloseTo(25, 12);
    expect(g1.energyJ).toBeCloseTo(195, 9);
    expect(m.overall).toMatchObject({ gpus: 2, memoryUsedPeakMiB: 30000, powerMaxW: 310, temperatureMaxC: 66 });
    expect(m.overall.energyJ).toBeCloseTo(880.75, 9);
    // pooled utilization: 0 10 20 30 40 50 100 100
    expect(m.overall.utilization).toMatchObject({ samples: 8, p50: 35, max: 100, busyFraction: 7 / 8 });
    expect(m.rejected.count).toBe(0);
    expect(m.warnings).toEqual([]);
  });

  it('gives identical metrics with nounits and with noheader (default field list)', async () => {
    const strip = (m: GpuMetrics): unknown => m.gpus.map(({ sources: _sources, ...rest }) => rest);
    const units = await summarizeQueryGpuLogs([fixture('query-units.csv')]);
    const nounits = await summarizeQueryGpuLogs([fixture('query-nounits.csv')]);
    const noheader = await summarizeQueryGpuLogs([fixture('query-noheader.csv')], { fields: DEFAULT_GPU_QUERY_FIELDS });
    expect(strip(nounits)).toEqual(strip(units));
    expect(strip(noheader)).toEqual(strip(units));
  });

  it('turns every nvidia-smi missing marker into a counted missing value, never 0', async () => {
    const m = await summarizeQueryGpuLogs([fixture('query-uuid-na.csv')]);
    expect(m.gpus.map((g) => g.id)).toEqual([
      'GPU-11111111-2222-3333-4444-555555555555',
      'GPU-66666666-7777-8888-9999-000000000000',
    ]);
    const [a, b] = m.gpus as [GpuDeviceMetrics, GpuDeviceMetrics];
    expect(a.index).toBeNull();
    expect(a.utilization).toMatchObject({ samples: 3, min: 88, max: 92, mean: 90 });
    expect(a.missing).toEqual({ 'power.draw': { 'Unknown Error': 1 } });
    expect(a.powerW).toMatchObject({ samples: 2, max: 255.3 });
    // the missing middle value breaks the power segment: no energy without a pair of neighbours
    expect(a.energyJ).toBeNull();
    expect(b.utilization).toBeNull();
    expect(b.powerW).toBeNull();
    expect(b.missing).toEqual({
      'utilization.gpu': { 'N/A': 3 },
      'power.draw': { 'Not Supported': 3 },
      'temperature.gpu': { 'Insufficient Permissions': 1 },
    });
    expect(b.temperatureC).toMatchObject({ samples: 2, max: 41 });
    expect(m.overall.utilization?.samples).toBe(3);
  });

  it('does not integrate across a logger restart (repeated header) and warns', async () => {
    const m = await summarizeQueryGpuLogs([fixture('query-restart.csv')]);
    const g = gpu(m, '0');
    expect(g.samples).toBe(4);
    expect(g.energyJ).toBeCloseTo(100 + 300, 9);
    expect(g.utilization?.timeWeightedMean).toBeCloseTo(75, 12);
    expect(g.utilization?.mean).toBe(75);
    expect(m.warnings.join('\n')).toMatch(/restarted 1 time/);
  });

  it('drops a truncated last line with a warning, not a rejection', async () => {
    const m = await summarizeQueryGpuLogs([fixture('query-truncated.csv')]);
    expect(gpu(m, '0').samples).toBe(2);
    expect(m.rejected.count).toBe(0);
    expect(m.warnings[0]).toMatch(/query-truncated\.csv:4: last line has no line end/);
  });

  it('reports MIG-enabled GPUs without utilization', async () => {
    const m = await summarizeQueryGpuLogs([fixture('query-mig.csv')]);
    const g = gpu(m, '0');
    expect(g.mig).toBe(true);
    expect(g.utilization).toBeNull();
    expect(g.memoryUsedMiB?.max).toBe(20500);
    expect(m.overall.utilization).toBeNull();
  });

  it('is an InputError naming file and line when nvidia-smi refused a field', async () => {
    const file = fixture('query-invalid-field.txt');
    await expect(summarizeQueryGpuLogs([file])).rejects.toThrow(InputError);
    await expect(summarizeQueryGpuLogs([file])).rejects.toThrow(`${file}:1: nvidia-smi refused the query: field "utilization.foo"`);
  });

  it('keys GPUs from two files by file when there is no uuid', async () => {
    const m = await summarizeQueryGpuLogs([fixture('query-restart.csv'), fixture('query-truncated.csv')]);
    expect(m.gpus).toHaveLength(2);
    expect(m.gpus.map((g) => g.sources)).toEqual([['query-restart.csv'], ['query-truncated.csv']]);
  });
});

describe('QueryGpuParser line handling', () => {
  const header = 'timestamp, index, utilization.gpu [%], memory.used [MiB]';
  function run(lines: string[], fields?: string[]): GpuLogAccumulator {
    const acc = new GpuLogAccumulator();
    const parser = new QueryGpuParser('mem.csv', acc, { fields });
    lines.forEach((line, i) => parser.line(line, i + 1, true));
    parser.finish();
    return acc;
  }

  it('rejects bad rows with file:line, field and reason, and keeps the good ones', () => {
    const acc = run([
      header,
      '2024/05/14 10:00:00.000, 0, 10 %, 100 MiB',
      '2024/05/14 10:00:01.000, 0, abc, 100 MiB',
      '2024/05/14 10:00:02.000, 0, 10 %',
      '2024/05/14 10:00:03.000, 0, 10 %, 100 MiB, 7',
      '2024/13/14 10:00:04.000, 0, 10 %, 100 MiB',
      '2024/05/14 10:00:05.000, , 10 %, 100 MiB',
    ]);
    expect(acc.rejected.count).toBe(5);
    expect(acc.rejected.examples.map((r) => `${r.file}:${r.line}: ${r.reason}`)).toEqual([
      'mem.csv:3: field "utilization.gpu": expected a number (optionally with a unit) or [N/A], found "abc"',
      'mem.csv:4: expected 4 fields, found 3',
      'mem.csv:5: expected 4 fields, found more',
      'mem.csv:6: field "timestamp": expected YYYY/MM/DD HH:MM:SS.mmm (nvidia-smi), epoch seconds (date +%s) or ISO 8601 (date -Iseconds), found "2024/13/14 10:00:04.000"',
      'mem.csv:7: field "index": no GPU identifier ("")',
    ]);
    expect(acc.toMetrics('query-gpu').gpus[0]?.samples).toBe(1);
  });

  it('accepts any order and subset of fields, ignoring unknown ones', () => {
    const acc = run(['pstate, utilization.gpu [%], index', 'P0, 40 %, 1', 'P0, 60 %, 1']);
    const g = acc.toMetrics('query-gpu').gpus[0];
    expect(g).toMatchObject({ index: '1', samples: 2, durationSeconds: null });
    expect(g?.utilization).toMatchObject({ mean: 50, timeWeightedMean: null });
  });

  it('a headerless file whose width does not match the field list is an InputError', () => {
    expect(() => run(['2024/05/14 10:00:00.000, 0, 10'])).toThrow(/no header line and 3 fields per row, but the field list has 14/);
    expect(() => run(['1, 2', '3, 4'], ['index', 'utilization.gpu'])).not.toThrow();
  });

  it('a file with no usable row is an InputError that quotes the first problem', () => {
    expect(() => run([header, '2024/05/14 10:00:00.000, 0, x, y'])).toThrow(/mem\.csv: unrecognised content \(no usable row; line 2: field "utilization\.gpu"/);
    expect(() => run([header])).toThrow(InputError);
    expect(() => run(['NVIDIA-SMI has failed because it couldn\'t communicate with the NVIDIA driver.'])).toThrow(/nvidia-smi message, not data/);
  });
});
