// The checkpoint trap, for real: SLURM's --signal=B:USR1 reaches the batch shell; the shell must
// forward it to the workload, wait for its checkpoint, then requeue the job.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderRun } from '../../../src/render/index.js';
import { configFromObjects } from './helpers.js';
import { createSandbox, startScript } from './run-script.js';

// A workload that saves a checkpoint when told to, as a training loop would (bash, so the test
// needs nothing else). It keeps a child process running to show the whole group gets the signal.
const WORKLOAD = [
  'trap \'echo "step=42 restart=${SLURM_RESTART_COUNT:-0}" > "$HPCBENCH_CHECKPOINT_DIR/ckpt"; exit 0\' USR1',
  'touch "$HPCBENCH_OUT_DIR/ready"',
  'while true; do sleep 0.1; done',
].join('\n');

async function waitFor(path: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (Date.now() > deadline) throw new Error(`${path} did not appear within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function render(checkpoint: Record<string, unknown>) {
  const config = configFromObjects({}, { partition: 'cpu', command: WORKLOAD, resources: { time: 30 }, checkpoint });
  return renderRun(config, 'exp', { runId: 'ck1' });
}

describe('checkpoint and requeue', () => {
  it('renders --signal and --requeue, and appends output across restarts', () => {
    const script = render({ seconds_before: 120, grace_seconds: 30 }).files.get('scripts/exp.sbatch') ?? '';
    expect(script).toContain('#SBATCH --signal=B:USR1@120\n#SBATCH --requeue\n#SBATCH --open-mode=append\n');
    expect(script).toContain('trap hpcb_on_checkpoint_signal USR1\n');
  });

  it('forwards USR1 to the workload, waits for its checkpoint and requeues the job', async () => {
    const box = createSandbox(render({ seconds_before: 120, grace_seconds: 20 }));
    const run = startScript(box, 'scripts/exp.sbatch', { SLURM_JOB_ID: '4242', SLURM_RESTART_COUNT: '1' });
    const out = join(box.runDir, 'out/exp/main');
    await waitFor(join(out, 'ready'));
    run.child.kill('SIGUSR1');
    const result = await run.done;
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/SIGUSR1 .*asking the workload to checkpoint/);
    expect(readFileSync(join(box.runDir, 'checkpoints/exp/main/ckpt'), 'utf8')).toBe('step=42 restart=1\n');
    expect(readFileSync(box.callLog, 'utf8')).toMatch(/^scontrol LC_ALL= requeue 4242$/m);
    expect(JSON.parse(readFileSync(join(out, 'exit.json'), 'utf8'))).toMatchObject({ signal: 'USR1', requeued: true, restart_count: 1, exit_code: 0 });
    expect(JSON.parse(readFileSync(join(out, 'metadata.json'), 'utf8'))).toMatchObject({ restart_count: 1 });
  });

  it('does not requeue when requeue is off, and forwards the configured signal', async () => {
    const rendered = render({ seconds_before: 120, grace_seconds: 20, requeue: false, signal: 'USR2' });
    const script = rendered.files.get('scripts/exp.sbatch') ?? '';
    expect(script).toContain('#SBATCH --signal=B:USR2@120\n');
    expect(script).not.toContain('--requeue');
    // The workload above traps USR1 only; USR2 ends it (default action), which is what a workload without a handler gets.
    const box = createSandbox(rendered);
    const run = startScript(box, 'scripts/exp.sbatch', { SLURM_JOB_ID: '4243' });
    await waitFor(join(box.runDir, 'out/exp/main/ready'));
    run.child.kill('SIGUSR2');
    const result = await run.done;
    expect(existsSync(box.callLog) ? readFileSync(box.callLog, 'utf8') : '').not.toMatch(/requeue/);
    expect(JSON.parse(readFileSync(join(box.runDir, 'out/exp/main/exit.json'), 'utf8'))).toMatchObject({ signal: 'USR2', requeued: false });
    expect(result.status).not.toBe(0);
  });
});

describe('termination', () => {
  it('passes SIGTERM (scancel, time limit) to the workload and records it in exit.json', async () => {
    const config = configFromObjects({}, { partition: 'cpu', command: 'touch "$HPCBENCH_OUT_DIR/ready"; while true; do sleep 0.1; done', resources: { time: 30 } });
    const box = createSandbox(renderRun(config, 'exp', { runId: 'term' }));
    const run = startScript(box, 'scripts/exp.sbatch', { SLURM_JOB_ID: '9' });
    await waitFor(join(box.runDir, 'out/exp/main/ready'));
    run.child.kill('SIGTERM');
    const result = await run.done;
    expect(result.status).toBe(143);
    expect(JSON.parse(readFileSync(join(box.runDir, 'out/exp/main/exit.json'), 'utf8'))).toMatchObject({ exit_code: 143, signal: 'TERM', requeued: false });
  });
});
