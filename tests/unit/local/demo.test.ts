import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const repo = resolve('.');

/** The files git tracks (the repository as a fresh clone has it), plus the installed node_modules. */
function freshCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hpcb-fresh-'));
  const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: repo, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const file of tracked) {
    if (!existsSync(join(repo, file))) continue; // deleted in the working tree
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    cpSync(join(repo, file), join(dir, file));
  }
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

describe('hpcbench demo', () => {
  it('succeeds from a fresh copy of the repository: builds, renders, runs the CPU job, profiles, reports', () => {
    const dir = freshCopy();
    // What `npm run build` runs: tsc for the library, then the CLI bundle that bin/hpcbench.js loads.
    execFileSync(process.execPath, [join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: dir });
    execFileSync(process.execPath, ['scripts/bundle-cli.mjs'], { cwd: dir });
    const result = spawnSync(process.execPath, ['bin/hpcbench.js', 'demo'], { cwd: dir, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/cpu-baseline\/main/);
    expect(result.stdout).toMatch(/infer\/5 \(batch_size=16 max_new_tokens=128\)/);
    for (const file of ['report.md', 'report.pt-BR.md', 'report.html', 'metrics.csv']) {
      expect(existsSync(join(dir, 'report', 'demo', 'cpu-local', file)), file).toBe(true);
      expect(existsSync(join(dir, 'report', 'demo', 'gpu-example', file)), file).toBe(true);
    }
    const runs = readdirSync(join(dir, 'results'));
    const rendered = runs.find((r) => r.includes('demo-infer'));
    expect(rendered).toBeDefined();
    for (const script of ['lora.sbatch', 'infer.sbatch', 'infer.sweep.tsv', 'prefetch-hf.sh']) {
      expect(existsSync(join(dir, 'results', rendered!, 'scripts', script)), script).toBe(true);
    }
    const cpuRun = runs.find((r) => r.includes('demo-cpu-baseline'))!;
    const metrics = JSON.parse(readFileSync(join(dir, 'results', cpuRun, 'metrics.json'), 'utf8')) as { tasks: { inference?: { requests: number } }[] };
    expect(metrics.tasks[0]?.inference?.requests).toBeGreaterThan(0);
    expect(readFileSync(join(dir, 'report', 'demo', 'gpu-example', 'report.md'), 'utf8')).toMatch(/infer/);
  }, 180_000);
});
