import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseQueryGpuFileParallel, type RangeRunner } from '../../../../src/profile/gpu/nvidia-smi-parallel.js';
import { describeRangeError, mergeQueryRanges, parseQueryGpuRange, sniffHeader, splitAtLines } from '../../../../src/profile/gpu/nvidia-smi-ranges.js';
import { InputError, RangeFailure } from '../../../../src/errors.js';
import { summarizeQueryGpuLogs } from '../../../../src/profile/gpu/nvidia-smi-query-files.js';
import { GpuLogAccumulator } from '../../../../src/profile/gpu/log-accumulator.js';
import type { GpuMetrics } from '../../../../src/profile/gpu/metrics.js';

const fixture = (name: string): string => new URL(`../../../fixtures/nvidia-smi/${name}`, import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'hpcbench-parallel-'));

/** Parses the file as byte ranges cut at the given line starts (in process), then merges. */
async function parseInRanges(file: string, cuts: number[]): Promise<GpuMetrics> {
  const size = readFileSync(file).length;
  const bounds = [0, ...cuts, size];
  const header = await sniffHeader(file);
  const results = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    results.push(
      await parseQueryGpuRange({ file, start: bounds[i] as number, end: bounds[i + 1] as number, range: { header, first: i === 0 }, fields: undefined }),
    );
  }
  const acc = new GpuLogAccumulator();
  acc.files.push(file);
  mergeQueryRanges(file, results, acc);
  return acc.toMetrics('query-gpu');
}

/** Everything but the chart series, whose buckets are re-averaged at range borders. */
const comparable = (m: GpuMetrics): unknown => ({ ...m, series: undefined });

function lineStarts(file: string): number[] {
  const bytes = readFileSync(file);
  const starts: number[] = [];
  for (let i = 0; i < bytes.length - 1; i++) if (bytes[i] === 10) starts.push(i + 1);
  return starts;
}

