import { describe, expect, it } from 'vitest';
import type { PilotRate } from '../../../src/estimate/pilot-rate.js';
import { projectPhase, type PhaseLimits, type PhaseResources } from '../../../src/estimate/project-phase.js';

/** 2 steps/s (0.5 s/step, interval 0.45–0.55) after 30 s of startup. */
function pilot(overrides: Partial<PilotRate> = {}): PilotRate {
  return {
    kind: 'training',
    unit: 'steps',
    secondsPerUnit: 0.5,
    secondsPerUnitLow: 0.45,
    secondsPerUnitHigh: 0.55,
    intervalMethod: 'window-spread',
    windows: 10,
    workDone: 100,
    elapsedS: 80,
    overheadS: 30,
    overheadKnown: true,
    gpuMemoryPeakMiB: null,
    experiment: 'train',
    task: 'main',
    jobId: '7',
    ...overrides,
  };
}

const shared: PhaseResources = { nodes: 1, billedGpusPerNode: 1, billedCpusPerNode: 4, wholeNode: false };
const hour: PhaseLimits = { limitS: 3600, marginPct: 20, checkpoint: { enabled: true, secondsBefore: 60, maxRestarts: 10 } };
const rates = { suPerGpuHour: 100, suPerCpuHour: 1, currencyPerSu: 0.5, currency: 'BRL' };

describe('projectPhase', () => {
  it('1000 steps at 2 steps/s take 500 s plus the 30 s overhead; --time is the upper end + 20 %, in whole minutes', () => {
    const p = projectPhase(pilot(), { amount: 1000, unit: 'steps', from: '--work' }, shared, hour, rates);
    expect(p.computeS).toEqual({ estimate: 500, low: 450, high: 550 });
    // The overhead comes from sacct's whole seconds: ± 1 s on the interval.
    expect(p.wallS).toEqual({ estimate: 530, low: 479, high: 581 });
    // 581 × 1.2 = 697.2 s, rounded up to 12 minutes.
    expect(p.askTimeS).toBe(720);
    expect(p.fits).toBe(true);
    expect(p.chain).toBeNull();
    // min(30 min, 500 s / 10) = 50 s = 100 steps at 0.5 s/step.
    expect(p.checkpointEveryS).toBe(50);
    expect(p.checkpointEveryUnits).toBe(100);
  });

  it('bills GPU-hours and CPU-hours of the wall time, service units and cost from the rates', () => {
    const p = projectPhase(pilot(), { amount: 1000, unit: 'steps', from: '--work' }, shared, hour, rates);
    expect(p.charge.gpuHours.estimate).toBeCloseTo(530 / 3600, 10);
    expect(p.charge.cpuHours.estimate).toBeCloseTo((4 * 530) / 3600, 10);
    // 100 SU per GPU-hour + 1 per CPU-hour: 14.7222 + 0.5889 SU; 0.5 BRL per SU.
    expect(p.charge.serviceUnits?.estimate).toBeCloseTo(15.31111, 4);
    expect(p.charge.cost?.estimate).toBeCloseTo(7.65556, 4);
    expect(p.charge.cost?.high).toBeCloseTo(((581 / 3600) * 100 + ((4 * 581) / 3600) * 1) * 0.5, 10);
    expect(p.charge.currency).toBe('BRL');
  });

  it('bills the whole node on a whole-node partition', () => {
    const node: PhaseResources = { nodes: 1, billedGpusPerNode: 4, billedCpusPerNode: 48, wholeNode: true };
    const p = projectPhase(pilot(), { amount: 1000, unit: 'steps', from: '--work' }, node, hour, { costPerGpuHour: 10 });
    expect(p.charge.gpuHours.estimate).toBeCloseTo((4 * 530) / 3600, 10);
    expect(p.charge.cost?.estimate).toBeCloseTo(((4 * 530) / 3600) * 10, 10);
    expect(p.charge.serviceUnits).toBeNull();
  });

  it('over the partition limit: jobs of the limit chained by checkpoint and requeue, each paying the overhead and the signal time', () => {
    const tenMinutes: PhaseLimits = { ...hour, limitS: 600 };
    const p = projectPhase(pilot(), { amount: 10_000, unit: 'steps', from: '--work' }, shared, tenMinutes, {});
    expect(p.fits).toBe(false);
    expect(p.askTimeS).toBe(600);
    // Each job: 600 − 30 overhead − 60 before the limit = 510 s of compute; 5500 s / 510 s → 11 jobs.
    expect(p.chain).toEqual({ jobs: 11, restarts: 10, computePerJobS: 510, exceedsMaxRestarts: false });
    // 10 more overheads and 10 signal windows: 5030 + 300 + 600.
    expect(p.wallS.estimate).toBe(5930);
  });

  it('flags a chain that needs more restarts than allowed, or checkpointing that is off', () => {
    const few = projectPhase(pilot(), { amount: 10_000, unit: 'steps', from: '--work' }, shared, { ...hour, limitS: 600, checkpoint: { enabled: true, secondsBefore: 60, maxRestarts: 3 } }, {});
    expect(few.chain?.exceedsMaxRestarts).toBe(true);
    const off = projectPhase(pilot(), { amount: 10_000, unit: 'steps', from: '--work' }, shared, { ...hour, limitS: 600, checkpoint: { enabled: false, secondsBefore: 60, maxRestarts: 10 } }, {});
    // No signal time is kept back without checkpointing: 600 − 30 = 570 s per job, 5500 / 570 → 10 jobs.
    expect(off.chain).toEqual({ jobs: 10, restarts: 9, computePerJobS: 570, exceedsMaxRestarts: true });
  });

  it('says a chain cannot progress when the limit is not longer than overhead plus signal time', () => {
    const p = projectPhase(pilot(), { amount: 10_000, unit: 'steps', from: '--work' }, shared, { ...hour, limitS: 60 }, {});
    expect(p.chain).toBeNull();
    expect(p.chainImpossible).toBe(true);
  });

  it('without a partition limit, --time is not checked', () => {
    const p = projectPhase(pilot(), { amount: 1000, unit: 'steps', from: '--work' }, shared, { ...hour, limitS: undefined }, {});
    expect(p.limitS).toBeNull();
    expect(p.fits).toBe(true);
  });

  it('without sacct the interval is that of the rate alone', () => {
    const p = projectPhase(pilot({ overheadS: 0, overheadKnown: false, elapsedS: null }), { amount: 1000, unit: 'steps', from: '--work' }, shared, hour, {});
    expect(p.wallS).toEqual({ estimate: 500, low: 450, high: 550 });
  });

  it('an elapsed-only pilot gives the time of the same job again', () => {
    const p = projectPhase(pilot({ kind: 'elapsed', unit: null, secondsPerUnit: null, secondsPerUnitLow: null, secondsPerUnitHigh: null, elapsedS: 300, overheadS: 0, overheadKnown: false }), null, shared, hour, {});
    expect(p.wallS).toEqual({ estimate: 300, low: 300, high: 300 });
    expect(p.askTimeS).toBe(360);
    expect(p.checkpointEveryUnits).toBeNull();
  });

  it('caps the checkpoint interval at 30 minutes', () => {
    const p = projectPhase(pilot(), { amount: 1_000_000, unit: 'steps', from: '--work' }, shared, { ...hour, limitS: undefined }, {});
    expect(p.checkpointEveryS).toBe(1800);
    expect(p.checkpointEveryUnits).toBe(3600);
  });
});
