import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { summarizeComputeApps } from '../../../../src/profile/gpu/nvidia-smi-apps.js';
import { summarizeNvidiaSmiLogs } from '../../../../src/profile/gpu/nvidia-smi.js';
import { InputError } from '../../../../src/errors.js';

const fixture = (name: string): string => new URL(`../../../fixtures/nvidia-smi/${name}`, import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'hpcbench-apps-'));
const file = (name: string, content: string): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

describe('--query-compute-apps', () => {
  it('summarises each process per GPU: peak and mean memory, first and last seen', async () => {
    const s = await summarizeComputeApps([fixture('compute-apps.csv')]);
    expect(s.processes).toEqual([
      {
        pid: 183421,
        processName: '/scratch/proj/user/venv/bin/python',
        gpuUuid: 'GPU-5d3c9a8e-1f2b-4c6d-8e9f-0a1b2c3d4e5f',
        gpuBusId: '00000000:07:00.0',
        samples: 2,
        peakUsedMiB: 31200,
        meanUsedMiB: 31056,
        firstSeen: '2024-05-14T10:21:07.500',
        lastSeen: '2024-05-14T10:21:12.500',
      },
      {
        pid: 183422,
        processName: '/scratch/proj/user/venv/bin/python',
        gpuUuid: 'GPU-a81f0c2d-77e4-4b19-9c3a-6f2e1d0b9a87',
        gpuBusId: '00000000:0F:00.0',
        samples: 2,
        peakUsedMiB: 812,
        meanUsedMiB: 812,
        firstSeen: '2024-05-14T10:21:07.500',
        lastSeen: '2024-05-14T10:21:12.500',
      },
    ]);
    expect(s.rejected.count).toBe(0);
  });

  it('accepts a header-only capture (no process ran) and headerless logs with the default fields', async () => {
    expect((await summarizeComputeApps([fixture('compute-apps-empty.csv')])).processes).toEqual([]);
    const noheader = file('apps.csv', '2024/05/14 10:00:00.000, GPU-1, 00000000:07:00.0, 42, python, 100\n');
    expect((await summarizeComputeApps([noheader])).processes[0]).toMatchObject({ pid: 42, peakUsedMiB: 100 });
  });

  it('rejects bad rows and fails on files without a usable row', async () => {
    const bad = file('bad.csv', 'timestamp, pid, used_memory [MiB]\n2024/05/14 10:00:00.000, abc, 1 MiB\n2024/05/14 10:00:00.000, 7, x\n');
    const s = await summarizeComputeApps([bad]);
    expect(s.rejected.examples.map((r) => r.reason)).toEqual([
      'field "pid": expected a process id, found "abc"',
      'field "used_memory": expected MiB or [N/A], found "x"',
    ]);
    const junk = file('junk.csv', 'just, some\n');
    await expect(summarizeComputeApps([junk])).rejects.toThrow(InputError);
    const refused = file('refused.csv', 'Field "pidd" is not a valid field to query.\n');
    await expect(summarizeComputeApps([refused])).rejects.toThrow(/refused\.csv:1: nvidia-smi refused the query: field "pidd"/);
  });
});

describe('format detection and the combined summary', () => {
  it('detects each fixture format', async () => {
    const formatOf = async (path: string): Promise<string | undefined> => (await summarizeNvidiaSmiLogs([path])).formats[path];
    expect(await formatOf(fixture('query-units.csv'))).toBe('query-gpu');
    expect(await formatOf(fixture('query-noheader.csv'))).toBe('query-gpu');
    expect(await formatOf(fixture('dmon.txt'))).toBe('dmon');
    expect(await formatOf(fixture('dmon-dt.txt'))).toBe('dmon');
    expect(await formatOf(fixture('compute-apps.csv'))).toBe('compute-apps');
    await expect(formatOf(file('empty.csv', '\n\n'))).rejects.toThrow(/empty\.csv: the file is empty/);
    await expect(formatOf(file('hash.txt', '# hello\n'))).rejects.toThrow(InputError);
  });

  it('prefers query logs over dmon logs and summarises compute apps alongside', async () => {
    const s = await summarizeNvidiaSmiLogs([fixture('query-units.csv'), fixture('dmon.txt'), fixture('compute-apps.csv')]);
    expect(s.gpu?.format).toBe('query-gpu');
    expect(s.gpu?.gpus).toHaveLength(2);
    expect(s.gpu?.warnings.join()).toMatch(/dmon logs not used/);
    expect(s.computeApps?.processes).toHaveLength(2);
    const dmonOnly = await summarizeNvidiaSmiLogs([fixture('dmon.txt')]);
    expect(dmonOnly.gpu?.format).toBe('dmon');
    expect(dmonOnly.computeApps).toBeNull();
  });
});
