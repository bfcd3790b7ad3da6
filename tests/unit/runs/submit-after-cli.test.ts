// `hpcbench submit <experiment> --after <run>` as typed: what --dry-run plans (no remote command)
// and the refusals that need no cluster.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRunRecord } from '../../../src/runs/run-record.js';
import { writeRunRecord } from '../../../src/runs/registry.js';
import { runCli } from '../cli/run-cli.js';
import { makeRenderedRun } from './helpers.js';

const EARLIER = '20261124-050000-train-0001';

const CONFIG = `version: 1
clusters:
  test:
    preset: generic
    transport: ssh
    ssh: { host: cluster.invalid, user: me }
    workdir: /scratch/me
    partitions:
      cpu: { kind: cpu, cpus_per_node: 4, mem_per_node: 8G, max_time: "01:00:00", shared: true }
experiments:
  train:
    cluster: test
    partition: cpu
    command: echo train
  infer:
    cluster: test
    partition: cpu
    depends_on: [train]
    command: echo infer
`;

async function project(clusterName = 'test', trainId = '90'): Promise<{ config: string; results: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'hpcb-after-cli-'));
  const config = join(dir, 'hpcbench.yaml');
  writeFileSync(config, CONFIG);
  const { resultsDir, manifest } = makeRenderedRun([{ experiment: 'train' }], EARLIER);
  const record = createRunRecord(manifest, { name: clusterName, transport: 'ssh', ssh: { host: 'cluster.invalid' }, workdir: '/scratch/me' }, new Date('2026-11-24T05:00:00Z'));
  const train = record.jobs[0];
  if (train) train.job_id = trainId;
  record.phase = 'submitted';
  await writeRunRecord(resultsDir, record);
  return { config, results: resultsDir };
}

describe('submit --after', () => {
  it('--dry-run plans infer alone and says which earlier job stands in for train, asking nothing of the cluster', async () => {
    const { config, results } = await project();
    const result = await runCli(['submit', 'infer', '--after', EARLIER, '--dry-run', '--config', config, '--results', results]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`build on run ${EARLIER}: train (job 90) not submitted again`);
    expect(result.stdout).toMatch(/^run \d{8}-\d{6}-infer-[0-9a-f]{4} on test/m);
    expect(result.stdout).toContain('scripts/infer.sbatch');
    expect(result.stdout).not.toContain('scripts/train.sbatch');
  });

  it('without --after, the plan trains again (what --after avoids)', async () => {
    const { config, results } = await project();
    const result = await runCli(['submit', 'infer', '--dry-run', '--config', config, '--results', results]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('scripts/train.sbatch');
  });

  it('refuses with exit 2 a run of another cluster, and a run that does not exist', async () => {
    const other = await project('elsewhere');
    const result = await runCli(['submit', 'infer', '--after', EARLIER, '--dry-run', '--config', other.config, '--results', other.results]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`--after ${EARLIER}: that run is on cluster elsewhere, infer runs on test`);
    const missing = await runCli(['submit', 'infer', '--after', '20991231-nothing', '--dry-run', '--config', other.config, '--results', other.results]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no run "20991231-nothing"');
  });

  it('refuses --after with --resume, exit 2', async () => {
    const { config, results } = await project();
    const result = await runCli(['submit', '--resume', EARLIER, '--after', EARLIER, '--config', config, '--results', results]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--after and --resume cannot be combined');
  });

  it('refuses with exit 2 a run that holds none of the dependencies', async () => {
    const { config, results } = await project();
    const result = await runCli(['submit', 'train', '--after', EARLIER, '--dry-run', '--config', config, '--results', results]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`run ${EARLIER} has no job for any dependency of train (it depends on nothing)`);
  });
});
