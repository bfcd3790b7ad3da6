// `hpcbench estimate` through the CLI, in-process, on a project in this file's TMPDIR: a pilot
// profiled by `hpcbench profile` from a Trainer-style log at exactly 0.5 s per step.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseEstimateLang, parseWorkFlags } from '../../../src/cli/estimate.js';
import { runCli as cli } from '../cli/run-cli.js';

const CONFIG = `version: 1
clusters:
  hpc:
    preset: generic
    transport: local
    rates: { su_per_cpu_hour: 2, currency: BRL }
    partitions:
      cpu: { kind: cpu, cpus_per_node: 8, max_time: "01:00:00", shared: true }
experiments:
  train:
    cluster: hpc
    partition: cpu
    command: python train.py
    resources: { cpus_per_task: 2 }
    estimate: { steps: 2000 }
`;

describe('hpcbench estimate (CLI)', () => {
  let dir = '';
  let config = '';
  let results = '';
  const pilot = '20261201-120000-pilot-ab12';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'estimate-cli-'));
    config = join(dir, 'hpcbench.yaml');
    results = join(dir, 'results');
    writeFileSync(config, CONFIG);
    const logDir = join(dir, 'logs');
    mkdirSync(logDir);
    // Steps 10…50, one entry every 5 s: 0.5 s per step in every window.
    const lines = [10, 20, 30, 40, 50].map((step) => `{'loss': ${(2 / step).toFixed(4)}, 'learning_rate': 0.001, 'step': ${step}, 'time': ${step / 2}}`);
    writeFileSync(join(logDir, 'job.out'), `${lines.join('\n')}\n`);
    mkdirSync(join(results, pilot), { recursive: true });
    const profiled = await cli(['profile', join(logDir, 'job.out'), '--out', join(results, pilot, 'metrics.json')]);
    expect(profiled.code, profiled.stderr).toBe(0);
  });

  it('parses --work as N or experiment=N, and refuses anything else (exit 2)', async () => {
    expect(parseWorkFlags(['300', 'prep=30000'], 'train')).toEqual(new Map([['train', 300], ['prep', 30000]]));
    expect(() => parseWorkFlags(['1.5'], 'train')).toThrow(/--work "1.5": expected a whole number/);
    expect(() => parseWorkFlags(['prep='], 'train')).toThrow(/--work "prep="/);
    const result = await cli(['estimate', 'train', '--work', 'lots', '--config', config, '--results', results]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--work "lots": expected a whole number/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('accepts en and pt-BR only', () => {
    expect(parseEstimateLang('pt-br')).toBe('pt-BR');
    expect(parseEstimateLang('en')).toBe('en');
    expect(() => parseEstimateLang('fr')).toThrow(/--lang "fr": expected en or pt-BR/);
  });

  it('a pilot of another experiment is not taken unless --from names its phase', async () => {
    const result = await cli(['estimate', 'train', '--config', config, '--results', results]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/train: no profiled pilot run/);
    expect(result.stdout).toBe('');
  });

  it('projects the experiment from the pilot named for it: 2000 steps × 0.5 s, --time with 20 % margin, JSON in snake_case', async () => {
    const result = await cli(['estimate', 'train', '--from', `train=${pilot}`, '--json', '--config', config, '--results', results]);
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout) as {
      schema: string;
      phases: { pilot: { seconds_per_unit: number; work_done: number; overhead_known: boolean }; projection: { wall_s: { estimate: number }; ask_time_s: number; charge: { cpu_hours: { estimate: number }; service_units: { estimate: number } } } }[];
    };
    expect(json.schema).toBe('hpcbench.estimate/1');
    const phase = json.phases[0];
    expect(phase?.pilot.seconds_per_unit).toBeCloseTo(0.5, 12);
    expect(phase?.pilot.work_done).toBe(50);
    // No sacct for loose log files: no overhead, and the output says so.
    expect(phase?.pilot.overhead_known).toBe(false);
    expect(phase?.projection.wall_s.estimate).toBeCloseTo(1000, 9);
    // 1000 s × 1.2 = 1200 s: 20 minutes.
    expect(phase?.projection.ask_time_s).toBe(1200);
    // 2 CPUs × 1000 s = 0.5556 CPU-hours, at 2 SU each.
    expect(phase?.projection.charge.service_units.estimate).toBeCloseTo((2 * 1000 * 2) / 3600, 10);
  });

  it('--work overrides the estimate: block, --margin the margin; Markdown in Portuguese', async () => {
    const result = await cli(['estimate', 'train', '--from', `train=${pilot}`, '--work', '600', '--margin', '50', '--lang', 'pt-BR', '--config', config, '--results', results]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('# Estimativa: train em hpc');
    // 600 × 0.5 s = 5:00; × 1.5 = 7:30 → 8 minutes.
    expect(result.stdout).toMatch(/\| 600 passos \| 5:00 \| 00:08:00 \|/);
    expect(result.stdout).toContain('não tem o tempo decorrido do sacct');
  });
});
