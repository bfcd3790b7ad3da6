// Every shipped template's output passes `bash -n` and Debian's shellcheck with no findings at all
// (info level included); the few disables in the templates carry their reason.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileOf, localConfig, renderFixture, tempDir } from './helpers.js';
import { renderRun } from '../../../src/render/index.js';

const CASES: [string, () => string][] = [
  ['gpu with checkpoint', () => fileOf(renderFixture('lora'), 'scripts/lora.sbatch')],
  ['gpu array', () => fileOf(renderFixture('infer'), 'scripts/infer.sbatch')],
  ['gpus-per-node', () => fileOf(renderFixture('h100-infer'), 'scripts/h100-infer.sbatch')],
  ['multinode', () => fileOf(renderFixture('multi'), 'scripts/multi.sbatch')],
  ['cpu', () => fileOf(renderFixture('cpu-baseline'), 'scripts/cpu-baseline.sbatch')],
  ['prefetch-hf', () => fileOf(renderFixture('infer'), 'scripts/prefetch-hf.sh')],
  [
    'cpu array with checkpoint, no requeue',
    () =>
      fileOf(
        renderRun(localConfig('partition: cpu\ncommand: ./run.sh\ncheckpoint: { requeue: false, seconds_before: 60 }\nsweep: { matrix: { n: [1, 2] } }\nprofiling: { inference_log: /abs/inf.jsonl }'), 'exp', { runId: 'r1' }),
        'scripts/exp.sbatch',
      ),
  ],
];

describe('rendered scripts', () => {
  const dir = tempDir('shellcheck');

  it('shellcheck is installed (apt-get install -y shellcheck)', () => {
    expect(spawnSync('shellcheck', ['--version'], { encoding: 'utf8' }).status).toBe(0);
  });

  it.each(CASES)('%s passes bash -n and shellcheck', (name, render) => {
    const file = join(dir, `${name.replace(/\W+/g, '-')}.sh`);
    writeFileSync(file, render());
    const syntax = spawnSync('bash', ['-n', file], { encoding: 'utf8', timeout: 20_000 });
    expect(syntax.stderr).toBe('');
    expect(syntax.status).toBe(0);
    const lint = spawnSync('shellcheck', ['--shell=bash', '--severity=style', '--format=gcc', file], { encoding: 'utf8' });
    expect(lint.stdout + lint.stderr).toBe('');
    expect(lint.status).toBe(0);
  });
});
