// LiveWatcher over real files through LocalTransport (the same remote script a cluster runs).
import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatTaskLine, watchEventJson } from '../../../src/runs/live-format.js';
import { formatHoursMinutes, LiveWatcher, type LiveCounters, type LiveTask } from '../../../src/runs/live-watch.js';
import type { ExecOptions, ExecResult } from '../../../src/transport/transport.js';
import { LocalTransport } from '../../../src/transport/local.js';

const FIELDS = ['timestamp', 'index', 'utilization.gpu', 'memory.used', 'memory.total'];

function makeTask(name: string, overrides: Partial<LiveTask> = {}): LiveTask {
  const outDir = join(mkdtempSync(join(tmpdir(), 'hpcbench-livew-')), 'out', name, 'main');
  mkdirSync(outDir, { recursive: true });
  return { experiment: name, task: 'main', jobId: '100', checkpointing: false, outDir, trainingLog: join(outDir, 'train.jsonl'), gpuFields: FIELDS, ...overrides };
}

describe('LiveWatcher', () => {
  it('reads every task in one command per cycle and warns of a coming TIMEOUT once', async () => {
    const counters: LiveCounters = { commands: 0, bytesIn: 0, bytesOut: 0 };
    const watcher = new LiveWatcher({ transport: new LocalTransport(), thresholds: { sstat: false }, counters });
    const slow = makeTask('slow', { elapsedS: 60, timeLimitS: 120 });
    const fast = makeTask('fast', { elapsedS: 60, timeLimitS: 3600 });
    writeFileSync(join(slow.outDir, 'metadata.json'), JSON.stringify({ slurm: { SLURM_MEM_PER_NODE: '2048' } }));
    writeFileSync(slow.trainingLog as string, '{"step": 10, "loss": 1.0, "max_steps": 100}\n');
    writeFileSync(fast.trainingLog as string, '{"step": 50, "loss": 1.0, "max_steps": 100}\n');
    const first = await watcher.poll([slow, fast], 0);
    expect(counters.commands).toBe(1);
    // One observation: no windowed rate yet, so no warning from done / elapsed alone.
    expect(first.warnings).toEqual([]);
    appendFileSync(slow.trainingLog as string, '{"step": 20, "loss": 0.9}\n');
    appendFileSync(fast.trainingLog as string, '{"step": 70, "loss": 0.9}\n');
    slow.elapsedS = 70;
    fast.elapsedS = 70;
    const second = await watcher.poll([slow, fast], 10_000);
    expect(counters.commands).toBe(2);
    const s = second.tasks.find((t) => t.experiment === 'slow');
    // 10 steps in 10 s; 80 left → 80 s; ends at 70 + 80 = 150 s > 120 s.
    expect(s?.progress).toMatchObject({ done: 20, total: 100, ratePerS: 1, etaS: 80, rateSource: 'window' });
    expect(s?.projectedElapsedS).toBe(150);
    expect(s?.memory).toEqual({ limitMiB: 2048 });
    expect(second.warnings.map((w) => [w.experiment, w.code])).toEqual([['slow', 'timeout-risk']]);
    expect(second.warnings[0]?.message).toContain('(ETA 0:03 > limit 0:02): checkpointing is off');
    appendFileSync(slow.trainingLog as string, '{"step": 30, "loss": 0.8}\n');
    const third = await watcher.poll([slow, fast], 20_000);
    expect(third.warnings).toEqual([]);
  });

  it('warns once of GPUs idle past the threshold, again only after they were busy', async () => {
    const watcher = new LiveWatcher({ transport: new LocalTransport(), thresholds: { sstat: false, gpuIdleMinutes: 5 } });
    const task = makeTask('idle');
    const csv = join(task.outDir, 'nvidia-smi.csv');
    writeFileSync(csv, '2026/12/01 10:00:00.000, 0, 0, 100, 1000\n2026/12/01 10:06:00.000, 0, 0, 100, 1000\n');
    const first = await watcher.poll([task], 0);
    expect(first.warnings.map((w) => w.code)).toEqual(['gpu-idle']);
    appendFileSync(csv, '2026/12/01 10:07:00.000, 0, 0, 100, 1000\n');
    expect((await watcher.poll([task], 1000)).warnings).toEqual([]);
    appendFileSync(csv, '2026/12/01 10:08:00.000, 0, 90, 950, 1000\n');
    const busy = await watcher.poll([task], 2000);
    // Busy again, and 95 % of GPU memory: that warning, not the idle one.
    expect(busy.warnings.map((w) => w.code)).toEqual(['gpu-memory-high']);
    expect(busy.tasks[0]?.gpu).toMatchObject({ utilizationPct: 90, idleSeconds: 0 });
    appendFileSync(csv, '2026/12/01 10:09:00.000, 0, 0, 100, 1000\n2026/12/01 10:15:00.000, 0, 0, 100, 1000\n');
    expect((await watcher.poll([task], 3000)).warnings.map((w) => w.code)).toEqual(['gpu-idle']);
  });
});

