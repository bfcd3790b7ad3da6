// The checkpoint trap, for real bash outside SLURM: SLURM's --signal=B:USR1 reaches the batch
// shell only; the shell must pass it to every process of the workload, wait for those processes
// (not for a wrapper) to write their checkpoint, then requeue — or say why it does not.
// scontrol is a stub (run-script.ts); the real cluster runs these paths in tests/integration.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderRun } from '../../../src/render/index.js';
import { configFromObjects } from './helpers.js';
import { createSandbox, startScript, type Sandbox } from './run-script.js';

const OUT = 'out/exp/main';
const CKPT = 'checkpoints/exp/main';

/**
 * The usual shape of a real job: a wrapper shell without a handler runs the training process,
 * which takes a while to save on the signal. Here both are bash, so the test needs nothing else;
 * the "training" saves in a child and exits 0. A second command after it must never run.
 */
const SLOW_SAVER = [
  `bash -c 'trap "sleep 1; echo step=42 restart=\\$HPCBENCH_RESTART_COUNT >\\"\\$HPCBENCH_CHECKPOINT_DIR/ckpt\\"; exit 0" USR1 TERM; touch "$HPCBENCH_OUT_DIR/ready"; while true; do sleep 0.1; done'`,
  'touch "$HPCBENCH_OUT_DIR/next-command-ran"',
].join('\n');