describe('parallel (byte-range) parsing', () => {
  // A log with missing values, a restart, a rejected row and a truncated last line.
  const mixed = join(dir, 'mixed.csv');
  writeFileSync(
    mixed,
    [
      'timestamp, index, utilization.gpu [%], power.draw [W]',
      '2024/05/14 11:00:00.000, 0, 50 %, 100.00 W',
      '2024/05/14 11:00:00.000, 1, 10 %, 50.00 W',
      '2024/05/14 11:00:01.000, 0, 60 %, [N/A]',
      '2024/05/14 11:00:01.000, 1, 20 %, 55.50 W',
      '2024/05/14 11:00:02.000, 0, 70 %, 120.25 W',
      'garbage',
      '2024/05/14 11:00:02.000, 1, 30 %, 60.00 W',
      'timestamp, index, utilization.gpu [%], power.draw [W]',
      '2024/05/14 11:10:00.000, 1, 90 %, 300.00 W',
      '2024/05/14 11:10:00.000, 0, 80 %, 200.00 W',
      '2024/05/14 11:10:01.000, 0, 85 %, 210.00 W',
      '2024/05/14 11:10:01.000, 1, 95 %, 310.00 W',
      '2024/05/14 11:10:02.000, 0, 8',
    ].join('\n'),
  );

  it.each(['query-units.csv', 'query-noheader.csv', 'query-uuid-na.csv', 'query-restart.csv', 'query-truncated.csv'])(
    'gives exactly the sequential result for %s, whatever the cut points',
    async (name) => {
      const file = fixture(name);
      const sequential = comparable(await summarizeQueryGpuLogs([file], { parallel: false }));
      const starts = lineStarts(file);
      for (const cut of starts) expect(comparable(await parseInRanges(file, [cut]))).toEqual(sequential);
      expect(comparable(await parseInRanges(file, starts))).toEqual(sequential);
    },
  );

  it('keeps exact line numbers, warnings, restarts and stitched integrals on a mixed log', async () => {
    const sequential = await summarizeQueryGpuLogs([mixed], { parallel: false });
    expect(sequential.rejected.examples[0]).toMatchObject({ line: 7 });
    expect(sequential.warnings).toHaveLength(2);
    const starts = lineStarts(mixed);
    for (const cut of starts) expect(comparable(await parseInRanges(mixed, [cut]))).toEqual(comparable(sequential));
    for (let a = 0; a < starts.length; a += 3) {
      const cuts = starts.filter((_, i) => i % 3 === a % 3);
      expect(comparable(await parseInRanges(mixed, cuts))).toEqual(comparable(sequential));
    }
  });

  it('splits a file only just after line ends', async () => {
    const file = fixture('query-units.csv');
    const size = readFileSync(file).length;
    const bounds = await splitAtLines(file, size, 4);
    expect(bounds[0]).toBe(0);
    expect(bounds.at(-1)).toBe(size);
    const bytes = readFileSync(file);
    for (const b of bounds.slice(1, -1)) expect(bytes[b - 1]).toBe(10);
    expect(await sniffHeader(file)).toMatch(/^timestamp, index/);
    expect(await sniffHeader(fixture('query-noheader.csv'))).toBeNull();
  });

  describe('the orchestration (ranges run in process instead of worker threads)', () => {
    // What nvidia-smi-worker.ts does, without the thread: a failure travels as describeRangeError's plain data.
    const runRangeHere: RangeRunner = (input, onBytes, signal) =>
      parseQueryGpuRange(input, onBytes, signal).catch((error: unknown) => {
        throw new RangeFailure(describeRangeError(error));
      });
    const run = async (file: string, threads: number): Promise<{ done: boolean; acc: GpuLogAccumulator }> => {
      const acc = new GpuLogAccumulator();
      const done = await parseQueryGpuFileParallel(file, { threads, minBytes: 0, runRange: runRangeHere }, acc);
      return { done, acc };
    };

    it('gives the sequential result with 2, 3 and 4 ranges, and reports progress to the end', async () => {
      const sequential = comparable(await summarizeQueryGpuLogs([mixed], { parallel: false }));
      for (const threads of [2, 3, 4]) {
        const { done, acc } = await run(mixed, threads);
        expect(done).toBe(true);
        expect(comparable(acc.toMetrics('query-gpu'))).toEqual(sequential);
      }
      const progress: number[] = [];
      const acc = new GpuLogAccumulator();
      await parseQueryGpuFileParallel(mixed, { threads: 3, minBytes: 0, runRange: runRangeHere, onProgress: (p) => progress.push(p.bytesRead) }, acc);
      expect(progress.at(-1)).toBe(readFileSync(mixed).length);
    });

    it('reports an InputError in a later range at its line in the whole file', async () => {
      const rows = Array.from({ length: 40 }, (_, i) => `2024/05/14 11:00:${String(i).padStart(2, '0')}.000, 0, 50 %`);
      const file = join(dir, 'refused-late.csv');
      writeFileSync(file, ['timestamp, index, utilization.gpu [%]', ...rows.slice(0, 30), 'Field "foo" is not a valid field to query.', ...rows.slice(30)].join('\n') + '\n');
      const error = await run(file, 2).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).line).toBe(32);
      expect((error as InputError).message).toBe(`${file}:32: nvidia-smi refused the query: field "foo" is not a valid field to query`);
    });

    it('declines (changing nothing) when the field list changes mid-file, and skips small files', async () => {
      const file = join(dir, 'changed.csv');
      writeFileSync(
        file,
        ['timestamp, index, utilization.gpu [%]', '2024/05/14 11:00:00.000, 0, 50 %', '2024/05/14 11:00:01.000, 0, 50 %',
          'timestamp, index, power.draw [W]', '2024/05/14 11:10:00.000, 0, 100.00 W', '2024/05/14 11:10:01.000, 0, 110.00 W'].join('\n') + '\n',
      );
      const { done, acc } = await run(file, 3);
      expect(done).toBe(false);
      expect(acc.devices.size).toBe(0);
      expect(acc.files).toEqual([]);
      const small = new GpuLogAccumulator();
      expect(await parseQueryGpuFileParallel(mixed, { threads: 2, runRange: runRangeHere }, small)).toBe(false);
      const sequential = await summarizeQueryGpuLogs([file]);
      expect(sequential.gpus[0]?.powerW?.samples).toBe(2);
    });
  });
});
