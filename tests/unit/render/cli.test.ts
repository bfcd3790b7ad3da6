// `hpcbench render` and `hpcbench templates` through the real CLI entry point.
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { FIXTURE_CONFIG, FIXTURE_DIR, tempDir } from './helpers.js';

let stdout = '';
let stderr = '';
beforeEach(() => {
  stdout = '';
  stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
});
afterEach(() => vi.restoreAllMocks());

describe('hpcbench render', () => {
  it('writes scripts, sweep files, manifest and workload files into --out', async () => {
    const out = join(tempDir('cli'), 'run');
    const code = await main(['render', 'infer', '--config', FIXTURE_CONFIG, '--out', out, '--run-id', 'cli-run', '--set', 'max_new_tokens=64']);
    expect(stderr).not.toMatch(/error/);
    expect(code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { run_id: string; jobs: { array?: { points: unknown[] } }[] };
    expect(manifest.run_id).toBe('cli-run');
    expect(manifest.jobs[1]?.array?.points).toEqual([{ batch_size: 1, max_new_tokens: 64 }, { batch_size: 4, max_new_tokens: 64 }, { batch_size: 16, max_new_tokens: 64 }]);
    expect(existsSync(join(out, 'scripts/lora.sbatch'))).toBe(true);
    expect(existsSync(join(out, 'files/workloads/infer.py'))).toBe(true);
    expect(stdout).toMatch(/scripts\/infer\.sbatch {2}gpu on sdumont\/sequana_gpu \(array 0-2%2, 3 tasks\) after lora/);
    expect(stderr).toMatch(/prefetch-hf\.sh on a login node/);
  });

  it('gives byte-identical scripts for the same input and run id', async () => {
    const dir = tempDir('cli-det');
    for (const name of ['a', 'b']) {
      expect(await main(['render', 'lora', '--config', FIXTURE_CONFIG, '--out', join(dir, name), '--run-id', 'same'])).toBe(0);
    }
    expect(readFileSync(join(dir, 'a/scripts/lora.sbatch'))).toEqual(readFileSync(join(dir, 'b/scripts/lora.sbatch')));
  });

  it('defaults to results/<run-id> next to the config, and refuses to overwrite without --force', async () => {
    const project = tempDir('cli-proj');
    cpSync(FIXTURE_DIR, project, { recursive: true });
    const config = join(project, 'hpcbench.yaml');
    expect(await main(['render', 'cpu-baseline', '--config', config, '--run-id', 'r1', '--json'])).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ run_id: 'r1', dir: join(project, 'results/r1') });
    expect(existsSync(join(project, 'results/r1/scripts/cpu-baseline.sbatch'))).toBe(true);
    expect(await main(['render', 'cpu-baseline', '--config', config, '--run-id', 'r1'])).toBe(2);
    expect(stderr).toMatch(/already holds a rendered run[\s\S]*--force/);
    expect(await main(['render', 'cpu-baseline', '--config', config, '--run-id', 'r1', '--force'])).toBe(0);
  });

  it("puts results and workload files under the config's root: directory", async () => {
    const project = tempDir('cli-root');
    cpSync(join(FIXTURE_DIR, 'workloads'), join(project, 'workloads'), { recursive: true });
    mkdirSync(join(project, 'conf'));
    writeFileSync(join(project, 'conf/hpcbench.yaml'), `root: ..\n${readFileSync(FIXTURE_CONFIG, 'utf8')}`);
    expect(await main(['render', 'lora', '--config', join(project, 'conf/hpcbench.yaml'), '--run-id', 'r2'])).toBe(0);
    expect(existsSync(join(project, 'results/r2/scripts/lora.sbatch'))).toBe(true);
    expect(readFileSync(join(project, 'results/r2/files/workloads/train.py'), 'utf8')).toContain('train');
  });

  it('reports a bad experiment or --set as a usage error without a stack trace', async () => {
    expect(await main(['render', 'lorra', '--config', FIXTURE_CONFIG, '--out', tempDir('x')])).toBe(2);
    expect(stderr).toMatch(/no experiment 'lorra'.*did you mean 'lora'/);
    expect(await main(['render', 'lora', '--config', FIXTURE_CONFIG, '--out', tempDir('x'), '--set', 'resources.time=99:00:00'])).toBe(2);
    expect(stderr).toMatch(/experiments\.lora\.resources\.time: partition 'sequana_gpu' allows 4-00:00:00, you asked 4-03:00:00/);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});

describe('hpcbench templates', () => {
  it('lists the templates with their kind and source', async () => {
    expect(await main(['templates', 'list', '--config', FIXTURE_CONFIG])).toBe(0);
    expect(stdout).toMatch(/^gpu\s+job\s+shipped$/m);
    expect(stdout).toMatch(/^prefetch-hf\s+script\s+shipped$/m);
    expect(stdout).toMatch(/^partials\/sidecar\s+partial\s+shipped$/m);
  });

  it('shows one template', async () => {
    expect(await main(['templates', 'show', 'multinode', '--config', FIXTURE_CONFIG])).toBe(0);
    expect(stdout).toContain('torchrun');
    expect(await main(['templates', 'show', 'nope', '--config', FIXTURE_CONFIG])).toBe(2);
    expect(stderr).toMatch(/unknown template 'nope'/);
  });
});
