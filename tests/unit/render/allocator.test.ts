// The allocator setting reaches PyTorch only through the variable that version reads: the job asks
// its python for torch.__version__ once and sets PYTORCH_CUDA_ALLOC_CONF, PYTORCH_ALLOC_CONF or both.
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderRun } from '../../../src/render/index.js';
import { configFromObjects } from './helpers.js';
import { createSandbox, runScriptSync } from './run-script.js';

const COMMAND = 'env | grep ALLOC_CONF | LC_ALL=C sort >"$HPCBENCH_OUT_DIR/alloc.txt" || true';

function runGpuJob(torchVersion: string | undefined, env: Record<string, string> = {}) {
  const config = configFromObjects({}, { partition: 'gpu', command: COMMAND, resources: { time: 30, gpus: 1 } });
  const box = createSandbox(renderRun(config, 'exp', { runId: 'alloc' }));
  // A stand-in for the venv's python: `import torch` prints the version, or fails like a missing torch.
  const python = torchVersion === undefined ? '#!/bin/bash\necho "ModuleNotFoundError: No module named \'torch\'" >&2\nexit 1\n' : `#!/bin/bash\necho ${torchVersion}\n`;
  writeFileSync(join(box.bin, 'python'), python);
  chmodSync(join(box.bin, 'python'), 0o755);
  const result = runScriptSync(box, 'scripts/exp.sbatch', { SLURM_JOB_ID: '7', ...env });
  expect(result.status, result.stderr).toBe(0);
  const out = join(box.runDir, 'out/exp/main');
  return {
    variables: readFileSync(join(out, 'alloc.txt'), 'utf8').trim().split('\n'),
    metadata: JSON.parse(readFileSync(join(out, 'metadata.json'), 'utf8')) as Record<string, unknown>,
    stderr: result.stderr,
  };
}

describe('PyTorch allocator variable', () => {
  it.each([
    ['2.5.1+cu121', ['PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True'], 'PYTORCH_CUDA_ALLOC_CONF'],
    ['2.9.1+cu128', ['PYTORCH_ALLOC_CONF=expandable_segments:True', 'PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True'], 'PYTORCH_ALLOC_CONF PYTORCH_CUDA_ALLOC_CONF'],
    ['2.11.0', ['PYTORCH_ALLOC_CONF=expandable_segments:True'], 'PYTORCH_ALLOC_CONF'],
  ])('torch %s reads %j', (version, variables, recorded) => {
    const run = runGpuJob(version);
    expect(run.variables).toEqual(variables);
    expect(run.metadata).toMatchObject({ torch_version: version, allocator_env: recorded, allocator_conf: 'expandable_segments:True' });
  });

  it('sets both names when the job has no torch, and says so', () => {
    const run = runGpuJob(undefined);
    expect(run.variables).toEqual(['PYTORCH_ALLOC_CONF=expandable_segments:True', 'PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True']);
    expect(run.metadata).toMatchObject({ torch_version: null, allocator_env: 'PYTORCH_ALLOC_CONF PYTORCH_CUDA_ALLOC_CONF' });
    expect(run.stderr).toMatch(/torch not found: allocator setting 'expandable_segments:True' in PYTORCH_ALLOC_CONF PYTORCH_CUDA_ALLOC_CONF/);
  });

  it("keeps the user's own value, under either name, and moves it to the name torch reads", () => {
    const run = runGpuJob('2.4.0', { PYTORCH_ALLOC_CONF: 'max_split_size_mb:512' });
    expect(run.variables).toEqual(['PYTORCH_CUDA_ALLOC_CONF=max_split_size_mb:512']);
  });
});
