// Ctrl-C on the real binary: `run --local` stops its jobs, keeps what they wrote and exits 130
// (128 + SIGINT), so that `hpcbench run … && next-step` does not go on as if the run had completed.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { localConfigText } from '../support/local-config.js';
import { stillRunning } from '../support/processes.js';

const BIN = resolve('bin/hpcbench.js');

async function waitForFile(path: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(existsSync(path) && readFileSync(path, 'utf8').trim() !== '')) {
    if (Date.now() > deadline) throw new Error(`${path} did not appear within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('Ctrl-C', () => {
  it('stops a local run, keeps its partial results and exits 130', async () => {
    expect(existsSync('dist/cli-bundle/main.js'), 'run `npm run build` first (npm test does)').toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'hpcb-interrupt-'));
    const pidFile = join(dir, 'sleep.pid');
    writeFileSync(
      join(dir, 'hpcbench.yaml'),
      localConfigText(`  long:
    command: 'echo partial > "$HPCBENCH_OUT_DIR/partial.txt"; sleep 120 & echo $! > ${JSON.stringify(pidFile)}; wait'`),
    );
    const child = spawn(process.execPath, [BIN, 'run', 'long', '--local', '--config', join(dir, 'hpcbench.yaml')], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    await waitForFile(pidFile);
    child.kill('SIGINT');
    const code = await exited;
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/interrupting: stopping the jobs, keeping partial results/);
    expect(stderr).toMatch(/hpcbench: run \S+ was interrupted; its jobs were stopped and the partial results are in /);
    const [runId] = readdirSync(join(dir, 'results'));
    const runDir = join(dir, 'results', runId ?? '');
    expect(readFileSync(join(runDir, 'out', 'long', 'main', 'partial.txt'), 'utf8')).toBe('partial\n');
    expect((JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as { phase: string }).phase).toBe('interrupted');
    const sleeper = Number(readFileSync(pidFile, 'utf8'));
    for (let i = 0; i < 15 && stillRunning(sleeper); i += 1) await new Promise((r) => setTimeout(r, 100));
    expect(stillRunning(sleeper)).toBe(false);
  }, 90_000);
});
