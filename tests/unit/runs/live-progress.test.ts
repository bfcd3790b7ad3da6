import { describe, expect, it } from 'vitest';
import { GpuTracker } from '../../../src/runs/live-gpu.js';
import { ProgressTracker } from '../../../src/runs/live-progress.js';

/** A tracker fed one hpcbench JSONL step record per observation: [atMs, step] pairs. */
function observeSteps(windowMs: number, points: readonly (readonly [number, number])[], maxSteps?: number, elapsedS?: number) {
  const p = new ProgressTracker(windowMs);
  let last: ReturnType<ProgressTracker['observe']>;
  for (const [atMs, step] of points) {
    p.addTrainingLine(JSON.stringify({ step, loss: 1, ...(maxSteps === undefined ? {} : { max_steps: maxSteps }) }));
    last = p.observe(atMs, elapsedS);
  }
  return last;
}

describe('rate', () => {
  const points = [[0, 0], [60_000, 30], [120_000, 90], [180_000, 150]] as const;

  it('takes the slope from the oldest observation inside the window to the newest', () => {
    // Window 2 min: from t=60 s (30) to t=180 s (150): 120 steps in 120 s.
    expect(observeSteps(120_000, points)).toMatchObject({ ratePerS: 1, rateSource: 'window' });
    // Whole history: 150 steps in 180 s.
    expect(observeSteps(600_000, points)?.ratePerS).toBeCloseTo(150 / 180, 12);
  });

  it('falls back to done / elapsed with one observation or no progress in the window, and has no rate before any progress', () => {
    expect(observeSteps(600_000, [[5, 40]], undefined, 80)).toMatchObject({ done: 40, ratePerS: 0.5, rateSource: 'since-start' });
    expect(observeSteps(600_000, [[0, 40], [10_000, 40]], undefined, 80)).toMatchObject({ ratePerS: 0.5, rateSource: 'since-start' });
    const none = observeSteps(600_000, [[5, 0]], 400, 80);
    expect(none).toMatchObject({ done: 0, total: 400 });
    expect(none?.ratePerS).toBeUndefined();
  });
});

describe('ETA', () => {
  it('is what is left over the rate, 0 when done, undefined without a total or rate', () => {
    // 100 steps in 50 s: 2 steps/s, 300 left.
    expect(observeSteps(600_000, [[0, 100]], 400, 50)).toMatchObject({ ratePerS: 2, etaS: 150 });
    expect(observeSteps(600_000, [[0, 400]], 400, 200)).toMatchObject({ ratePerS: 2, etaS: 0, fraction: 1 });
    expect(observeSteps(600_000, [[0, 450]], 400, 225)).toMatchObject({ etaS: 0, fraction: 1 });
    const noTotal = observeSteps(600_000, [[0, 100]], undefined, 50);
    expect(noTotal).toMatchObject({ ratePerS: 2 });
    expect(noTotal?.etaS).toBeUndefined();
    expect(observeSteps(600_000, [[0, 0]], 400, 50)?.etaS).toBeUndefined();
  });
});

