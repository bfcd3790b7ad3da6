import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { loadConfigText } from '../../../src/config/index.js';
import { issuesOf } from './config-issues.js';

const base = `
clusters:
  sd:
    preset: santos-dumont
    ssh: sdumont
experiments:
  lora:
    partition: sequana_gpu
    resources:
      time: "02:00:00"
`;

describe('config loading', () => {
  it('accepts the sample config', () => {
    const config = loadConfigText(readFileSync('data_sample/hpcbench.yaml', 'utf8'), 'data_sample/hpcbench.yaml');
    expect(Object.keys(config.experiments)).toEqual(['lora', 'infer', 'cpu-baseline']);
    expect(config.clusters.sdumont?.workdir).toBe('/scratch/medtechllm/student/hpcbench');
    expect(config.experiments.infer?.depends_on).toEqual(['lora']);
  });

  it('reports a YAML syntax error with line and column', () => {
    const issues = issuesOf('clusters:\n  a: [1\n');
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ file: 'hpcbench.yaml', line: 3, column: 1 });
    expect(issues[0]?.message).toMatch(/YAML syntax error/);
  });

  it('reports an unknown key at the key itself, with a suggestion', () => {
    const issues = issuesOf(base.replace('      time: "02:00:00"', '      tiem: "02:00:00"'));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ path: 'experiments.lora.resources.tiem', line: 10, column: 7 });
    expect(issues[0]?.message).toMatch(/unknown key 'tiem' — did you mean 'time'\?/);
  });

  it('reports a value of the wrong type with what was found and expected', () => {
    const issues = issuesOf(base.replace('      time: "02:00:00"', '      gpus: two'));
    expect(issues[0]).toMatchObject({ path: 'experiments.lora.resources.gpus', line: 10, column: 13 });
    expect(issues[0]?.message).toBe('expected number, found string "two"');
  });

  it('reports every shape problem at once', () => {
    const text = base.replace('      time: "02:00:00"', '      gpus: two\n      nodes: -1\n      colour: red');
    const issues = issuesOf(text);
    expect(issues.map((i) => i.path).sort()).toEqual([
      'experiments.lora.resources.colour',
      'experiments.lora.resources.gpus',
      'experiments.lora.resources.nodes',
    ]);
  });

  it('reports an unknown partition with the allowed names and the closest one', () => {
    const issues = issuesOf(base.replace('partition: sequana_gpu', 'partition: sequana_gpux'));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ path: 'experiments.lora.partition', line: 8, column: 16 });
    expect(issues[0]?.message).toContain("unknown partition 'sequana_gpux' on cluster 'sd' — did you mean 'sequana_gpu'?");
    expect(issues[0]?.message).toContain('gdl');
  });

  it('reports a time over the partition limit and names partitions that allow it', () => {
    const issues = issuesOf(base.replace('time: "02:00:00"', 'time: "120:00:00"'));
    expect(issues[0]?.message).toBe("partition 'sequana_gpu' allows 4-00:00:00, you asked 5-00:00:00 — lower `time` or pick sequana_gpu_long");
  });

  it('reports a malformed time and accepts every SLURM form', () => {
    expect(issuesOf(base.replace('"02:00:00"', '"2h"'))[0]?.message).toMatch(/malformed time "2h"/);
    for (const form of ['90', '90:30', '02:00:00', '1-12', '1-12:30', '1-12:30:15']) {
      const config = loadConfigText(base.replace('"02:00:00"', `"${form}"`));
      expect(config.experiments.lora?.resources.time_s).toBeGreaterThan(0);
    }
  });

  it('checks the checkpoint times against each other and the time limit, at the offending key', () => {
    const withCheckpoint = (ck: string): string => `${base}    checkpoint: ${ck}\n`;
    const grace = issuesOf(withCheckpoint('{ seconds_before: 120, grace_seconds: 115 }'));
    expect(grace).toHaveLength(1);
    expect(grace[0]).toMatchObject({ path: 'experiments.lora.checkpoint.grace_seconds', line: 11, file: 'hpcbench.yaml' });
    expect(grace[0]?.message).toMatch(/a grace of 115 s does not fit in the signal's lead time: .* use grace_seconds ≤ 110 or raise seconds_before/);
    const lead = issuesOf(withCheckpoint('{ seconds_before: 7200 }'));
    expect(lead[0]).toMatchObject({ path: 'experiments.lora.checkpoint.seconds_before', line: 11 });
    expect(lead[0]?.message).toMatch(/7200 s before a time limit of 7200 s/);
    const term = issuesOf(withCheckpoint('{ signal: TERM }'));
    expect(term[0]?.path).toBe('experiments.lora.checkpoint.signal');
    expect(term[0]?.message).toMatch(/signal TERM cannot ask for a checkpoint: .* use USR1 or USR2/);
    // Without grace_seconds the default fits the lead time: 120 s, or less for a short lead.
    const short = loadConfigText(withCheckpoint('{ seconds_before: 60 }')).experiments.lora?.checkpoint;
    expect(short).toMatchObject({ seconds_before: 60, grace_seconds: 50, term_grace_seconds: 20, max_restarts: 10 });
    expect(loadConfigText(withCheckpoint('{}')).experiments.lora?.checkpoint).toMatchObject({ seconds_before: 300, grace_seconds: 120 });
  });

  it('rejects GPUs on a CPU partition and more GPUs than a node has', () => {
    const cpu = issuesOf(base.replace('partition: sequana_gpu', 'partition: sequana_cpu').replace('time: "02:00:00"', 'gpus: 1'));
    expect(cpu[0]?.message).toMatch(/CPU partition and has no GPUs/);
    const many = issuesOf(base.replace('time: "02:00:00"', 'gpus: 5'));
    expect(many[0]?.message).toMatch(/has 4 GPU\(s\)/);
  });

  it('requires an account where the cluster does', () => {
    const text = `
clusters:
  sd2:
    preset: sdumont-2nd
    ssh: sd2
experiments:
  t:
    partition: lncc-h100
`;
    const issues = issuesOf(text);
    expect(issues[0]).toMatchObject({ path: 'clusters.sd2' });
    expect(issues[0]?.message).toMatch(/requires an account/);
    expect(() => loadConfigText(text.replace('ssh: sd2', 'ssh: sd2\n    account: abc'))).not.toThrow();
  });

  it('rejects job names SLURM or the shell would mangle', () => {
    const issues = issuesOf(base.replace('    partition: sequana_gpu', '    partition: sequana_gpu\n    job_name: "x; rm -rf ~"'));
    expect(issues[0]?.path).toBe('experiments.lora.job_name');
  });

  it('finds dependency cycles and unknown dependencies', () => {
    const text = `
clusters:
  c: { preset: generic, transport: local, partitions: { p: { kind: cpu } } }
experiments:
  a: { depends_on: [b] }
  b: { depends_on: [a, zz] }
`;
    const messages = issuesOf(text).map((i) => i.message);
    expect(messages.some((m) => m.includes('dependency cycle'))).toBe(true);
    expect(messages.some((m) => m.includes("unknown experiment 'zz'"))).toBe(true);
  });

  it('lets the user override a preset field by field', () => {
    const config = loadConfigText(
      base.replace('    ssh: sdumont', '    ssh: sdumont\n    partitions:\n      sequana_gpu: { max_time: "10:00:00" }'),
    );
    const p = config.clusters.sd?.partitions.sequana_gpu;
    expect(p?.max_time_s).toBe(36000);
    expect(p?.gpus_per_node).toBe(4);
  });

  it('sizes CPUs and memory from the partition for a share of the GPUs', () => {
    // sequana_gpu bills whole nodes (tests/unit/config/presets.test.ts); its shared twin sizes a share.
    const config = loadConfigText(base.replace('partition: sequana_gpu\n', 'partition: sequana_gpu_shared\n'));
    const r = config.experiments.lora?.resources;
    expect(r).toMatchObject({ gpus_per_node: 1, cpus_per_task: 12, mem: '96G', nodes: 1 });
  });

  it('rejects an unknown preset with the known ones', () => {
    const issues = issuesOf(base.replace('preset: santos-dumont', 'preset: santos-dumon'));
    expect(issues[0]?.message).toMatch(/unknown preset 'santos-dumon' — did you mean 'santos-dumont'\?/);
  });

  it('reports shape problems and the problems found after them in one run', () => {
    const text = `
clusters:
  sd: { preset: santos-dumont, ssh: sd }
experiments:
  lora:
    partition: sequana_gpux
    resources: { gpus: "2" }
  b:
    partition: sequana_gpu
    depends_on: [lorra]
`;
    const issues = issuesOf(text);
    expect(issues.map((i) => `${i.line}:${i.path}`)).toEqual([
      '6:experiments.lora.partition',
      '7:experiments.lora.resources.gpus',
      '10:experiments.b.depends_on[0]',
    ]);
  });
});
