// One meaning per key: `mean` is the sample mean and `timeWeightedMean` the trapezoidal time-weighted
// mean, per GPU and pooled in `overall`; `busyFraction` counts samples above the busy threshold.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { summarizeNvidiaSmiLogs } from '../../../../src/profile/gpu/nvidia-smi.js';
import type { GpuMetrics } from '../../../../src/profile/gpu/metrics.js';

const HEADER = 'timestamp, index, utilization.gpu [%]';

/**
 * GPU 0: 0 % at 0 s, 10 % at 1 s, 50 % at 3 s; GPU 1: 100 % at 0 s, 40 % at 1 s.
 * GPU 0: mean (0+10+50)/3 = 20; ∫ = (0+10)/2·1 + (10+50)/2·2 = 65 over 3 s → 65/3.
 * GPU 1: mean 70; ∫ = (100+40)/2·1 = 70 over 1 s → 70.
 * Pooled: mean (0+10+50+100+40)/5 = 40; time-weighted (65+70)/(3+1) = 135/4 = 33.75
 * (the old overall `mean`, a mean of per-GPU time-weighted means, gave (65/3+70)/2 = 45.83).
 */
const TINY = [
  HEADER,
  '2024/05/14 10:00:00.000, 0, 0 %',
  '2024/05/14 10:00:00.000, 1, 100 %',
  '2024/05/14 10:00:01.000, 0, 10 %',
  '2024/05/14 10:00:01.000, 1, 40 %',
  '2024/05/14 10:00:03.000, 0, 50 %',
].join('\n');

function write(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'hpcb-gpumean-')), 'nvidia-smi.csv');
  writeFileSync(file, `${text}\n`);
  return file;
}

async function summarize(text: string, busyThresholdPct?: number): Promise<GpuMetrics> {
  const { gpu } = await summarizeNvidiaSmiLogs([write(text)], busyThresholdPct === undefined ? {} : { busyThresholdPct });
  if (gpu === null) throw new Error('no GPU metrics');
  return gpu;
}

function utilizationOf(m: GpuMetrics, index: string): NonNullable<GpuMetrics['gpus'][number]['utilization']> {
  const util = m.gpus.find((g) => g.index === index)?.utilization;
  if (util == null) throw new Error(`no utilization for GPU ${index}`);
  return util;
}

describe('GPU means: one definition per key (hand-checked sample)', () => {
  it('per GPU: mean is the sample mean, timeWeightedMean the trapezoidal one', async () => {
    const m = await summarize(TINY);
    expect(utilizationOf(m, '0')).toMatchObject({ samples: 3, mean: 20, timeWeightedMean: 65 / 3 });
    expect(utilizationOf(m, '1')).toMatchObject({ samples: 2, mean: 70, timeWeightedMean: 70 });
  });

  it('overall: the same keys pooled over all samples and all GPU-seconds', async () => {
    const m = await summarize(TINY);
    // p95: numpy.percentile([0, 10, 50, 100, 40], 95) = 89.99999999999999 as well.
    expect(m.overall.utilization).toEqual({ samples: 5, mean: 40, timeWeightedMean: 33.75, min: 0, p50: 40, p95: 89.99999999999999, max: 100, busyFraction: 0.8 });
  });

  it('overall timeWeightedMean is null when a GPU has none, rather than weighing it 0', async () => {
    const m = await summarize(`${TINY}\n2024/05/14 10:00:00.000, 2, 90 %`);
    expect(utilizationOf(m, '2').timeWeightedMean).toBeNull();
    expect(m.overall.utilization).toMatchObject({ samples: 6, mean: 290 / 6, timeWeightedMean: null });
  });
});

describe('the busy threshold', () => {
  it('defaults to 0: busy = utilization > 0 %, and is recorded', async () => {
    const m = await summarize(TINY);
    expect(m.busyThresholdPct).toBe(0);
    expect(utilizationOf(m, '0').busyFraction).toBe(2 / 3);
    expect(utilizationOf(m, '1').busyFraction).toBe(1);
    expect(m.overall.utilization?.busyFraction).toBe(4 / 5);
  });

  it('counts samples strictly above the threshold', async () => {
    // Samples 0, 10, 50 (GPU 0) and 100, 40 (GPU 1).
    const at = async (threshold: number): Promise<[number, number, number | undefined]> => {
      const m = await summarize(TINY, threshold);
      expect(m.busyThresholdPct).toBe(threshold);
      return [utilizationOf(m, '0').busyFraction, utilizationOf(m, '1').busyFraction, m.overall.utilization?.busyFraction];
    };
    expect(await at(10)).toEqual([1 / 3, 1, 3 / 5]); // 10 itself is not above 10
    expect(await at(9.5)).toEqual([2 / 3, 1, 4 / 5]);
    expect(await at(50)).toEqual([0, 1 / 2, 1 / 5]);
    expect(await at(100)).toEqual([0, 0, 0]);
  });
});

const REAL = (name: string): string => new URL(`../../../fixtures/real/nvidia-smi-query/${name}`, import.meta.url).pathname;

describe('GPU means on real logs (references: python3 scripts/real-corpus/gpu-time-weighted.py, numpy.trapezoid)', () => {
  it('gpu80g-mem-util-15s-excerpt.csv: 47 samples every 15 s', async () => {
    const { gpu } = await summarizeNvidiaSmiLogs([REAL('gpu80g-mem-util-15s-excerpt.csv')], { busyThresholdPct: 10 });
    const util = gpu?.gpus[0]?.utilization;
    // references.json: utilization_gpu_pct mean 40.723404255319146 (n 47).
    expect(util?.samples).toBe(47);
    expect(util?.mean).toBeCloseTo(40.723404255319146, 10);
    expect(util?.timeWeightedMean).toBeCloseTo(41.1736881385407, 12);
    expect(util?.busyFraction).toBe(35 / 47); // numpy: mean(u > 10) = 0.7446808510638298
    // One GPU: the pooled figures are its own.
    expect(gpu?.overall.utilization?.mean).toBeCloseTo(40.723404255319146, 10);
    expect(gpu?.overall.utilization?.timeWeightedMean).toBeCloseTo(41.1736881385407, 12);
  });

  it('two real logs as two GPUs: pooled over all samples and all GPU-seconds', async () => {
    // A pooling check only (the two files come from different machines): 690 s at 15 s steps
    // and 106 s at 1 s steps, so the pooled time-weighted mean (36.18) is far from both the
    // pooled sample mean (14.98) and the mean of the per-GPU time-weighted means (22.44).
    const { gpu } = await summarizeNvidiaSmiLogs([REAL('gpu80g-mem-util-15s-excerpt.csv'), REAL('v100s-pcie32-header-units-1s.csv')], { busyThresholdPct: 50 });
    expect(gpu?.gpus).toHaveLength(2);
    expect(gpu?.gpus[1]?.utilization?.mean).toBeCloseTo(3.6728971962616823, 10); // references.json
    expect(gpu?.gpus[1]?.utilization?.timeWeightedMean).toBeCloseTo(3.7075283113160413, 12);
    const overall = gpu?.overall.utilization;
    expect(overall?.samples).toBe(154);
    expect(overall?.mean).toBeCloseTo(14.980519480519481, 10);
    expect(overall?.timeWeightedMean).toBeCloseTo(36.18262712236985, 12);
    expect(overall?.busyFraction).toBe(17 / 154); // numpy: 0.11038961038961038
  });
});