async function waitFor(path: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (Date.now() > deadline) throw new Error(`${path} did not appear within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function render(command: string, checkpoint: Record<string, unknown>) {
  const config = configFromObjects({}, { partition: 'cpu', command, resources: { time: 30 }, checkpoint });
  return renderRun(config, 'exp', { runId: 'ck1' });
}

interface Events {
  restart: number;
  signal: string;
  workload_exited: boolean;
  workload_exit_code: number | null;
  checkpoint_changed: boolean | null;
  action: string;
  reason_code: string;
  reason: string;
  waited_s: number;
}

function readEvents(box: Sandbox): Events[] {
  return readFileSync(join(box.runDir, OUT, 'checkpoints.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Events);
}

function readJson(box: Sandbox, path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(box.runDir, path), 'utf8')) as Record<string, unknown>;
}

function calls(box: Sandbox): string {
  return existsSync(box.callLog) ? readFileSync(box.callLog, 'utf8') : '';
}

/** Starts the rendered script, waits for the workload's ready file, sends `signal` to bash. */
async function runAndSignal(rendered: ReturnType<typeof render>, signal: NodeJS.Signals, env: Record<string, string> = {}) {
  const box = createSandbox(rendered);
  const run = startScript(box, 'scripts/exp.sbatch', { SLURM_JOB_ID: '4242', ...env });
  await waitFor(join(box.runDir, OUT, 'ready'));
  run.child.kill(signal);
  return { box, run, result: await run.done };
}

describe('checkpoint signal', () => {
  it('renders --signal, --requeue and append mode, and traps the signal', () => {
    const script = render('true', { seconds_before: 120, grace_seconds: 30 }).files.get('scripts/exp.sbatch') ?? '';
    expect(script).toContain('#SBATCH --signal=B:USR1@120\n#SBATCH --requeue\n#SBATCH --open-mode=append\n');
    expect(script).toContain('trap hpcb_on_checkpoint_signal USR1\n');
  });

  it('waits for the process that saves (not its wrapper), then requeues; the next command never runs', async () => {
    const { box, result } = await runAndSignal(render(SLOW_SAVER, { seconds_before: 120, grace_seconds: 60 }), 'SIGUSR1', { SLURM_RESTART_COUNT: '1' });
    expect(result.status, result.stderr).toBe(0);
    // The stub saw the finished checkpoint when it was asked to requeue: the trap waited for it.
    expect(calls(box)).toMatch(/^scontrol LC_ALL= requeue 4242\ncheckpoint dir at requeue: ckpt $/m);
    expect(readFileSync(join(box.runDir, CKPT, 'ckpt'), 'utf8')).toBe('step=42 restart=1\n');
    expect(existsSync(join(box.runDir, OUT, 'next-command-ran'))).toBe(false);
    expect(result.stderr).toMatch(/SIGUSR1: asking the workload to checkpoint \(restart 1; waiting up to 60 s\)/);
    expect(result.stderr).toMatch(/the workload exited \d+ s after SIGUSR1 \(status 0\): its checkpoint took \d+ s/);
    expect(result.stderr).toMatch(/requeueing job 4242 \(restart 2 of at most 10\)/);
    expect(readJson(box, `${OUT}/exit.json`)).toMatchObject({ signal: 'USR1', requeued: true, restart_count: 1, exit_code: 0, stop_reason: null });
    expect(readJson(box, `${OUT}/metadata.json`)).toMatchObject({ restart_count: 1 });
    const [event, ...more] = readEvents(box);
    expect(more).toEqual([]);
    expect(event).toMatchObject({ restart: 1, signal: 'USR1', workload_exited: true, workload_exit_code: 0, checkpoint_changed: true, action: 'requeued', reason_code: 'requeued' });
    expect(event?.waited_s).toBeGreaterThanOrEqual(1);
  });

  it('records the requeue when SLURM\'s SIGTERM ending the attempt comes before scontrol returns', async () => {
    const { box, result } = await runAndSignal(render(SLOW_SAVER, { seconds_before: 120, grace_seconds: 60 }), 'SIGUSR1', { HPCB_TEST_REQUEUE_TERMINATES: '1' });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/SIGTERM: passing it to the workload/);
    expect(readJson(box, `${OUT}/exit.json`)).toMatchObject({ signal: 'USR1', requeued: true, exit_code: 0, stop_reason: null });
    const [event, ...more] = readEvents(box);
    expect(more).toEqual([]);
    expect(event).toMatchObject({ signal: 'USR1', action: 'requeued', reason_code: 'requeued' });
  });

  it('reaches a workload process that left the process group (its own session)', async () => {
    const command = `setsid bash -c 'trap "echo saved >\\"\\$HPCBENCH_CHECKPOINT_DIR/from-setsid\\"; exit 0" USR1; touch "$HPCBENCH_OUT_DIR/ready"; while true; do sleep 0.1; done'`;
    const { box, result } = await runAndSignal(render(command, { seconds_before: 120, grace_seconds: 30 }), 'SIGUSR1');
    expect(result.status, result.stderr).toBe(0);
    expect(readFileSync(join(box.runDir, CKPT, 'from-setsid'), 'utf8')).toBe('saved\n');
    expect(calls(box)).toMatch(/checkpoint dir at requeue: from-setsid $/m);
  });

  it('ends FAILED with exit 91 and the reason when scontrol requeue fails', async () => {
    const { box, result } = await runAndSignal(render(SLOW_SAVER, { seconds_before: 120, grace_seconds: 30 }), 'SIGUSR1', { HPCB_TEST_REQUEUE_FAILS: '1' });
    expect(result.status).toBe(91);
    expect(result.stderr).toMatch(/not requeueing: scontrol requeue failed \(scontrol: error: Requested operation is presently disabled for job 4242\); the work done so far is in .*checkpoints\/exp\/main: resubmit to resume/);
    expect(readJson(box, `${OUT}/exit.json`)).toMatchObject({ exit_code: 91, requeued: false, stop_reason: 'requeue-failed' });
    expect(readEvents(box)).toMatchObject([{ action: 'stopped', reason_code: 'requeue-failed' }]);
  });

  it('stops at checkpoint.max_restarts with exit 92, without asking scontrol', async () => {
    const rendered = render(SLOW_SAVER, { seconds_before: 120, grace_seconds: 30, max_restarts: 3 });
    const { box, result } = await runAndSignal(rendered, 'SIGUSR1', { SLURM_RESTART_COUNT: '3' });
    expect(result.status).toBe(92);
    expect(calls(box)).not.toMatch(/requeue/);
    expect(result.stderr).toMatch(/not requeueing: restart limit reached: the job was requeued 3 times \(checkpoint.max_restarts: 3\)/);
    expect(readJson(box, `${OUT}/exit.json`)).toMatchObject({ exit_code: 92, stop_reason: 'max-restarts', restart_count: 3 });
  });

  it('stops with exit 93 when the attempt left the checkpoint directory unchanged', async () => {
    // Exits on the signal without saving anything: requeueing it would only repeat the same work.
    const command = 'trap "exit 0" USR1; touch "$HPCBENCH_OUT_DIR/ready"; while true; do sleep 0.1; done';
    const { box, result } = await runAndSignal(render(command, { seconds_before: 120, grace_seconds: 30 }), 'SIGUSR1', { SLURM_RESTART_COUNT: '2' });
    expect(result.status).toBe(93);
    expect(calls(box)).not.toMatch(/requeue/);
    expect(result.stderr).toMatch(/not requeueing: no progress since restart 2: nothing was ever written to the checkpoint directory/);
    expect(readEvents(box)).toMatchObject([{ restart: 2, checkpoint_changed: false, action: 'stopped', reason_code: 'no-progress' }]);
  });

  it('requeues once more after one attempt without progress, and stops after a second', async () => {
    // A checkpoint saved earlier, and a signal that comes before the workload saves anything new.
    const command = 'trap "exit 0" USR1; touch "$HPCBENCH_OUT_DIR/ready"; while true; do sleep 0.1; done';
    const rendered = render(command, { seconds_before: 120, grace_seconds: 30 });
    const attempt = async (restart: number, previous?: string) => {
      const box = createSandbox(rendered);
      mkdirSync(join(box.runDir, CKPT), { recursive: true });
      writeFileSync(join(box.runDir, CKPT, 'step-40.pt'), 'saved by an earlier attempt');
      if (previous !== undefined) {
        mkdirSync(join(box.runDir, OUT), { recursive: true });
        writeFileSync(join(box.runDir, OUT, 'checkpoints.jsonl'), previous);
      }
      const run = startScript(box, 'scripts/exp.sbatch', { SLURM_JOB_ID: '4242', SLURM_RESTART_COUNT: String(restart) });
      await waitFor(join(box.runDir, OUT, 'ready'));
      run.child.kill('SIGUSR1');
      return { box, result: await run.done };
    };
    const once = await attempt(1);
    expect(once.result.status, once.result.stderr).toBe(0);
    expect(once.result.stderr).toMatch(/the checkpoint directory did not change during this attempt; requeueing once more/);
    expect(calls(once.box)).toMatch(/requeue 4242/);
    const [event] = readEvents(once.box);
    expect(event).toMatchObject({ restart: 1, checkpoint_changed: false, action: 'requeued' });
    const twice = await attempt(2, `${JSON.stringify(event)}\n`);
    expect(twice.result.status).toBe(93);
    expect(twice.result.stderr).toMatch(/no progress since restart 1: the checkpoint directory did not change during restarts 1 and 2/);
    expect(calls(twice.box)).not.toMatch(/requeue/);
  });

  it('lets a workload that ignores the signal run on, and does not requeue it without progress', async () => {
    const command = 'trap "" USR1; touch "$HPCBENCH_OUT_DIR/ready"; while [ ! -f "$HPCBENCH_OUT_DIR/finish" ]; do sleep 0.1; done; echo finished';
    const box = createSandbox(render(command, { seconds_before: 120, grace_seconds: 1 }));
    const run = startScript(box, 'scripts/exp.sbatch', { SLURM_JOB_ID: '4242' });
    await waitFor(join(box.runDir, OUT, 'ready'));
    run.child.kill('SIGUSR1');
    await waitFor(join(box.runDir, OUT, 'checkpoints.jsonl'));
    writeFileSync(join(box.runDir, OUT, 'finish'), '');
    const result = await run.done;
    // It finished its work by itself: the job's status is the workload's.
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toBe('finished\n');
    expect(result.stderr).toMatch(/the workload is still running \d+ s after SIGUSR1: it did not stop for the checkpoint signal/);
    expect(readEvents(box)).toMatchObject([{ workload_exited: false, workload_exit_code: null, reason_code: 'no-progress' }]);
    expect(calls(box)).not.toMatch(/requeue/);
  });

  it('with requeue off, checkpoints and ends with exit 90; the configured signal is forwarded', async () => {
    const rendered = render(SLOW_SAVER.replace('USR1 TERM', 'USR2'), { seconds_before: 120, grace_seconds: 20, requeue: false, signal: 'USR2' });
    const script = rendered.files.get('scripts/exp.sbatch') ?? '';
    expect(script).toContain('#SBATCH --signal=B:USR2@120\n');
    expect(script).not.toContain('--requeue');
    const { box, result } = await runAndSignal(rendered, 'SIGUSR2');
    expect(result.status).toBe(90);
    expect(calls(box)).not.toMatch(/requeue/);
    expect(readFileSync(join(box.runDir, CKPT, 'ckpt'), 'utf8')).toBe('step=42 restart=0\n');
    expect(readJson(box, `${OUT}/exit.json`)).toMatchObject({ signal: 'USR2', requeued: false, stop_reason: 'requeue-disabled', exit_code: 90 });
  });
});

describe('termination', () => {
  it('passes SIGTERM to the workload, waits for its checkpoint within the term grace, and records it', async () => {
    const { box, result } = await runAndSignal(render(SLOW_SAVER, { seconds_before: 120, grace_seconds: 30, term_grace_seconds: 15 }), 'SIGTERM');
    expect(result.status).toBe(143);
    expect(readFileSync(join(box.runDir, CKPT, 'ckpt'), 'utf8')).toBe('step=42 restart=0\n');
    expect(result.stderr).toMatch(/SIGTERM: passing it to the workload and waiting up to 15 s for it to exit/);
    expect(result.stderr).toMatch(/the workload exited \d+ s after SIGTERM/);
    expect(readJson(box, `${OUT}/exit.json`)).toMatchObject({ exit_code: 143, signal: 'TERM', requeued: false });
    expect(readEvents(box)).toMatchObject([{ signal: 'TERM', action: 'ended', reason_code: 'terminated', workload_exited: true }]);
    expect(calls(box)).not.toMatch(/requeue/);
  });

  it('passes SIGTERM on in a job without checkpointing and records it in exit.json', async () => {
    const config = configFromObjects({}, { partition: 'cpu', command: 'touch "$HPCBENCH_OUT_DIR/ready"; while true; do sleep 0.1; done', resources: { time: 30 } });
    const { box, result } = await runAndSignal(renderRun(config, 'exp', { runId: 'term' }), 'SIGTERM');
    expect(result.status).toBe(143);
    expect(readJson(box, `${OUT}/exit.json`)).toMatchObject({ exit_code: 143, signal: 'TERM', requeued: false, stop_reason: null });
  });
});

describe('trap handlers', () => {
  // bash 5.2 re-parses a $(...) when it runs it; inside a trap that interrupted `wait` that parse
  // can fail ("unexpected EOF while looking for matching `)'") and the handler dies half-way.
  it('run no command substitution in any function a trap reaches', () => {
    const script = render(SLOW_SAVER, { seconds_before: 120, grace_seconds: 30 }).files.get('scripts/exp.sbatch') ?? '';
    const bodies = new Map<string, string>();
    for (const match of script.matchAll(/^(hpcb_\w+)\(\) \{\n([\s\S]*?)^\}$/gm)) bodies.set(match[1]!, match[2]!);
    const roots = [...script.matchAll(/^trap (hpcb_\w+) /gm)].map((m) => m[1]!);
    expect(roots.sort()).toEqual(['hpcb_on_checkpoint_signal', 'hpcb_on_exit', 'hpcb_on_term']);
    const reached = new Set<string>();
    const visit = (name: string): void => {
      if (reached.has(name)) return;
      reached.add(name);
      for (const callee of bodies.get(name)?.match(/\bhpcb_\w+/g) ?? []) if (bodies.has(callee)) visit(callee);
    };
    roots.forEach(visit);
    expect(reached.size).toBeGreaterThan(8);
    for (const name of reached) {
      const body = (bodies.get(name) ?? '').replace(/^\s*#.*$/gm, '');
      expect(body, name).not.toMatch(/\$\(|`/);
    }
  });
});
