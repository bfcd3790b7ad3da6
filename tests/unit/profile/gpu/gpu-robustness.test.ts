// Damaged and unusual nvidia-smi logs, small and synthetic (the real captures are in
// real-nvidia-smi.test.ts): binary garbage, encodings, units, physical ranges, gaps, logs
// without a GPU id, and the user timestamps that job scripts write.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { profileFiles } from '../../../../src/profile/profile-run.js';
import { summarizeQueryGpuLogs } from '../../../../src/profile/gpu/nvidia-smi-query-files.js';
import { parseUserTimestamp } from '../../../../src/profile/gpu/timestamps.js';
import { InputError } from '../../../../src/errors.js';
import { summarizeComputeApps } from '../../../../src/profile/gpu/nvidia-smi-apps.js';
import { mergeQueryRanges, parseQueryGpuRange, sniffHeader } from '../../../../src/profile/gpu/nvidia-smi-ranges.js';
import { GpuLogAccumulator } from '../../../../src/profile/gpu/log-accumulator.js';

const dir = mkdtempSync(join(tmpdir(), 'hpcbench-gpu-'));
let counter = 0;
function write(content: string | Buffer, name = `log-${++counter}.csv`): string {
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
}
const HEADER = 'timestamp, index, utilization.gpu [%], memory.used [MiB], power.draw [W]';
const row = (second: number, util = 50, mem = 1000, power = '100.00 W', index = 0): string =>
  `2025/01/02 10:00:${String(second).padStart(2, '0')}.000, ${index}, ${util} %, ${mem} MiB, ${power}`;

async function failure(promise: Promise<unknown>): Promise<InputError> {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

describe('user-written timestamps', () => {
  it('reads epoch seconds, epoch milliseconds and ISO 8601 with or without an offset', () => {
    expect(parseUserTimestamp('1764189075')).toBe(1764189075000);
    expect(parseUserTimestamp('1764189075.25')).toBe(1764189075250);
    expect(parseUserTimestamp('1764189075123')).toBe(1764189075123);
    expect(parseUserTimestamp('2025-09-08T17:26:50+08:00')).toBe(Date.UTC(2025, 8, 8, 9, 26, 50));
    expect(parseUserTimestamp('2025-09-08T17:26:50-0330')).toBe(Date.UTC(2025, 8, 8, 20, 56, 50));
    expect(parseUserTimestamp('2025-09-08 17:26:50.5Z')).toBe(Date.UTC(2025, 8, 8, 17, 26, 50, 500));
    expect(parseUserTimestamp('2025-02-30T00:00:00')).toBeNaN();
    expect(parseUserTimestamp('17:26:50')).toBeNaN();
  });
});

describe('binary garbage and encodings', () => {
  it('rejects a line of NUL bytes with a counted reason and keeps the GPU ids clean', async () => {
    const file = write(`${HEADER}\n${row(0)}\n\0\0\0\0\0\0\0\0\n${row(1)}\n0\0, 1\0, 5 %, 1 MiB, 1.00 W\n${row(2)}\n`);
    const m = await summarizeQueryGpuLogs([file]);
    expect(m.gpus.map((g) => g.index)).toEqual(['0']);
    expect(m.gpus[0]?.samples).toBe(3);
    expect(m.rejected.count).toBe(2);
    expect(m.rejected.examples.map((e) => [e.line, e.reason])).toEqual([
      [3, 'binary garbage (NUL bytes) in the line, not a CSV row'],
      [5, 'binary garbage (NUL bytes) in the line, not a CSV row'],
    ]);
  });

  it('reads a file that starts with a UTF-8 byte-order mark, detected by content', async () => {
    const file = write(`\uFEFF${HEADER}\n${row(0)}\n${row(1, 70)}\n`, 'bom.log');
    const doc = await profileFiles([file]);
    expect(doc.tasks[0]?.gpu?.gpus[0]?.utilization?.mean).toBe(60);
  });

  it('refuses a UTF-16 file naming the encoding and the iconv fix', async () => {
    const text = `${HEADER}\r\n${row(0)}\r\n${row(1)}\r\n`;
    const file = write(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]), 'utf16.log');
    const error = await failure(profileFiles([file]));
    expect(error.message).toMatch(/UTF-16LE/);
    expect(error.hint).toMatch(/iconv -f UTF-16 -t UTF-8/);
  });
});

