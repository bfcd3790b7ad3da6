import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCli } from './run-cli.js';

const sample = resolve('data_sample/hpcbench.yaml');

describe('hpcbench CLI', () => {
  it('prints help and version with exit 0', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/hpcbench <command>/);
    expect(help.stdout).toMatch(/config/);
    const version = await runCli(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('rejects an unknown command with a suggestion and exit 2', async () => {
    const result = await runCli(['confg']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Did you mean config\?/);
  });

  it('rejects an unknown flag with a suggestion and exit 2', async () => {
    const result = await runCli(['config', 'check', '--config', sample, '--jsno']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Unknown argument: jsno \(did you mean --json\?\)/);
  });

  it('config check: exit 0 for the sample, --json gives a document', async () => {
    const result = await runCli(['config', 'check', '--config', sample, '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ valid: true, experiments: ['lora', 'infer', 'cpu-baseline'] });
  });

  it('config check: exit 2 with file:line:column and no stack trace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hpcb-cli-'));
    const file = join(dir, 'hpcbench.yaml');
    writeFileSync(file, 'clusters:\n  c:\n    preset: generic\n    transport: local\n    partitions: { p: { kind: cpu } }\nexperiments:\n  e:\n    partition: q\n');
    const result = await runCli(['config', 'check', '--config', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/hpcbench\.yaml:8:16: experiments\.e\.partition: unknown partition 'q'/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    const verbose = await runCli(['config', 'check', '--config', file, '--verbose']);
    expect(verbose.stderr).toMatch(/\n\s+at /);
  });

  it('finds hpcbench.yaml upward from the working directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hpcb-up-'));
    copyFileSync(sample, join(dir, 'hpcbench.yaml'));
    const deep = join(dir, 'a', 'b');
    mkdirSync(deep, { recursive: true });
    const cwd = process.cwd();
    process.chdir(deep);
    try {
      const result = await runCli(['config', 'show', '--json']);
      expect(result.code).toBe(0);
      const shown = JSON.parse(result.stdout) as { clusters: Record<string, { partitions: Record<string, unknown> }> };
      expect(Object.keys(shown.clusters.sdumont?.partitions ?? {})).toContain('gdl');
    } finally {
      process.chdir(cwd);
    }
  });

  it('says where it looked when no config is found', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hpcb-none-'));
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const result = await runCli(['config', 'check']);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/no hpcbench\.yaml in .* or any parent directory/);
    } finally {
      process.chdir(cwd);
    }
  });

  it('config show prints YAML with presets merged', async () => {
    const result = await runCli(['config', 'show', '--config', sample]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/sequana_gpu_shared:/);
    expect(result.stdout).toMatch(/time: 02:00:00/);
  });
});

describe('hpcbench CLI in a pipe', () => {
  it('stops quietly when the reader closes the pipe early (| head)', async () => {
    const { spawnSync } = await import('node:child_process');
    const { existsSync } = await import('node:fs');
    expect(existsSync('dist/cli-bundle/main.js'), 'run `npm run build` first (npm test does)').toBe(true);
    const result = spawnSync('bash', ['-c', 'node bin/hpcbench.js config show --config data_sample/hpcbench.yaml | head -n 1; echo "status ${PIPESTATUS[0]}"'], { encoding: 'utf8', timeout: 60_000 });
    expect(result.stdout).toMatch(/status 0/);
    expect(result.stderr).not.toMatch(/EPIPE|Error/);
  });
});