describe('helpers', () => {
  it('formats H:MM, a task line and JSON events', () => {
    expect(formatHoursMinutes(3 * 3600 + 10 * 60)).toBe('3:10');
    expect(formatHoursMinutes(59)).toBe('0:01');
    const status = { experiment: 'lora', task: 'main', jobId: '7', elapsedS: 60, timeLimitS: 7200, progress: { unit: 'steps' as const, done: 180, total: 400, fraction: 0.45, ratePerS: 2, etaS: 110 }, projectedElapsedS: 170 };
    expect(formatTaskLine(status)).toBe('lora/main 45% (180/400 steps) 2/s ETA 2 min (ends at 3 min of 2:00)');
    const json = watchEventJson({ kind: 'task', ...status }, new Date(0));
    expect(json).toMatchObject({ event: 'task', at: '1970-01-01T00:00:00.000Z', job_id: '7', progress: { done: 180, total: 400, eta_s: 110 }, projected_elapsed_s: 170, gpu: null });
  });
});

/** The real remote script, with `sstat` answering these rows (as `sstat -P` prints JobID|MaxRSS) instead of a cluster. */
class SstatRowsTransport extends LocalTransport {
  constructor(private readonly rows: readonly string[]) {
    super();
  }

  override execShell(script: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const stub = `sstat() { printf '%s\\n' ${this.rows.map((r) => `'${r}'`).join(' ')}; }`;
    return super.execShell(`${stub}\n${script}`, opts);
  }
}

describe('memory', () => {
  it('reads the memory limit from the SLURM variables of metadata.json, and does without it when they are not there', async () => {
    const limits: Record<string, string> = {
      node: '{"slurm": {"SLURM_MEM_PER_NODE": "4096"}}',
      cpu: '{"slurm": {"SLURM_MEM_PER_CPU": "512", "SLURM_CPUS_ON_NODE": "4"}}',
      none: '{"slurm": {}}',
      broken: '{"slurm": {"SLURM_MEM_PER_NODE": 4096,}}',
      mistyped: '{"slurm": {"SLURM_MEM_PER_NODE": [4096]}}',
    };
    const tasks = Object.entries(limits).map(([name, text]) => {
      const task = makeTask(name);
      writeFileSync(join(task.outDir, 'metadata.json'), text);
      return task;
    });
    const cycle = await new LiveWatcher({ transport: new LocalTransport(), thresholds: { sstat: false } }).poll(tasks, 0);
    expect(Object.fromEntries(cycle.tasks.map((t) => [t.experiment, t.memory]))).toEqual({
      node: { limitMiB: 4096 },
      cpu: { limitMiB: 2048 },
      none: undefined,
      broken: undefined,
      mistyped: undefined,
    });
  });

  it('takes the largest step of the sstat rows per job, in MiB, in the same command', async () => {
    const transport = new SstatRowsTransport(['100.batch|2048K', '100.0|3M', '101_2.batch|1G', '102.batch|4096', 'bad', '103.batch|lots']);
    const counters: LiveCounters = { commands: 0, bytesIn: 0, bytesOut: 0 };
    const plain = makeTask('plain', { jobId: '100' });
    const array = makeTask('array', { jobId: '101_2' });
    writeFileSync(join(array.outDir, 'metadata.json'), '{"slurm": {"SLURM_MEM_PER_NODE": "2048"}}');
    const noUnit = makeTask('no-unit', { jobId: '102' });
    const unreadable = makeTask('unreadable', { jobId: '103' });
    const cycle = await new LiveWatcher({ transport, counters }).poll([plain, array, noUnit, unreadable], 0);
    expect(counters.commands).toBe(1);
    expect(Object.fromEntries(cycle.tasks.map((t) => [t.experiment, t.memory]))).toEqual({
      plain: { usedMiB: 3 },
      array: { usedMiB: 1024, limitMiB: 2048, fraction: 0.5 },
      'no-unit': { usedMiB: 4 },
      unreadable: undefined,
    });
  });
});
