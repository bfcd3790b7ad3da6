// The environment snapshot a job writes before its workload (environment.json, pip-freeze.txt),
// run by real bash: it records what it can, and every probe that fails is null plus a reason,
// never a failed job.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderRun } from '../../../src/render/index.js';
import { configFromObjects } from './helpers.js';
import { createSandbox, runScriptSync, type Sandbox } from './run-script.js';

type Json = Record<string, unknown>;

function renderCpuJob(): Sandbox {
  const config = configFromObjects({}, { partition: 'cpu', command: 'true', resources: { time: 5 } });
  return createSandbox(renderRun(config, 'exp', { runId: 'env' }));
}

function writeStub(box: Sandbox, name: string, text: string): void {
  writeFileSync(join(box.bin, name), text);
  chmodSync(join(box.bin, name), 0o755);
}

/** A directory with every system command except the pythons: a compute node without python. */
function pathWithoutPython(box: Sandbox): string {
  const dir = join(box.root, 'nopy');
  mkdirSync(dir);
  for (const system of ['/bin', '/usr/bin']) {
    for (const name of readdirSync(system)) {
      if (/^python/.test(name) || existsSync(join(dir, name))) continue;
      symlinkSync(join(system, name), join(dir, name));
    }
  }
  return `${box.bin}:${dir}`;
}

function runAndRead(box: Sandbox, env: Record<string, string> = {}): { environment: Json; stderr: string } {
  const result = runScriptSync(box, 'scripts/exp.sbatch', env);
  expect(result.status, result.stderr).toBe(0);
  const text = readFileSync(join(box.runDir, 'out/exp/main/environment.json'), 'utf8');
  return { environment: JSON.parse(text) as Json, stderr: result.stderr };
}

function systemPython(): string | undefined {
  const found = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

describe('environment snapshot', () => {
  it('renders before the workload in every job template', () => {
    const config = configFromObjects({}, { partition: 'gpu', command: 'true', resources: { time: 5, gpus: 1 } });
    const script = renderRun(config, 'exp', { runId: 'env' }).files.get('scripts/exp.sbatch') ?? '';
    const snapshot = script.indexOf('(hpcb_snapshot_environment) ||');
    expect(snapshot).toBeGreaterThan(script.indexOf('\nhpcb_write_metadata\n'));
    expect(snapshot).toBeLessThan(script.indexOf('hpcb_workload() {'));
  });

  it('records nulls with reasons on a node without python, modules or nvidia-smi, and the job goes on', () => {
    const box = renderCpuJob();
    const { environment } = runAndRead(box, { PATH: pathWithoutPython(box) });
    expect(environment).toMatchObject({
      schema: 'hpcbench.environment/1',
      modules: null,
      modules_reason: expect.stringMatching(/no module command/),
      python: null,
      python_reason: expect.stringMatching(/no python or python3 on PATH/),
      nvidia_driver: null,
      nvidia_driver_reason: 'nvidia-smi not on PATH',
      pip_freeze: null,
      pip_freeze_reason: 'no python to run pip freeze',
    });
    expect(existsSync(join(box.runDir, 'out/exp/main/pip-freeze.txt'))).toBe(false);
    expect(existsSync(join(box.runDir, 'out/exp/main/exit.json'))).toBe(true);
  });

  it('records a python that fails, and a pip freeze that fails, as null with the exit status', () => {
    const box = renderCpuJob();
    writeStub(box, 'python', '#!/bin/bash\necho "{not the snapshot"\nexit 3\n');
    const { environment } = runAndRead(box);
    expect(environment).toMatchObject({
      python: null,
      python_reason: 'python exited with status 3 without printing the snapshot',
      pip_freeze: null,
      pip_freeze_reason: 'python -m pip freeze exited with status 3',
    });
  });

  it('records the modules of an Lmod `module` function, or LOADEDMODULES without one', () => {
    const box = renderCpuJob();
    const lmod = '() { printf "Currently Loaded Modules:\\n  gcc/12.2\\nsequana/current\\n" >&2; }';
    expect(runAndRead(box, { 'BASH_FUNC_module%%': lmod }).environment.modules).toEqual(['gcc/12.2', 'sequana/current']);
    const other = renderCpuJob();
    expect(runAndRead(other, { LOADEDMODULES: 'cuda/12.1:python/3.11' }).environment.modules).toEqual(['cuda/12.1', 'python/3.11']);
  });

  it('records the driver from nvidia-smi', () => {
    const config = configFromObjects({}, { partition: 'gpu', command: 'true', resources: { time: 5, gpus: 1 } });
    const box = createSandbox(renderRun(config, 'exp', { runId: 'env' }), { nvidiaSmi: true });
    expect(runAndRead(box, { SLURM_JOB_ID: '7' }).environment).toMatchObject({ nvidia_driver: '550.54', nvidia_driver_reason: null });
  });

  const python3 = systemPython();
  it.skipIf(python3 === undefined)('records a real python: its version, missing packages with the import error, pip freeze beside it', () => {
    const box = renderCpuJob();
    // The job's python: the machine's python3 with an empty site (no torch there), as a venv would be.
    writeStub(box, 'python', `#!/bin/bash\nexec ${JSON.stringify(python3)} -s "$@"\n`);
    const { environment } = runAndRead(box, { PYTHONPATH: join(box.root, 'site') });
    const python = environment.python as Json;
    expect(environment.python_reason).toBeNull();
    expect(python.version).toMatch(/^3\.\d+\.\d+/);
    expect(typeof python.executable).toBe('string');
    for (const name of ['torch', 'transformers', 'peft', 'accelerate']) {
      if (python[name] === null) expect(python[`${name}_reason`]).toMatch(/Error: /);
      else expect(python[`${name}_reason`]).toBeNull();
    }
    if (python.torch === null) expect(python).toMatchObject({ cuda: null, cuda_reason: 'torch is not importable' });
    const freezeFile = join(box.runDir, 'out/exp/main/pip-freeze.txt');
    if (environment.pip_freeze === 'pip-freeze.txt') expect(existsSync(freezeFile)).toBe(true);
    else expect(environment.pip_freeze_reason).toMatch(/pip freeze exited with status/);
  });
});