describe('ProgressTracker', () => {
  it('reads step and max_steps from hpcbench JSONL, and the ETA from two observations', () => {
    const p = new ProgressTracker();
    p.addTrainingLine('{"step": 10, "loss": 2.0, "max_steps": 200}');
    expect(p.observe(0, 20)).toMatchObject({ unit: 'steps', done: 10, total: 200, fraction: 0.05, totalFrom: 'log', ratePerS: 0.5, rateSource: 'since-start', etaS: 380 });
    p.addTrainingLine('{"step": 30, "loss": 1.9}');
    // 20 steps in 10 s → 2 steps/s; 170 left → 85 s.
    expect(p.observe(10_000, 30)).toMatchObject({ done: 30, ratePerS: 2, rateSource: 'window', etaS: 85 });
  });

  it('reads Trainer stdout: the banner total, the training bar and loss dicts', () => {
    const p = new ProgressTracker();
    p.addStdoutLine('***** Running training *****');
    p.addStdoutLine('  Num Epochs = 3');
    p.addStdoutLine('  Total optimization steps = 411');
    p.addStdoutLine(' 12%|█▏        | 50/411 [00:10<01:12,  4.98it/s]');
    p.addStdoutLine("{'loss': 2.345, 'grad_norm': 1.2, 'learning_rate': 4.5e-05, 'epoch': 0.36}");
    expect(p.observe(0)).toMatchObject({ unit: 'steps', done: 50, total: 411, totalFrom: 'trainer' });
  });

  it('takes the total from the training bar when there is no banner, and a dict with a step', () => {
    const p = new ProgressTracker();
    p.addTrainingLine("  5%|▌         | 10/200 [00:05<01:35,  2.00it/s]");
    p.addTrainingLine("{'loss': 1.0, 'learning_rate': 5e-05, 'epoch': 0.05, 'step': 12}");
    expect(p.observe(0)).toMatchObject({ done: 12, total: 200 });
  });

  it('counts inference items (batch size, warm-up left out) against the header total', () => {
    const p = new ProgressTracker();
    p.addInferenceLine('{"schema": "hpcbench.inference/1", "params": {"num_prompts": 64}}');
    p.addInferenceLine('{"latency_s": 0.5, "batch_size": 4, "warmup": true}');
    p.addInferenceLine('{"latency_s": 0.5, "batch_size": 4}');
    p.addInferenceLine('{"latency_s": 0.5, "batch_size": 4}');
    expect(p.observe(0, 8)).toMatchObject({ unit: 'items', done: 8, total: 64, fraction: 0.125, totalFrom: 'header', ratePerS: 1, etaS: 56 });
  });

  it('takes the total from the experiment config when the log names none, and says so', () => {
    const p = new ProgressTracker();
    p.addTrainingLine('{"step": 25, "loss": 2.0}');
    expect(p.observe(0, 50, { steps: 100 })).toMatchObject({ done: 25, total: 100, fraction: 0.25, totalFrom: 'config', etaS: 150 });
    const q = new ProgressTracker();
    q.addTrainingLine('{"step": 25, "loss": 2.0, "max_steps": 50}');
    expect(q.observe(0, 50, { steps: 100 })).toMatchObject({ total: 50, totalFrom: 'log' });
  });

  it('has nothing to say before the first record', () => {
    const p = new ProgressTracker();
    p.addStdoutLine('loading model…');
    expect(p.observe(0, 10)).toBeUndefined();
  });
});

describe('GpuTracker', () => {
  const fields = ['timestamp', 'index', 'utilization.gpu', 'memory.used', 'memory.total'];

  it('keeps the latest row per GPU and sums memory', () => {
    const g = new GpuTracker(fields);
    g.addLine('2026/12/01 10:00:00.000, 0, 10, 1000, 80000', 0);
    g.addLine('2026/12/01 10:00:00.000, 1, 30, 3000, 80000', 0);
    g.addLine('2026/12/01 10:00:01.000, 0, 50, 2000, 80000', 0);
    expect(g.summary()).toMatchObject({ utilizationPct: 40, memoryUsedMiB: 5000, memoryTotalMiB: 160000, idleSeconds: 0 });
  });

  it('measures idle time on the sidecar clock, only while every GPU is idle', () => {
    const g = new GpuTracker(fields);
    g.addLine('2026/12/01 10:00:00.000, 0, 0, 1000, 80000', 0);
    g.addLine('2026/12/01 10:00:00.000, 1, 20, 1000, 80000', 0);
    expect(g.summary()?.idleSeconds).toBe(0);
    g.addLine('2026/12/01 10:05:00.000, 0, 0, 1000, 80000', 0);
    g.addLine('2026/12/01 10:05:00.000, 1, 0, 1000, 80000', 0);
    g.addLine('2026/12/01 10:15:00.000, 0, 0, 1000, 80000', 0);
    g.addLine('2026/12/01 10:15:00.000, 1, 0, 1000, 80000', 0);
    // GPU 0 idle since 10:00, GPU 1 since 10:05: all idle for 10 min.
    expect(g.summary()?.idleSeconds).toBe(600);
  });

  it('follows a header line and skips [N/A] cells and rows of another width', () => {
    const g = new GpuTracker([]);
    g.addLine('index, utilization.gpu [%], memory.used [MiB], memory.total [MiB]', 0);
    g.addLine('0, [N/A], 512, 1024', 0);
    g.addLine('garbage', 0);
    expect(g.summary()).toMatchObject({ memoryUsedMiB: 512, memoryTotalMiB: 1024 });
    expect(g.summary()?.utilizationPct).toBeUndefined();
  });
});
