import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  descendantsFromTable,
  listDescendantsFromProc,
  listDescendantsFromPs,
  sampleProcessTree,
  summarizeProcessSamples,
  writeProcessSamples,
  type ProcessSamplesDocument,
  type ProcessUsage,
} from '../../../src/profile/process-sampler.js';

describe('descendantsFromTable', () => {
  it('walks a ps table from the root down, ignoring other trees', () => {
    const table = '  1     0\n 10     1\n 11    10\n 12    11\n 20     1\n 13    10\n garbage\n';
    expect(descendantsFromTable(10, table).sort()).toEqual([11, 12, 13]);
    expect(descendantsFromTable(99, table)).toEqual([]);
  });
});

describe('sampleProcessTree with injected dependencies', () => {
  it('sums the tree per tick, keeps peak RSS, skips a child that vanished, stops when the root exits', async () => {
    let clock = 1000;
    let tick = 0;
    const usage: Record<number, ProcessUsage[]> = {
      1: [
        { cpu: 50, memory: 100 },
        { cpu: 100, memory: 300 },
        { cpu: 10, memory: 50 },
      ],
      2: [
        { cpu: 25, memory: 1000 },
        { cpu: 75, memory: 2000 },
      ],
    };
    const samples = await sampleProcessTree({
      rootPid: 1,
      intervalMs: 500,
      now: () => clock,
      sleep: async (ms) => {
        clock += ms;
        tick++;
      },
      listDescendants: async () => (tick < 3 ? [2] : []),
      measure: async (pid) => {
        const value = usage[pid]?.[tick];
        if (value === undefined) throw new Error('No matching pid found');
        return value;
      },
    });
    expect(samples.stoppedBy).toBe('root-exited');
    expect(Array.from(samples.timeMs)).toEqual([1000, 1500, 2000]);
    expect(Array.from(samples.cpuPercent)).toEqual([75, 175, 10]);
    expect(Array.from(samples.rssBytes)).toEqual([1100, 2300, 50]);
    expect(Array.from(samples.processCount)).toEqual([2, 2, 1]);
    expect(samples.peakRssBytes).toBe(2300);
    expect(samples.pidsSeen).toEqual([1, 2]);
    const summary = summarizeProcessSamples(samples);
    expect(summary).toMatchObject({ samples: 3, durationMs: 1000, maxCpuPercent: 175, peakRssBytes: 2300, processesSeen: 2 });
    expect(summary.meanCpuPercent).toBeCloseTo(260 / 3, 12);
  });

  it('stops at once on an aborted signal and after maxSamples', async () => {
    const controller = new AbortController();
    controller.abort();
    const none = await sampleProcessTree({ rootPid: 1, signal: controller.signal, measure: async () => ({ cpu: 0, memory: 0 }) });
    expect(none.stoppedBy).toBe('abort');
    expect(none.timeMs.length).toBe(0);
    const many = await sampleProcessTree({
      rootPid: 1,
      maxSamples: 200,
      sleep: async () => undefined,
      listDescendants: async () => [],
      measure: async () => ({ cpu: 1, memory: 5 }),
    });
    expect(many.stoppedBy).toBe('max-samples');
    expect(many.rssBytes.length).toBe(200);
    expect(summarizeProcessSamples(many).cpuPercent.mean).toBe(1);
  });
});

describe('sampleProcessTree on real processes', () => {
  it('sees a grandchild process and a peak RSS above what the child allocated', async () => {
    // The child starts its own child that sleeps, allocates ~150 MiB, says so, and keeps the memory
    // touched until the test ends it: the sampler takes its samples whatever the machine's load.
    const script = `
      const { spawn } = require('node:child_process');
      const grandchild = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 120000)'], { stdio: 'ignore' });
      const keep = Buffer.alloc(150 * 1024 * 1024, 1);
      console.log(grandchild.pid);
      process.on('SIGTERM', () => { grandchild.kill(); process.exit(0); });
      let x = 0;
      const touch = () => { for (let i = 0; i < 1e6; i++) x += keep[(x * 4096 + i) % keep.length]; setImmediate(touch); };
      touch();
    `;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const grandchildPid = await new Promise<number>((resolve) => {
        child.stdout.once('data', (data: Buffer) => resolve(Number(data.toString().trim())));
      });
      const samples = await sampleProcessTree({ rootPid: child.pid as number, intervalMs: 100, maxSamples: 5 });
      expect(samples.stoppedBy).toBe('max-samples');
      expect(samples.pidsSeen).toContain(child.pid);
      expect(samples.pidsSeen).toContain(grandchildPid);
      expect(samples.peakRssBytes).toBeGreaterThan(150 * 1024 * 1024);
      expect(summarizeProcessSamples(samples).maxCpuPercent).toBeGreaterThan(0);
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('lists descendants from /proc (Linux) or ps', async () => {
    const list = process.platform === 'linux' ? listDescendantsFromProc : listDescendantsFromPs;
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 3000)'], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => child.once('spawn', resolve));
      expect(await list(process.pid)).toContain(child.pid);
      expect(await listDescendantsFromPs(process.pid)).toContain(child.pid);
    } finally {
      child.kill();
    }
  });
});

describe('writeProcessSamples', () => {
  it('writes the summary at the top level and the series beside it', async () => {
    const samples = await sampleProcessTree({
      rootPid: 1,
      maxSamples: 3,
      now: (() => {
        let t = 0;
        return () => (t += 100);
      })(),
      sleep: async () => undefined,
      listDescendants: async () => [],
      measure: async () => ({ cpu: 20, memory: 2 * 1024 * 1024 }),
    });
    const file = join(mkdtempSync(join(tmpdir(), 'hpcbench-proc-')), 'process.json');
    await writeProcessSamples(file, samples);
    const written = JSON.parse(readFileSync(file, 'utf8')) as ProcessSamplesDocument;
    expect(written).toMatchObject({ samples: 3, peakRssMiB: 2, maxCpuPercent: 20, rootPid: 1, stoppedBy: 'max-samples' });
    expect(written.series.rssBytes).toEqual([2097152, 2097152, 2097152]);
    expect(written.series.timeMs).toHaveLength(3);
  });
});
