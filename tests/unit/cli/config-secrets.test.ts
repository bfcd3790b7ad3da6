import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const CONFIG = [
  'clusters:',
  '  c:',
  '    preset: generic',
  '    transport: local',
  '    partitions: { p: { kind: cpu } }',
  '    env:',
  '      WANDB_API_KEY: wandb_cluster_value',
  'experiments:',
  '  infer:',
  '    partition: p',
  '    command: python serve.py --api-key sk_command_value',
  '    env:',
  '      HF_TOKEN: hf_env_value',
  '      HF_HOME: /scratch/hf',
  '    parameters:',
  '      max_new_tokens: 64',
  '    setup:',
  '      - export AWS_SECRET_ACCESS_KEY=aws_setup_value',
  '      - export HF_TOKEN="$(cat ~/.hf_token)"',
  '  train:',
  '    partition: p',
  '    command: python train.py',
  '    parameters:',
  '      db_password: pw_param_value',
  '',
].join('\n');

function writeConfig(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'hpcb-config-secrets-'));
  const file = join(dir, 'hpcbench.yaml');
  writeFileSync(file, text);
  return file;
}

describe('config check: secrets that would be uploaded in a job script', () => {
  it('warns naming the experiment and the key, stays valid (exit 0), and never prints the value', async () => {
    const result = await runCli(['config', 'check', '--config', writeConfig(CONFIG)]);
    expect(result.code).toBe(0);
    const warnings = result.stderr.split('\n').filter((l) => l.startsWith('warning: '));
    expect(warnings.map((w) => /experiment '([^']+)': (\S+) \(([^)]+)\)/.exec(w)?.slice(1, 4))).toEqual([
      ['infer', 'HF_TOKEN', 'env'],
      ['infer', 'WANDB_API_KEY', 'cluster env'],
      ['infer', 'AWS_SECRET_ACCESS_KEY', 'setup'],
      ['infer', '--api-key', 'command'],
      ['train', 'WANDB_API_KEY', 'cluster env'],
      ['train', 'db_password', 'parameters'],
    ]);
    expect(warnings[0]).toMatch(/would be written into the job script and uploaded to the cluster/);
    expect(warnings[0]).toMatch(/cluster's environment, or in a file only you can read/);
    for (const value of ['wandb_cluster_value', 'hf_env_value', 'aws_setup_value', 'sk_command_value', 'pw_param_value']) {
      expect(result.stderr + result.stdout).not.toContain(value);
    }
    expect(result.stderr).not.toMatch(/HF_HOME|max_new_tokens/);
  });

  it('--json lists the warnings in the document', async () => {
    const result = await runCli(['config', 'check', '--config', writeConfig(CONFIG), '--json']);
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout) as { valid: boolean; warnings: { experiment: string; key: string; where: string }[] };
    expect(doc.valid).toBe(true);
    expect(doc.warnings.map((w) => `${w.experiment}:${w.key}:${w.where}`)).toContain('infer:HF_TOKEN:env');
    expect(doc.warnings).toHaveLength(6);
  });

  // Other advice (whole-node partitions) may apply to the sample; secrets and unread sweep values must not.
  it('the sample config has no secret to warn about, and its sweep values reach the command', async () => {
    const result = await runCli(['config', 'check', '--config', resolve('data_sample/hpcbench.yaml')]);
    expect(result.code).toBe(0);
    expect(result.stderr).not.toMatch(/looks like a secret/);
    expect(result.stderr).not.toMatch(/never reads it/);
  });
});