describe('compute-apps snapshots', () => {
  it('strips a BOM, rejects NUL lines with a reason, and refuses UTF-16', async () => {
    const rows = '\uFEFF1234, python, GPU-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee, 900\n\0\0\0\0\n5678, python, GPU-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee, 100\n';
    const apps = await summarizeComputeApps([write(rows)]);
    expect(apps.processes.map((p) => p.pid)).toEqual([1234, 5678]);
    expect(apps.gpus).toEqual([{ gpu: 'GPU-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee', processes: 2, usedMiBSumOfPeaks: 1000 }]);
    expect(apps.rejected.examples.map((e) => [e.line, e.reason])).toEqual([[2, 'binary garbage (NUL bytes) in the line, not a CSV row']]);
    const utf16 = write(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(rows.slice(1), 'utf16le')]));
    expect((await failure(summarizeComputeApps([utf16]))).hint).toMatch(/iconv -f UTF-16 -t UTF-8/);
  });
});

describe('dmon logs', () => {
  it('strip a BOM and reject NUL-byte lines with a counted reason', async () => {
    const log = '\uFEFF# gpu    sm   mem\n# Idx     %     %\n    0    10    20\n\0\0\0\0\0\n    0    30    40\n';
    const doc = await profileFiles([write(log, 'dmon-bom.log')]);
    const gpu = doc.tasks[0]?.gpu;
    expect(gpu?.format).toBe('dmon');
    expect(gpu?.gpus[0]?.utilization?.mean).toBe(20);
    expect(gpu?.rejected.examples.map((e) => [e.line, e.reason])).toEqual([[4, 'binary garbage (NUL bytes) in the line, not dmon output']]);
  });
});

describe('units and physical ranges', () => {
  it('rejects a cell whose unit differs from its column, and values outside the physical range', async () => {
    const file = write(
      [HEADER, row(0), row(1, 50, 1000, '100.00 kW'), row(2, 150), row(3, 50, 1000, '-5.00 W'), row(4, 50, -1), row(5)].join('\n') + '\n',
    );
    const m = await summarizeQueryGpuLogs([file]);
    expect(m.gpus[0]?.samples).toBe(2);
    expect(m.rejected.examples.map((e) => `${e.line}: ${e.reason}`)).toEqual([
      '3: field "power.draw": unit "kW" differs from the column\'s "W"',
      '4: field "utilization.gpu": 150 is outside the physical range (expected between 0 and 100)',
      '5: field "power.draw": -5 is outside the physical range (expected not negative)',
      '6: field "memory.used": -1 is outside the physical range (expected not negative)',
    ]);
  });

  it('checks nounits cells too (utilization above 100 on the fast path)', async () => {
    const file = write('timestamp, index, utilization.gpu [%]\n2025/01/02 10:00:00.000, 0, 101\n2025/01/02 10:00:01.000, 0, 99\n');
    const m = await summarizeQueryGpuLogs([file]);
    expect(m.gpus[0]?.samples).toBe(1);
    expect(m.rejected.examples[0]?.reason).toMatch(/101 is outside the physical range/);
  });
});

describe('honest figures', () => {
  it('does not integrate energy across a requeue gap, and names the gap in a warning', async () => {
    // 1 s sampling, then the job is requeued and appends a second segment an hour later.
    const first = [0, 1, 2, 3, 4].map((s) => row(s));
    const second = [0, 1, 2].map((s) => row(s).replace('10:00:', '11:00:'));
    const m = await summarizeQueryGpuLogs([write([HEADER, ...first, ...second].join('\n') + '\n')]);
    // 100 W over 4 s + 2 s of sampled time; never over the hour between.
    expect(m.gpus[0]?.energyJ).toBeCloseTo(600, 9);
    expect(m.warnings.join('\n')).toMatch(/sampling gap of 3596\.0 s from 2025-01-02T10:00:04\.000 to 2025-01-02T11:00:00\.000.*typical interval 1\.000 s/);
  });

  it('finds the same gap when the log is parsed in byte ranges (a gap inside a range or at a border)', async () => {
    const lines = [HEADER, ...[0, 1, 2, 3, 4].map((s) => row(s)), ...[0, 1, 2, 3].map((s) => row(s).replace('10:00:', '11:00:'))];
    const file = write(lines.join('\n') + '\n');
    const sequential = await summarizeQueryGpuLogs([file], { parallel: false });
    const starts: number[] = [];
    let offset = 0;
    for (const line of lines) starts.push((offset += Buffer.byteLength(line) + 1));
    // Cut before the first row after the gap (border), and elsewhere (gap inside a range).
    // (A range learns the typical interval from its own first 3 intervals, or from the ranges before it.)
    for (const cuts of [[starts[5] as number], [starts[0] as number, starts[7] as number]]) {
      const bounds = [0, ...cuts, offset];
      const header = await sniffHeader(file);
      const results = [];
      for (let i = 0; i + 1 < bounds.length; i++) {
        results.push(await parseQueryGpuRange({ file, start: bounds[i] as number, end: bounds[i + 1] as number, range: { header, first: i === 0 }, fields: undefined }));
      }
      const acc = new GpuLogAccumulator();
      mergeQueryRanges(file, results, acc);
      const merged = acc.toMetrics('query-gpu');
      expect(merged.gpus[0]?.energyJ, `cuts ${cuts.join(',')}`).toBeCloseTo(sequential.gpus[0]?.energyJ as number, 9);
      expect(merged.warnings.filter((w) => /gap/.test(w)).length, `cuts ${cuts.join(',')}`).toBe(1);
    }
    expect(sequential.gpus[0]?.energyJ).toBeCloseTo(700, 9);
  });

  it('keeps short hiccups (a few intervals, under 10 s) in the series', async () => {
    const m = await summarizeQueryGpuLogs([write([HEADER, ...[0, 1, 2, 3, 8, 9].map((s) => row(s))].join('\n') + '\n')]);
    expect(m.gpus[0]?.energyJ).toBeCloseTo(900, 9);
    expect(m.warnings).toEqual([]);
  });

  it('warns when a metric is missing on almost every row', async () => {
    const rows = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((s) => row(s, 50, 1000, s === 0 ? '100.00 W' : '[N/A]'));
    const m = await summarizeQueryGpuLogs([write([HEADER, ...rows].join('\n') + '\n')]);
    expect(m.warnings.join('\n')).toMatch(/power\.draw is missing \(N\/A\) on 9 of 10 rows/);
  });
});

