import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { summarizeDmonLogs } from '../../../../src/profile/gpu/nvidia-smi-dmon.js';
import type { GpuMetrics } from '../../../../src/profile/gpu/metrics.js';
import { InputError } from '../../../../src/errors.js';

const fixture = (name: string): string => new URL(`../../../fixtures/nvidia-smi/${name}`, import.meta.url).pathname;

describe('nvidia-smi dmon', () => {
  it('reads columns by header name, "-" as missing, repeated headers and blank lines', async () => {
    const m = await summarizeDmonLogs([fixture('dmon.txt')]);
    expect(m.format).toBe('dmon');
    expect(m.rejected.count).toBe(0);
    const [g0, g1] = m.gpus;
    expect(g0).toMatchObject({ index: '0', samples: 3, start: null, durationSeconds: null });
    // sm 0, 95, 97 → utilization; pwr 62, 250, 255 → power
    expect(g0?.utilization).toMatchObject({ samples: 3, mean: 64, p50: 95, max: 97, timeWeightedMean: null, busyFraction: 2 / 3 });
    expect(g0?.powerW).toMatchObject({ max: 255, min: 62 });
    expect(g0?.energyJ).toBeNull();
    expect(g0?.clocksGraphicsMHz).toMatchObject({ max: 1410, min: 210 });
    expect(g0?.clocksMemMHz?.max).toBe(1215);
    expect(g0?.temperatureC?.max).toBe(61);
    expect(g1?.utilization).toMatchObject({ samples: 2, mean: 47.5 });
    expect(g1?.missing).toEqual({ 'utilization.gpu': { '-': 1 }, 'utilization.memory': { '-': 1 }, mtemp: { '-': 3 } });
  });

  it('uses -o DT date and time columns, across midnight, and fb as memory used', async () => {
    const m = await summarizeDmonLogs([fixture('dmon-dt.txt')]);
    const g = m.gpus[0];
    expect(g).toMatchObject({ start: '2024-05-14T23:59:58.000', end: '2024-05-15T00:00:00.000', durationSeconds: 2 });
    // power 70, 400, 600 W at 1 s steps: 235 + 500 J
    expect(g?.energyJ).toBe(735);
    expect(g?.utilization?.timeWeightedMean).toBe((40 + 90) / 2);
    expect(g?.memoryUsedMiB).toMatchObject({ max: 70000, totalMiB: null, peakPercent: null });
  });

  const dir = mkdtempSync(join(tmpdir(), 'hpcbench-dmon-'));
  /** The lines as a dmon log named d.txt (a directory of its own each time), summarised. */
  function run(lines: string[]): Promise<GpuMetrics> {
    const file = join(mkdtempSync(join(dir, 'run-')), 'd.txt');
    writeFileSync(file, `${lines.join('\n')}\n`);
    return summarizeDmonLogs([file]);
  }

  it('handles -o T alone by rolling over midnight', async () => {
    const m = await run(['#Time        gpu    pwr', '#HH:MM:SS    Idx      W', ' 23:59:59      0    100', ' 00:00:01      0    300']);
    const g = m.gpus[0];
    expect(g?.durationSeconds).toBe(2);
    expect(g?.energyJ).toBe(400);
  });

  it('rejects rows that do not fit the header, with line and reason', async () => {
    const m = await run(['# gpu   pwr    sm', '# Idx     W     %', '    0    60    10', '    0    60', '    0   abc    10', '# something else']);
    expect(m.rejected.examples.map((r) => `${r.line}: ${r.reason}`)).toEqual([
      '4: expected 3 columns (gpu pwr sm), found 2',
      '5: column "pwr": expected a number or "-", found "abc"',
      '6: unrecognised "#" line (expected dmon\'s column names or units): "something else"',
    ]);
  });

  it('is an InputError without its header, or with no data', async () => {
    await expect(run(['    0    60    10'])).rejects.toThrow(/\/d\.txt:1: dmon output without its "# gpu …" header line/);
    await expect(run(['# gpu   pwr', '# Idx     W'])).rejects.toThrow(InputError);
    await expect(run(['hello world'])).rejects.toThrow(/unrecognised content \(line 1: not dmon output/);
  });
});
