import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../src/config/index.js';
import { parseConfigText } from '../../../src/config/load.js';
import type { RawEstimate } from '../../../src/config/schema.js';
import { estimateExperiment } from '../../../src/estimate/estimate-experiment.js';
import type { PilotRun } from '../../../src/estimate/find-pilots.js';
import { formatEstimateMarkdown, toEstimateJson } from '../../../src/estimate/format-estimate.js';
import { computeAccountingMetrics } from '../../../src/profile/accounting/accounting.js';
import { createTaskMetrics, type MetricsDocument, type TaskMetrics } from '../../../src/profile/metrics-document.js';
import { computeTrainingMetrics } from '../../../src/profile/training/metrics.js';
import type { TrainingStepRecord } from '../../../src/profile/training/records.js';
import { HpcbenchError } from '../../../src/errors.js';

const YAML = `
version: 1
clusters:
  hpc:
    preset: generic
    transport: local
    rates: { su_per_gpu_hour: 100, su_per_cpu_hour: 1, currency_per_su: 0.5, currency: BRL }
    partitions:
      cpu: { kind: cpu, cpus_per_node: 48, max_time: "04:00:00", shared: true }
      gpu: { kind: gpu, gpus_per_node: 4, cpus_per_node: 48, max_time: "01:00:00", whole_node: true }
experiments:
  prep:
    cluster: hpc
    partition: cpu
    command: python prep.py
    resources: { time: "01:00:00", cpus_per_task: 4 }
    estimate: { items: 30000 }
  train:
    cluster: hpc
    partition: gpu
    command: python train.py --lr {lr}
    depends_on: [prep]
    resources: { time: "01:00:00", gpus: 4, cpus_per_task: 8 }
    sweep: { matrix: { lr: [0.001, 0.01] } }
    estimate: { epochs: 2, steps_per_epoch: 1500 }
    checkpoint: { seconds_before: 60 }
`;

function load(yaml = YAML): { config: ReturnType<typeof resolveConfig>; estimates: Record<string, never> } {
  const loaded = parseConfigText(yaml, 'hpcbench.yaml');
  const estimates = Object.fromEntries(Object.entries(loaded.raw.experiments ?? {}).map(([n, e]) => [n, e.estimate])) as Record<string, never>;
  return { config: resolveConfig(loaded, '/'), estimates };
}

function withAccounting(task: TaskMetrics, elapsedS: number): TaskMetrics {
  task.accounting = computeAccountingMetrics({ jobId: '1', state: 'COMPLETED', exitCode: '0:0', elapsedSeconds: elapsedS, ncpus: 4, gpus: 0, nodes: 1, partition: 'x' });
  return task;
}

/** A training pilot at a steady `perStep` seconds per step over 100 steps. */
function trainingPilot(experiment: string, task: string, params: TaskMetrics['params'], perStep: number, elapsedS: number): TaskMetrics {
  const t = createTaskMetrics(experiment, task, params);
  const records: TrainingStepRecord[] = [];
  for (let step = 10; step <= 100; step += 10) records.push({ kind: 'step', line: step, step, loss: 1, time: step * perStep });
  t.training = computeTrainingMetrics(records);
  return withAccounting(t, elapsedS);
}

function inferencePilot(experiment: string, items: number, durationS: number, elapsedS: number): TaskMetrics {
  const t = createTaskMetrics(experiment, 'main');
  t.inference = { records: items, completedRequests: items, durationS, ci: { requestThroughput: null, latencyP50S: null, latencyP95S: null, outputTokensPerS: null } } as unknown as NonNullable<TaskMetrics['inference']>;
  return withAccounting(t, elapsedS);
}

function run(name: string, tasks: TaskMetrics[], forExperiment?: string): PilotRun {
  const doc = { tasks } as unknown as MetricsDocument;
  return { run: name, dir: `/results/${name}`, doc: () => doc, forExperiment };
}

const pilots = [
  run('20261201-100000-prep', [inferencePilot('prep', 300, 30, 40)]),
  run('20261201-110000-train', [trainingPilot('train', '0', { lr: 0.001 }, 0.5, 80), trainingPilot('train', '1', { lr: 0.01 }, 1, 130)]),
];

