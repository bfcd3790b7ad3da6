// The workload side of the checkpoint contract (docs/checkpointing.md), run for real on this
// machine's CPU: each workload is run once uninterrupted, and once interrupted by SIGUSR1 as the
// job script would (it saves at the end of the step and exits 0) and run again (it resumes from
// HPCBENCH_CHECKPOINT_DIR). The resumed run must log exactly the same loss at every step.
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { REPO_ROOT, TRAIN_TEXT, describeWithVenv, jobDir, lossesOf, runPython, type PythonRun } from './python.js';

interface Case {
  name: string;
  args: string[];
  steps: number;
  /** The interruption comes once the log shows this step: early, so that the run cannot end first. */
  signalAtStep: number;
  /** A file of final weights, the same bytes after an exact resume (relative to the job directory). */
  finalWeights?: string;
}

const CASES: Case[] = [
  {
    name: 'workloads/train_lora.py --random-init',
    args: ['workloads/train_lora.py', '--random-init', '--train', TRAIN_TEXT, '--max-steps', '200', '--batch-size', '4', '--max-length', '64',
      '--lr', '1e-3', '--log-steps', '1', '--save-steps', '0', '--save-every-pct', '25', '--threads', '1'],
    steps: 200,
    signalAtStep: 5,
    finalWeights: 'adapter/adapter_model.safetensors',
  },
  {
    name: 'workloads/recipes/hf_trainer_checkpoint.py',
    args: ['workloads/recipes/hf_trainer_checkpoint.py', '--train', TRAIN_TEXT, '--steps', '200'],
    steps: 200,
    signalAtStep: 5,
    finalWeights: 'checkpoints/checkpoint-200/model.safetensors',
  },
  {
    name: 'workloads/recipes/torch_loop_checkpoint.py',
    args: ['workloads/recipes/torch_loop_checkpoint.py', '--steps', '2000'],
    steps: 2000,
    signalAtStep: 20,
  },
];

function expectSuccess(run: PythonRun, what: string): void {
  expect(run.code, `${what} exited ${String(run.code)} (signal ${String(run.signal)}):\n${run.output.slice(-3000)}`).toBe(0);
}

describeWithVenv('reference workloads: checkpoint on a signal and resume exactly', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it.each(CASES)('$name: interrupted and resumed, it logs the losses of an uninterrupted run', async (c) => {
    const reference = jobDir('ref');
    const interrupted = jobDir('int');
    dirs.push(reference.dir, interrupted.dir);
    const trainingLog = join(interrupted.dir, 'train.jsonl');
    const [whole, first] = await Promise.all([
      runPython(c.args, { cwd: REPO_ROOT, env: reference.env }),
      runPython(c.args, { cwd: REPO_ROOT, env: interrupted.env, trainingLog, signalAtStep: c.signalAtStep }),
    ]);
    expectSuccess(whole, 'the uninterrupted run');
    expectSuccess(first, 'the interrupted run');
    const stoppedAt = lossesOf(readFileSync(trainingLog, 'utf8')).at(-1)?.[0] ?? 0;
    expect(stoppedAt, 'the signal should stop the run before its end').toBeGreaterThanOrEqual(c.signalAtStep);
    expect(stoppedAt).toBeLessThan(c.steps);

    const resumed = await runPython(c.args, { cwd: REPO_ROOT, env: interrupted.env });
    expectSuccess(resumed, 'the resumed run');
    expect(resumed.output).toMatch(new RegExp(`resum\\w* (from|at) .*\\b${String(stoppedAt)}\\b`));

    const expected = lossesOf(readFileSync(join(reference.dir, 'train.jsonl'), 'utf8'));
    expect(expected.map(([step]) => step)).toEqual(Array.from({ length: c.steps }, (_, i) => i + 1));
    expect(lossesOf(readFileSync(trainingLog, 'utf8'))).toEqual(expected);
    if (c.finalWeights !== undefined) {
      expect(readFileSync(join(interrupted.dir, c.finalWeights)).equals(readFileSync(join(reference.dir, c.finalWeights)))).toBe(true);
    }
    // Atomic saves leave no temporary files behind, and only the latest two checkpoints are kept.
    const kept = readdirSync(interrupted.env.HPCBENCH_CHECKPOINT_DIR!);
    expect(kept.filter((name) => name.includes('tmp'))).toEqual([]);
    expect(kept.filter((name) => /^(step-|checkpoint-|ckpt-)\d+/.test(name))).toHaveLength(2);
  }, 120_000);
});
