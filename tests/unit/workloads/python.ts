// Runs the reference workloads (workloads/*.py) with the Python of the venv that
// tests/cluster/venv.sh builds, and reads what they log. Shared by the unit tests (runs on this
// machine) and tests/integration/workloads.test.ts (the uninterrupted reference run).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeRequiring } from '../support/requirement.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const WORKLOAD_PYTHON = process.env.HPCBENCH_TEST_PYTHON || '/opt/hpcbench-venv/bin/python';
export const TRAIN_TEXT = join(REPO_ROOT, 'data_sample/train.txt');
const VENV_MISSING = `no Python with torch, transformers, peft and accelerate at ${WORKLOAD_PYTHON}: run \`sudo bash tests/cluster/venv.sh\` (or set HPCBENCH_TEST_PYTHON)`;

function probeVenv(): string | undefined {
  if (!existsSync(WORKLOAD_PYTHON)) return `${WORKLOAD_PYTHON} does not exist`;
  const probe = spawnSync(WORKLOAD_PYTHON, ['-c', 'import accelerate, peft, torch, transformers'], { encoding: 'utf8', timeout: 120_000 });
  return probe.status === 0 ? undefined : (probe.stderr.trim().split('\n').pop() ?? `exit ${String(probe.status)}`);
}

/** Declares a suite that needs the workloads' venv (see describeRequiring). */
export function describeWithVenv(name: string, fn: () => void): void {
  const requirement = { missing: VENV_MISSING, check: 'has the workloads venv', warnPrefix: '[workloads]' };
  describeRequiring(name, requirement, probeVenv(), fn);
}

/**
 * A fresh directory laid out like a job's: the environment the job script exports points the
 * training log, checkpoints and outputs into it, and an empty HF_HOME with the offline switches on
 * proves that nothing is read from a cache or downloaded.
 */
export function jobDir(prefix: string): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = mkdtempSync(join(tmpdir(), `hpcb-${prefix}-`));
  mkdirSync(join(dir, 'checkpoints'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HPCBENCH_OUT_DIR: dir,
    HPCBENCH_TRAINING_LOG: join(dir, 'train.jsonl'),
    HPCBENCH_INFERENCE_LOG: join(dir, 'inference.jsonl'),
    HPCBENCH_CHECKPOINT_DIR: join(dir, 'checkpoints'),
    HPCBENCH_CHECKPOINT_SIGNAL: 'USR1',
    HF_HOME: join(dir, 'hf-home'),
    HF_HUB_OFFLINE: '1',
    TRANSFORMERS_OFFLINE: '1',
    // The recipes take their thread count from here; the losses are reproducible for a fixed count.
    SLURM_CPUS_PER_TASK: '1',
  };
  return { dir, env };
}

export interface PythonRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

export interface RunOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Send SIGUSR1 once the training log at this path shows a step ≥ signalAtStep. */
  trainingLog?: string;
  signalAtStep?: number;
}

/** The step of the last complete line of a training log, or 0. */
function lastLoggedStep(path: string): number {
  if (!existsSync(path)) return 0;
  const text = readFileSync(path, 'utf8');
  const lines = text.slice(0, text.lastIndexOf('\n')).split('\n');
  const last = lines[lines.length - 1];
  return last ? ((JSON.parse(last) as { step?: number }).step ?? 0) : 0;
}

/** Runs a workload with the venv's Python; optionally interrupts it as the job script would. */
export function runPython(args: string[], options: RunOptions): Promise<PythonRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(WORKLOAD_PYTHON, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    let watcher: NodeJS.Timeout | undefined;
    const { trainingLog, signalAtStep } = options;
    if (trainingLog !== undefined && signalAtStep !== undefined) {
      watcher = setInterval(() => {
        if (lastLoggedStep(trainingLog) >= signalAtStep) {
          clearInterval(watcher);
          child.kill('SIGUSR1');
        }
      }, 5);
    }
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearInterval(watcher);
      resolvePromise({ code, signal, output });
    });
  });
}

/** [step, loss] of every record of a train.jsonl that has a loss, in file order. */
export function lossesOf(text: string): [number, number][] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as { step: number; loss?: number })
    .filter((record) => record.loss !== undefined)
    .map((record) => [record.step, record.loss as number]);
}
