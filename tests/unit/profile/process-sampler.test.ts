import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  listDescendants,
  sampleProcessTree,
  writeProcessSamples,
  type ProcessSamples,
  type ProcessSamplesDocument,
  type ProcessUsage,
  type ProcessUsageSummary,
} from '../../../src/profile/process-sampler.js';

const dir = mkdtempSync(join(tmpdir(), 'hpcbench-proc-'));
let written = 0;

/** The summary as process.json carries it (the summary is only ever written, never returned alone). */
async function summarize(samples: ProcessSamples): Promise<ProcessUsageSummary> {
  return writeProcessSamples(join(dir, `process-${written++}.json`), samples);
}

/** Above any pid_max Linux allows (2^22): no process has it. */
const NO_SUCH_PID = 4_194_305;

describe('listDescendants on a real process tree', () => {
  // root ─┬─ child ── grandchild
  //       └─ odd (run as a node link named "x) (y z", so its /proc stat has parentheses and spaces in the name)
  // plus a sleeper started beside root, in a tree of its own.
  const TREE = `
    const { spawn } = require('node:child_process');
    const sleep = ['-e', 'setTimeout(() => {}, 120000)'];
    const child = spawn(process.execPath, ['-e', "const g = require('node:child_process').spawn(process.execPath, ['-e', 'setTimeout(() => {}, 120000)'], { stdio: 'ignore' }); console.log(g.pid); process.on('SIGTERM', () => { g.kill(); process.exit(0); }); setTimeout(() => {}, 120000);"], { stdio: ['ignore', 'pipe', 'inherit'] });
    const odd = spawn(process.argv[1], sleep, { stdio: 'ignore' });
    child.stdout.once('data', (d) => console.log(JSON.stringify([child.pid, Number(String(d).trim()), odd.pid])));
    process.on('SIGTERM', () => { child.kill(); odd.kill(); process.exit(0); });
    setTimeout(() => {}, 120000);
  `;
  let root: ChildProcess;
  let sleeper: ChildProcess;
  let below: number[];

  beforeAll(async () => {
    const oddNode = join(dir, 'x) (y z');
    symlinkSync(process.execPath, oddNode);
    sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 120000)'], { stdio: 'ignore' });
    root = spawn(process.execPath, ['-e', TREE, oddNode], { stdio: ['ignore', 'pipe', 'inherit'] });
    const stdout = root.stdout;
    if (stdout === null) throw new Error('no stdout');
    below = await new Promise<number[]>((resolve) => stdout.once('data', (data: Buffer) => resolve(JSON.parse(data.toString()) as number[])));
  });

  afterAll(() => {
    root.kill('SIGTERM');
    sleeper.kill();
  });

  /** Every process under root, none from the sleeper's tree, and nothing for a pid that does not exist. */
  async function expectTree(list: (pid: number) => Promise<number[]>): Promise<void> {
    expect([...(await list(root.pid as number))].sort((a, b) => a - b)).toEqual([...below].sort((a, b) => a - b));
    expect(await list(process.pid)).toEqual(expect.arrayContaining([root.pid, sleeper.pid, ...below]));
    expect(await list(NO_SUCH_PID)).toEqual([]);
  }

  it('walks it down from the root, ignoring other trees', async () => {
    expect(below).toHaveLength(3);
    await expectTree(listDescendants);
  });

  it('walks it from one `ps` listing where there is no /proc (macOS)', async () => {
    const platform = Object.getOwnPropertyDescriptor(process, 'platform');
    if (platform === undefined) throw new Error('process.platform has no descriptor');
    Object.defineProperty(process, 'platform', { ...platform, value: 'darwin' });
    try {
      await expectTree(listDescendants);
    } finally {
      Object.defineProperty(process, 'platform', platform);
    }
  });

  it.runIf(process.platform === 'linux')('walks it from /proc/<pid>/stat on a kernel without the children file', async () => {
    vi.resetModules();
    vi.doMock('node:fs/promises', async (importOriginal) => {
      const actual = await importOriginal<typeof import('node:fs/promises')>();
      const refuseChildren = (async (file: Parameters<typeof actual.readFile>[0], options?: Parameters<typeof actual.readFile>[1]) => {
        if (typeof file === 'string' && file.endsWith('/children')) throw Object.assign(new Error(`ENOENT: no such file or directory, open '${file}'`), { code: 'ENOENT' });
        return actual.readFile(file, options);
      }) as typeof actual.readFile;
      return { ...actual, readFile: refuseChildren, default: { ...actual, readFile: refuseChildren } };
    });
    try {
      const fresh = await import('../../../src/profile/process-sampler.js');
      await expectTree(fresh.listDescendants);
    } finally {
      vi.doUnmock('node:fs/promises');
      vi.resetModules();
    }
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
    const summary = await summarize(samples);
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
    expect((await summarize(many)).cpuPercent.mean).toBe(1);
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
      expect((await summarize(samples)).maxCpuPercent).toBeGreaterThan(0);
    } finally {
      child.kill('SIGTERM');
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
    const file = join(dir, 'process.json');
    await writeProcessSamples(file, samples);
    const written = JSON.parse(readFileSync(file, 'utf8')) as ProcessSamplesDocument;
    expect(written).toMatchObject({ samples: 3, peakRssMiB: 2, maxCpuPercent: 20, rootPid: 1, stoppedBy: 'max-samples' });
    expect(written.series.rssBytes).toEqual([2097152, 2097152, 2097152]);
    expect(written.series.timeMs).toHaveLength(3);
  });
});
