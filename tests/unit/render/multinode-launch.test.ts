// A multinode command that starts its own launcher (issue 12, point 2) is not wrapped twice: a
// command starting with torchrun runs once per node under srun, one starting with srun runs as
// written, anything else is what follows hpcbench's own torchrun. The scripts pass shellcheck.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderRun } from '../../../src/render/index.js';
import { configFromObjects, fileOf, tempDir } from './helpers.js';

const USER_TORCHRUN = 'torchrun --nnodes="$SLURM_JOB_NUM_NODES" --nproc-per-node=2 --rdzv-backend=c10d --rdzv-endpoint="$MASTER_ADDR:$MASTER_PORT" train.py --lr {lr}';

function render(command: string, extra: Record<string, unknown> = {}) {
  return renderRun(configFromObjects({}, { partition: 'gpu', resources: { nodes: 2, gpus: 2 }, command, parameters: { lr: 0.1 }, ...extra }), 'exp', { runId: 'r' });
}

function shellcheck(script: string): string {
  const file = join(tempDir('launch'), 'job.sbatch');
  writeFileSync(file, script);
  const lint = spawnSync('shellcheck', ['--shell=bash', '--severity=style', '--format=gcc', file], { encoding: 'utf8' });
  return lint.stdout + lint.stderr;
}

describe('multinode launch', () => {
  it('runs a command that starts with torchrun once per node under srun, not inside a second torchrun', () => {
    const script = fileOf(render(USER_TORCHRUN), 'scripts/exp.sbatch');
    expect(script).toContain(`srun --kill-on-bad-exit=1 --nodes="$SLURM_JOB_NUM_NODES" --ntasks-per-node=1 \\\n  ${USER_TORCHRUN.replace('{lr}', '0.1')}\n`);
    expect(script.match(/^\s*torchrun /gm)).toHaveLength(1);
    expect(script).not.toMatch(/--rdzv-id="\$SLURM_JOB_ID"/);
    expect(shellcheck(script)).toBe('');
  });

  it('runs a command that starts with srun as written', () => {
    const script = fileOf(render('srun --ntasks-per-node=2 python train.py --lr {lr}'), 'scripts/exp.sbatch');
    expect(script).toContain('\nsrun --ntasks-per-node=2 python train.py --lr 0.1\n');
    expect(script).not.toMatch(/^\s*torchrun /m);
    expect(script).not.toMatch(/srun --kill-on-bad-exit/);
  });

  it('wraps a plain script in its own torchrun, and gives each array task its own line', () => {
    const plain = fileOf(render('train.py --lr {lr}'), 'scripts/exp.sbatch');
    expect(plain).toMatch(/--rdzv-endpoint="\$MASTER_ADDR:\$MASTER_PORT" \\\n {2}train\.py --lr 0\.1\n/);
    const swept = fileOf(render('train.py --lr {lr} --bs {bs}', { sweep: { matrix: { bs: [8, 16] } } }), 'scripts/exp.sbatch');
    expect(swept).toMatch(/case "\$HPCBENCH_TASK" in\n0\)\nsrun [^\n]*\n {2}torchrun [^]*? {2}train\.py --lr 0\.1 --bs 8\n;;\n1\)\n[^]*train\.py --lr 0\.1 --bs 16\n;;\n\*\)/);
    expect(shellcheck(swept)).toBe('');
  });

  it('warns when a torchrun line lacks --nnodes, or when a wrapped command calls torchrun again', () => {
    expect(render('torchrun --nproc-per-node=2 train.py').warnings).toEqual([expect.stringMatching(/experiments\.exp\.command: your torchrun runs once per node under srun but has no --nnodes/)]);
    expect(render('cd src && torchrun train.py').warnings).toEqual([expect.stringMatching(/experiments\.exp\.command: the multinode template runs `command` inside its own torchrun/)]);
  });
});
