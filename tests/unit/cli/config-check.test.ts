// `hpcbench config check` in one pass (issue 12, point 2): every check render and submit make without
// the cluster, each problem at file:line:column, all of them in one run; warnings do not fail it.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

function project(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'hpcbench-check-'));
  mkdirSync(join(dir, 'workloads'));
  writeFileSync(join(dir, 'workloads', 'infer.py'), 'print("hi")\n');
  writeFileSync(join(dir, 'hpcbench.yaml'), yaml);
  return join(dir, 'hpcbench.yaml');
}

const CLUSTER = `clusters:
  local:
    preset: generic
    transport: local
    partitions:
      cpu: { kind: cpu, cpus_per_node: 8, mem_per_node: 16G, max_time: "01:00:00" }
      gpu: { kind: gpu, gpus_per_node: 2, cpus_per_node: 8, mem_per_node: 16G, max_time: "01:00:00" }
`;

describe('hpcbench config check', () => {
  it('reports a resolve error, a reserved name and a missing file together, each at line:column', async () => {
    const config = project(`${CLUSTER}experiments:
  infer:
    partition: cpu
    command: python workloads/infer.py --batch_size {batch_size}
    files: [workloads/infer.py, workloads/missing.py]
    parameters:
      PATH: /opt/bin
    sweep:
      matrix:
        batch_size: [1, 4]
    resources:
      time: "02:00:00"
`);
    const result = await runCli(['config', 'check', '--config', config]);
    expect(result.code).toBe(2);
    const lines = result.stderr.split('\n').filter((l) => /hpcbench\.yaml:\d+:\d+:/.test(l));
    expect(lines).toEqual([
      expect.stringMatching(/hpcbench\.yaml:12:33: experiments\.infer\.files\[1\]: 'workloads\/missing\.py' does not exist/),
      expect.stringMatching(/hpcbench\.yaml:14:13: experiments\.infer\.parameters\.PATH: 'PATH' is reserved/),
      expect.stringMatching(/hpcbench\.yaml:19:13: experiments\.infer\.resources\.time: partition 'cpu' allows 01:00:00, you asked 02:00:00/),
    ]);
    expect(result.stderr).toMatch(/invalid configuration \(3 problems\)/);
    expect(result.stderr).not.toMatch(/at .*\.js:\d+/);
  });

  it('submit reports the same problems in the same one pass, and writes nothing', async () => {
    const config = project(`${CLUSTER}experiments:
  infer:
    partition: cpu
    command: python workloads/infer.py
    files: [workloads/missing.py]
    parameters:
      PATH: /opt/bin
    resources:
      time: "02:00:00"
`);
    const results = join(config, '..', 'results');
    const result = await runCli(['submit', 'infer', '--config', config, '--results', results, '--dry-run']);
    expect(result.code).toBe(2);
    const lines = result.stderr.split('\n').filter((l) => /hpcbench\.yaml:\d+:\d+:/.test(l));
    expect(lines).toEqual([
      expect.stringMatching(/experiments\.infer\.files\[0\]: 'workloads\/missing\.py' does not exist/),
      expect.stringMatching(/experiments\.infer\.parameters\.PATH: 'PATH' is reserved/),
      expect.stringMatching(/experiments\.infer\.resources\.time: partition 'cpu' allows 01:00:00, you asked 02:00:00/),
    ]);
    expect(existsSync(results)).toBe(false);
  });

  it('a key of the wrong shape does not hide the problems render would find in the rest', async () => {
    const config = project(`${CLUSTER}experiments:
  infer:
    partition: cpu
    comand: typo
    command: python workloads/infer.py
    files: [workloads/missing.py]
    parameters: { HOME: x }
    resources: { time: "02:00:00" }
`);
    const result = await runCli(['config', 'check', '--config', config]);
    expect(result.code).toBe(2);
    const lines = result.stderr.split('\n').filter((l) => /hpcbench\.yaml:\d+:\d+:/.test(l));
    expect(lines).toEqual([
      expect.stringMatching(/hpcbench\.yaml:11:5: experiments\.infer\.comand: unknown key 'comand' — did you mean 'command'\?/),
      expect.stringMatching(/hpcbench\.yaml:13:13: experiments\.infer\.files\[0\]: 'workloads\/missing\.py' does not exist/),
      expect.stringMatching(/hpcbench\.yaml:14:\d+: experiments\.infer\.parameters\.HOME: 'HOME' is reserved/),
      expect.stringMatching(/hpcbench\.yaml:15:\d+: experiments\.infer\.resources\.time: partition 'cpu' allows 01:00:00/),
    ]);
  });

  it('a preset typo does not hide the partition and time errors: the rest is checked against the likely preset', async () => {
    const config = project(`clusters:
  sd:
    preset: santos-dumnot
    ssh: sdumont
    account: proj
experiments:
  lora:
    partition: sequana_gpux
    command: python train.py
`);
    const result = await runCli(['config', 'check', '--config', config]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/hpcbench\.yaml:3:13: clusters\.sd\.preset: unknown preset 'santos-dumnot' — did you mean 'santos-dumont'\?/);
    expect(result.stderr).toMatch(/hpcbench\.yaml:8:16: experiments\.lora\.partition: unknown partition 'sequana_gpux'.*did you mean 'sequana_gpu'/);
  });

  it('an unknown partition does not hide the experiment\'s other problems', async () => {
    const config = project(`${CLUSTER}experiments:
  infer:
    partition: cpux
    command: python workloads/infer.py {bs}
    parameters: { IFS: x }
`);
    const result = await runCli(['config', 'check', '--config', config]);
    expect(result.code).toBe(2);
    const lines = result.stderr.split('\n').filter((l) => /hpcbench\.yaml:\d+:\d+:/.test(l));
    expect(lines).toEqual([
      expect.stringMatching(/hpcbench\.yaml:10:16: experiments\.infer\.partition: unknown partition 'cpux'.*did you mean 'cpu'/),
      expect.stringMatching(/hpcbench\.yaml:11:14: experiments\.infer\.command: unknown placeholder \{bs\}/),
      expect.stringMatching(/hpcbench\.yaml:12:\d+: experiments\.infer\.parameters\.IFS: 'IFS' is reserved/),
    ]);
  });

  it('an unknown placeholder is an error naming the parameters; {{name}} and ${name} are not placeholders', async () => {
    const config = project(`${CLUSTER}experiments:
  infer:
    partition: cpu
    command: python workloads/infer.py --batch_size {batchsize} --literal {{batch_size}} --home \${HOME}
    parameters: { model: tiny }
    sweep: { matrix: { batch_size: [1, 4] } }
`);
    const result = await runCli(['config', 'check', '--config', config]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /hpcbench\.yaml:11:14: experiments\.infer\.command: unknown placeholder \{batchsize\} — did you mean \{batch_size\}\?; parameters: model, batch_size \(write \{\{name\}\} for a literal \{name\}\)/,
    );
    expect(result.stderr).toMatch(/invalid configuration:\n/);
  });

  it('warns (exit 0) when a swept parameter never reaches the command, and about PYTORCH_CUDA_ALLOC_CONF', async () => {
    const config = project(`${CLUSTER}experiments:
  infer:
    partition: cpu
    command: python workloads/infer.py --batch_size 16 --lr $lr
    env: { PYTORCH_CUDA_ALLOC_CONF: "expandable_segments:True" }
    sweep: { matrix: { batch_size: [1, 16], lr: [0.1] } }
`);
    const result = await runCli(['config', 'check', '--config', config]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/hpcbench\.yaml:13:36: experiments\.infer\.sweep\.matrix\.batch_size: 'batch_size' is swept but the command never reads it/);
    expect(result.stderr).not.toMatch(/'lr' is swept/);
    expect(result.stderr).toMatch(/hpcbench\.yaml:12:12: experiments\.infer\.env\.PYTORCH_CUDA_ALLOC_CONF: torch 2\.9 renamed PYTORCH_CUDA_ALLOC_CONF to PYTORCH_ALLOC_CONF/);
    expect(result.stdout).toMatch(/valid/);
  });
});
