// profiling.gpu_busy_threshold_pct (hpcbench.yaml) and `profile --gpu-busy-threshold`: validated,
// carried to the busy fraction, recorded in metrics.json.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigText } from '../../../../src/config/index.js';
import { profileOptionsFromConfig } from '../../../../src/profile/config-options.js';
import { profileRun } from '../../../../src/profile/profile-run.js';
import { runCli } from '../../cli/run-cli.js';
import { issuesOf } from '../../config/config-issues.js';

const yaml = (threshold: string): string => `clusters:
  c:
    preset: generic
    transport: local
    partitions: { p: { kind: cpu } }
experiments:
  a:
    command: "true"
    profiling:
      gpu_busy_threshold_pct: ${threshold}
`;

describe('profiling.gpu_busy_threshold_pct', () => {
  it('is carried to the profile options of its experiment', () => {
    expect(profileOptionsFromConfig(loadConfigText(yaml('5'))).a?.gpuBusyThresholdPct).toBe(5);
  });

  it('is absent (the default, 0) when not set', () => {
    const config = loadConfigText(yaml('5').replace(/ {4}profiling:\n.*\n/, ''));
    expect(profileOptionsFromConfig(config).a?.gpuBusyThresholdPct).toBeUndefined();
  });

  it.each([
    ['101', /expected at most 100, found number 101/],
    ['-1', /expected at least 0, found number -1/],
    ['ten', /expected number, found string "ten"/],
  ])('refuses %s at the key, with file, line and column', (value, message) => {
    const issues = issuesOf(yaml(value));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ file: 'hpcbench.yaml', path: 'experiments.a.profiling.gpu_busy_threshold_pct', line: 10, column: 31 });
    expect(issues[0]?.message).toMatch(message);
  });
});

const TINY = 'timestamp, index, utilization.gpu [%]\n2024/05/14 10:00:00.000, 0, 0 %\n2024/05/14 10:00:01.000, 0, 10 %\n2024/05/14 10:00:03.000, 0, 50 %\n';

function tinyLog(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'hpcb-busy-')), 'nvidia-smi.csv');
  writeFileSync(file, TINY);
  return file;
}

/** `--json` prints metrics.json: snake_case keys. */
interface Doc {
  tasks: { gpu: { busy_threshold_pct: number; gpus: { utilization: { busy_fraction: number } }[] } }[];
}

describe('profile --gpu-busy-threshold', () => {
  it('sets the threshold of the busy fraction and metrics.json records it', async () => {
    const file = tinyLog();
    const plain = JSON.parse((await runCli(['profile', file, '--json'])).stdout) as Doc;
    expect(plain.tasks[0]?.gpu.busy_threshold_pct).toBe(0);
    expect(plain.tasks[0]?.gpu.gpus[0]?.utilization.busy_fraction).toBe(2 / 3);
    const r = await runCli(['profile', file, '--gpu-busy-threshold', '10', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as Doc;
    expect(doc.tasks[0]?.gpu.busy_threshold_pct).toBe(10);
    expect(doc.tasks[0]?.gpu.gpus[0]?.utilization.busy_fraction).toBe(1 / 3);
  });

  it('is refused outside 0–100 with a usage error', async () => {
    for (const value of ['150', 'abc']) {
      const r = await runCli(['profile', tinyLog(), '--gpu-busy-threshold', value, '--json']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--gpu-busy-threshold must be a percent from 0 to 100/);
    }
  });

  it('comes from profiling.gpu_busy_threshold_pct for loose files when no flag is given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hpcb-busycfg-'));
    writeFileSync(join(dir, 'hpcbench.yaml'), yaml('10'));
    const r = await runCli(['profile', tinyLog(), '--config', join(dir, 'hpcbench.yaml'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as Doc).tasks[0]?.gpu.busy_threshold_pct).toBe(10);
  });
});

describe('the busy threshold of a run', () => {
  it('applies each experiment its own profiling.gpu_busy_threshold_pct', async () => {
    const run = mkdtempSync(join(tmpdir(), 'hpcb-busyrun-'));
    for (const exp of ['a', 'b']) {
      mkdirSync(join(run, 'out', exp, 'main'), { recursive: true });
      writeFileSync(join(run, 'out', exp, 'main', 'nvidia-smi.csv'), TINY);
    }
    const doc = await profileRun(run, { experiments: { a: { gpuBusyThresholdPct: 10 }, b: {} } });
    const gpuOf = (exp: string) => doc.tasks.find((t) => t.experiment === exp)?.gpu;
    expect(gpuOf('a')?.busyThresholdPct).toBe(10);
    expect(gpuOf('a')?.overall.utilization?.busyFraction).toBe(1 / 3);
    expect(gpuOf('b')?.busyThresholdPct).toBe(0);
    expect(gpuOf('b')?.overall.utilization?.busyFraction).toBe(2 / 3);
  });
});
