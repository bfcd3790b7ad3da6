// The field list of a headerless real capture (rtxpro6000, 23 fields, one camel-case) given the
// two ways a user can: `profile --gpu-fields …` and profiling.gpu_fields in hpcbench.yaml.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../cli/run-cli.js';

const ROOT = join(__dirname, '../../../..');
const FILE = join(ROOT, 'tests/fixtures/real/nvidia-smi-query/rtxpro6000-blackwell-x4-noheader-nounits.csv');
const FIELDS =
  'index,uuid,name,pci.bus_id,driver_version,utilization.gpu,utilization.memory,memory.total,memory.used,memory.free,temperature.gpu,temperature.memory,power.draw,power.limit,clocks.gr,clocks.mem,clocks.max.gr,clocks.max.mem,fan.speed,pstate,pcie.link.gen.current,pcie.link.width.current,encoder.stats.sessionCount';
/** references.json: power mean per GPU, in file order. */
const POWER = [299.35, 287.14, 299.95, 300];

function powerMeans(stdout: string): number[] {
  // `--json` prints metrics.json: snake_case keys.
  const doc = JSON.parse(stdout) as { tasks: { gpu: { gpus: { power_w: { mean: number } }[] } }[] };
  return doc.tasks[0]?.gpu.gpus.map((g) => g.power_w.mean) ?? [];
}

describe('the field list of a headerless nvidia-smi log', () => {
  it('comes from --gpu-fields', async () => {
    const r = await runCli(['profile', FILE, '--gpu-fields', FIELDS, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(powerMeans(r.stdout)).toEqual(POWER);
  });

  it('comes from profiling.gpu_fields in hpcbench.yaml when no flag is given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hpcb-gpufields-'));
    for (const f of ['prompts.txt', 'train.txt', 'val.txt']) copyFileSync(join(ROOT, 'data_sample', f), join(dir, f));
    const yaml = readFileSync(join(ROOT, 'data_sample/hpcbench.yaml'), 'utf8').replace(
      '      interval_ms: 1000\n',
      `      interval_ms: 1000\n      gpu_fields: [${FIELDS.split(',').join(', ')}]\n`,
    );
    expect(yaml).toContain('encoder.stats.sessionCount');
    writeFileSync(join(dir, 'hpcbench.yaml'), yaml);
    const r = await runCli(['profile', FILE, '--config', join(dir, 'hpcbench.yaml'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(powerMeans(r.stdout)).toEqual(POWER);
  });

  it('is asked for, naming both ways, when neither gives it', async () => {
    const r = await runCli(['profile', FILE, '--json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no header line and 23 fields per row/);
    expect(r.stderr).toMatch(/--gpu-fields.*profiling\.gpu_fields/);
  });
});