describe('GPUs without a usable id', () => {
  it('refuses rows that share a millisecond timestamp with no id column, with a hint', async () => {
    const file = write('timestamp, utilization.gpu [%]\n2025/01/02 10:00:00.000, 1 %\n2025/01/02 10:00:00.000, 2 %\n2025/01/02 10:00:01.000, 1 %\n');
    const error = await failure(summarizeQueryGpuLogs([file]));
    expect(error.message).toMatch(/share a timestamp.*several GPUs were logged without an id/);
    expect(error.hint).toMatch(/add index or uuid/);
  });

  it('reads whole-second timestamps that repeat as fast sampling of one GPU, with a warning', async () => {
    const file = write('timestamp,utilization.gpu\n1764189075,1\n1764189075,3\n1764189076,5\n');
    const m = await summarizeQueryGpuLogs([file]);
    expect(m.gpus).toHaveLength(1);
    expect(m.gpus[0]?.utilization?.mean).toBe(3);
    expect(m.warnings.join('\n')).toMatch(/share a whole-second timestamp/);
  });
});

describe('the nvidia-smi table in a log', () => {
  it('skips table lines among the CSV rows with a counted reason', async () => {
    const table = ['Thu Jan  2 10:00:00 2025', '+------+', '| NVIDIA-SMI 550.54 |', '+------+'];
    const m = await summarizeQueryGpuLogs([write([...table, HEADER, row(0), ...table, row(1)].join('\n') + '\n')]);
    expect(m.gpus[0]?.samples).toBe(2);
    expect(m.rejected.count).toBe(8);
  });

  it('reads a headerless `date +%s` log that nothing else recognises once its fields are given', async () => {
    // The real gpu24g capture without its header line, as `--format=csv,noheader,nounits` writes it.
    const real = readFileSync(join(__dirname, '../../../fixtures/real/nvidia-smi-query/gpu24g-selfheader-epoch-nounits-60s.csv'), 'utf8');
    const file = write(real.slice(real.indexOf('\n') + 1), 'gpu.log');
    await expect(profileFiles([file])).rejects.toThrow(/unrecognised log/);
    const doc = await profileFiles([file], { gpuFields: ['timestamp', 'memory.used', 'memory.total', 'utilization.gpu'] });
    const g = doc.tasks[0]?.gpu?.gpus[0];
    expect(g?.samples).toBe(90);
    expect(g?.utilization?.mean).toBeCloseTo(57.67777777777778, 12);
    expect(g?.memoryUsedMiB?.max).toBe(10904);
  });

  it('reads a headerless log with the field list given', async () => {
    const file = write('0, GPU-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee, 55, 1200, N/A\n', 'noheader.csv');
    const doc = await profileFiles([file], { gpuFields: ['index', 'uuid', 'utilization.gpu', 'memory.used', 'fan.speed'] });
    expect(doc.tasks[0]?.gpu?.gpus[0]).toMatchObject({ uuid: 'GPU-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee', samples: 1 });
  });
});
