import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { QueryGpuParser } from '../../../../src/profile/gpu/nvidia-smi-query.js';
import { summarizeDmonLogs } from '../../../../src/profile/gpu/nvidia-smi-dmon.js';
import { GpuLogAccumulator } from '../../../../src/profile/gpu/log-accumulator.js';
import { InputError } from '../../../../src/errors.js';

// Property: whatever lines arrive — random text, mutated real rows, cut rows — the parsers
// either accept them, reject them (counted), or throw InputError. Nothing else escapes.

const QUERY_LINES = [
  'timestamp, index, uuid, pci.bus_id, name, driver_version, utilization.gpu [%], utilization.memory [%], memory.used [MiB], memory.total [MiB], power.draw [W], temperature.gpu, clocks.current.sm [MHz], clocks.current.memory [MHz]',
  '2024/05/14 10:21:07.000, 0, GPU-5d3c9a8e-1f2b-4c6d-8e9f-0a1b2c3d4e5f, 00000000:07:00.0, NVIDIA A100-SXM4-40GB, 535.104.05, 0 %, 0 %, 1000 MiB, 40960 MiB, 60.00 W, 40, 210 MHz, 1215 MHz',
  '2024/05/14 10:21:08.010, 1, GPU-a81f0c2d-77e4-4b19-9c3a-6f2e1d0b9a87, 00000000:0F:00.0, NVIDIA A100-SXM4-40GB, 535.104.05, [N/A], 1, 500, 40960, [Not Supported], 35, 1000, 1215',
  'Field "utilization.foo" is not a valid field to query.',
];
const DMON_LINES = [
  '#Date       Time        gpu    pwr  gtemp  mtemp     sm    mem   mclk   pclk     fb',
  '#YYYYMMDD   HH:MM:SS    Idx      W      C      C      %      %    MHz    MHz     MB',
  ' 20240514   23:59:58      0     70     35     45      0      0   2619    345    512',
  ' 20240514   23:59:59      1      -     60      -     80     30   2619   1980  60000',
];

const mutate = (line: string): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constant(line),
    fc.nat({ max: line.length }).map((n) => line.slice(0, n)),
    fc.tuple(fc.nat({ max: line.length }), fc.string({ maxLength: 8 })).map(([i, s]) => line.slice(0, i) + s + line.slice(i)),
    fc.tuple(fc.nat({ max: line.length }), fc.nat({ max: 10 })).map(([i, n]) => line.slice(0, i) + line.slice(i + n)),
    fc.constantFrom(',', ' ', '[', ']', '-', '.', '#', '\t', '/', ':').chain((c) =>
      fc.nat({ max: line.length }).map((i) => line.slice(0, i) + c + line.slice(i + 1)),
    ),
  );

const lineArbitrary = (seeds: string[]): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...seeds).chain(mutate) },
    { weight: 1, arbitrary: fc.string({ maxLength: 80 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  );

function onlyInputErrors(run: () => void): void {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toMatch(/^x\.log/);
  }
}

describe('parsers under random and mutated input', () => {
  it('--query-gpu parser throws nothing but InputError', () => {
    fc.assert(
      fc.property(fc.array(lineArbitrary(QUERY_LINES), { maxLength: 25 }), fc.boolean(), (lines, cut) => {
        onlyInputErrors(() => {
          const acc = new GpuLogAccumulator();
          const parser = new QueryGpuParser('x.log', acc);
          lines.forEach((line, i) => parser.line(line, i + 1, !(cut && i === lines.length - 1)));
          parser.finish();
          const metrics = acc.toMetrics('query-gpu');
          for (const g of metrics.gpus) {
            for (const d of [g.utilization, g.memoryUsedMiB, g.powerW, g.temperatureC]) {
              if (d !== null) expect(Number.isFinite(d.mean) && Number.isFinite(d.p95)).toBe(true);
            }
          }
        });
      }),
      { numRuns: 400 },
    );
  });

  it('a dmon log throws nothing but InputError', async () => {
    // The dmon parser is reached through its file reader, so each case is a file of its own.
    const dir = mkdtempSync(join(tmpdir(), 'hpcbench-dmon-property-'));
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(lineArbitrary(DMON_LINES), { maxLength: 25 }), fc.boolean(), async (lines, cut) => {
        const file = join(dir, `${runs++}.log`);
        writeFileSync(file, lines.join('\n') + (cut ? '' : '\n'));
        try {
          await summarizeDmonLogs([file]);
        } catch (error) {
          expect(error).toBeInstanceOf(InputError);
          expect((error as InputError).message.startsWith(`${file}`)).toBe(true);
        }
      }),
      { numRuns: 400 },
    );
  });
});