describe('estimateExperiment', () => {
  it('orders the dependency chain, dependencies first, whatever order the file lists them in', () => {
    const [head, experiments] = YAML.split('experiments:\n') as [string, string];
    const [prepBlock, trainBlock] = experiments.split(/(?=^ {2}train:)/m) as [string, string];
    for (const yaml of [YAML, `${head}experiments:\n${trainBlock}${prepBlock}`]) {
      const { config, estimates } = load(yaml);
      expect(Object.keys(config.experiments)[0]).toBe(yaml === YAML ? 'prep' : 'train');
      const result = estimateExperiment({ config, experiment: 'train', estimates, pilots, work: new Map() });
      expect(result.phases.map((p) => p.experiment)).toEqual(['prep', 'train', 'train']);
    }
  });

  it('reads the work size from --work, else steps, epochs × steps per epoch or items', () => {
    const { config } = load();
    const workOf = (experiment: string, block: RawEstimate | undefined, flag?: number) =>
      estimateExperiment({ config, experiment, estimates: { prep: { items: 30000 }, [experiment]: block }, pilots, work: new Map(flag === undefined ? [] : [[experiment, flag]]) })
        .phases.find((p) => p.experiment === experiment)?.projection.work;
    expect(workOf('train', { steps: 10 }, 50)).toEqual({ amount: 50, unit: 'steps', from: '--work' });
    expect(workOf('train', { steps: 10 })).toEqual({ amount: 10, unit: 'steps', from: 'experiments.train.estimate.steps' });
    expect(workOf('train', { epochs: 2.5, steps_per_epoch: 3 })).toEqual({ amount: 8, unit: 'steps', from: 'experiments.train.estimate.epochs × steps_per_epoch' });
    expect(workOf('prep', { items: 7 })).toEqual({ amount: 7, unit: 'items', from: 'experiments.prep.estimate.items' });
    expect(() => workOf('train', undefined)).toThrow(/train \(lr=0\.001\): the size of the full work is unknown/);
  });

  it('estimates each phase and each sweep point from its own pilot, and sums them', () => {
    const { config, estimates } = load();
    const result = estimateExperiment({ config, experiment: 'train', estimates, pilots, work: new Map() });
    expect(result.phases.map((p) => [p.experiment, p.point])).toEqual([
      ['prep', null],
      ['train', { lr: 0.001 }],
      ['train', { lr: 0.01 }],
    ]);
    const [prep, slow, fast] = [result.phases[0], result.phases[1], result.phases[2]];
    // prep: 300 items in 30 s = 0.1 s/item, 40 − 30 = 10 s overhead; 30 000 items → 3000 + 10 s.
    expect(prep?.projection.wallS.estimate).toBeCloseTo(3010, 6);
    // 4 CPUs requested on a shared partition: 4 × 3010 s.
    expect(prep?.projection.charge.cpuHours.estimate).toBeCloseTo((4 * 3010) / 3600, 10);
    // train lr=0.001: 0.5 s/step, 80 − 50 = 30 s overhead; 3000 steps → 1530 s; 1530 × 1.2 = 1836 s → 31 minutes.
    expect(slow?.projection.wallS.estimate).toBeCloseTo(1530, 6);
    expect(slow?.projection.askTimeS).toBe(1860);
    expect(slow?.projection.fits).toBe(true);
    // Whole-node partition: all 4 GPUs and 48 CPUs billed.
    expect(slow?.resources).toEqual({ nodes: 1, billedGpusPerNode: 4, billedCpusPerNode: 48, wholeNode: true });
    // lr=0.01: 1 s/step → 3030 s; × 1.2 = 3636 s > 1 h, but one job of the limit (3510 s of work
    // after overhead and signal) holds the 3000 s: ask for the limit, with 3600/3031 − 1 = 18.8 % margin
    // over the upper end (3030 s + 1 s for sacct's whole seconds).
    expect(fast?.projection.fits).toBe(true);
    expect(fast?.projection.chain).toBeNull();
    expect(fast?.projection.askTimeS).toBe(3600);
    expect(fast?.projection.marginCutToPct).toBeCloseTo((3600 / 3031 - 1) * 100, 10);
    expect(result.total.wallS.estimate).toBeCloseTo(3010 + 1530 + 3030, 6);
    const su = result.phases.reduce((sum, p) => sum + (p.projection.charge.serviceUnits?.estimate ?? 0), 0);
    expect(result.total.serviceUnits?.estimate).toBeCloseTo(su, 10);
    expect(result.total.currency).toBe('BRL');
  });

  it('refuses to guess: every phase without a pilot or a work size is listed, with the command to run (exit 2)', () => {
    const { config } = load();
    let error: unknown;
    try {
      estimateExperiment({ config, experiment: 'train', estimates: {}, pilots: [pilots[1] as PilotRun], work: new Map() });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HpcbenchError);
    expect((error as HpcbenchError).exitCode).toBe(2);
    const message = (error as Error).message;
    expect(message).toMatch(/prep: no profiled pilot run .*hpcbench submit prep/);
    expect(message).toMatch(/train \(lr=0\.001\): the size of the full work is unknown; pass --work N \(steps\)/);
    expect(message).toMatch(/train \(lr=0\.01\): the size/);
  });

  it('refuses a work size in another unit than the pilot measured, and an unknown experiment', () => {
    const { config, estimates } = load();
    expect(() => estimateExperiment({ config, experiment: 'prep', estimates: { prep: { steps: 10 } }, pilots, work: new Map() })).toThrow(/counts steps, but pilot 20261201-100000-prep measured items/);
    expect(() => estimateExperiment({ config, experiment: 'nope', estimates, pilots, work: new Map() })).toThrow(/experiment 'nope' is not in hpcbench.yaml/);
  });

  it('takes a run given for a phase even when the pilot experiment has another name', () => {
    const { config } = load();
    const other = run('20261201-120000-pilot', [inferencePilot('prep-pilot', 100, 20, 25)], 'prep');
    const result = estimateExperiment({ config, experiment: 'prep', estimates: {}, pilots: [other], work: new Map([['prep', 1000]]) });
    // 0.2 s/item × 1000 + 5 s overhead.
    expect(result.phases[0]?.projection.wallS.estimate).toBeCloseTo(205, 6);
    expect(result.phases[0]?.pilot.run).toBe('20261201-120000-pilot');
  });

  it('keeps the parameter names of a sweep point as written in --json', () => {
    const { config, estimates } = load();
    const result = estimateExperiment({ config, experiment: 'train', estimates, pilots, work: new Map() });
    const withCamel = { ...result, phases: result.phases.map((p) => ({ ...p, point: { batchSize: 8 } })) };
    expect((toEstimateJson(withCamel) as { phases: { point: unknown }[] }).phases[0]?.point).toEqual({ batchSize: 8 });
  });

  it('prints Markdown in English and Portuguese, and JSON with a schema tag', () => {
    const { config, estimates } = load();
    const result = estimateExperiment({ config, experiment: 'train', estimates, pilots, work: new Map() });
    const en = formatEstimateMarkdown(result, 'en');
    expect(en).toContain('# Estimate: train on hpc');
    expect(en).toContain('| train (lr=0.001) | 20261201-110000-train (job 1) | 0.500 s/step (9 windows) | 3,000 steps | 25:30 (25:29–25:31) | 00:31:00 | 300 steps (2:30) | 1.70 | 20.40 (≤ 20.41) | 190 (≤ 191) | 95.20 (≤ 95.26) |');
    expect(en).toMatch(/train \(lr=0\.01\): 01:01:00 with the margin is over the partition limit 01:00:00; the limit still leaves 19 % over/);
    expect(en).toContain('00:31:00');
    expect(en).toMatch(/partition gpu bills whole nodes: 4 GPU\(s\) and 48 CPU\(s\)/);
    expect(en).toMatch(/startup overhead 0:30/);
    const pt = formatEstimateMarkdown(result, 'pt-BR');
    expect(pt).toContain('# Estimativa: train em hpc');
    expect(pt).toContain('3.000 passos');
    expect(pt).toContain('0,500 s/passo');
    const json = JSON.parse(JSON.stringify(toEstimateJson(result))) as {
      schema: string;
      phases: { point: Record<string, number> | null; pilot: { seconds_per_unit: number; gpu_memory_peak_mib: null }; projection: { wall_s: { estimate: number }; ask_time_s: number; margin_cut_to_pct: number | null } }[];
      total: { service_units: { estimate: number } };
    };
    expect(json.schema).toBe('hpcbench.estimate/1');
    expect(json.phases).toHaveLength(3);
    expect(json.phases[1]?.point).toEqual({ lr: 0.001 });
    expect(json.phases[1]?.pilot.seconds_per_unit).toBeCloseTo(0.5, 10);
    expect(json.phases[1]?.pilot.gpu_memory_peak_mib).toBeNull();
    expect(json.phases[1]?.projection.wall_s.estimate).toBeCloseTo(1530, 6);
    expect(json.phases[1]?.projection.ask_time_s).toBe(1860);
    expect(json.phases[2]?.projection.margin_cut_to_pct).toBeCloseTo((3600 / 3031 - 1) * 100, 10);
    expect(json.total.service_units.estimate).toBeGreaterThan(0);
  });
});
