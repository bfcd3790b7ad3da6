// Inputs the fuzz test found, kept as plain cases. Each once ran for minutes or took gigabytes
// (quadratic regular expressions, a parser spending memory per nesting level); each must now
// end, like every input, in a result or exit 1/2 within the memory bound.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../src/config/load.js';
import { detectLogKind } from '../../../src/profile/detect-kind.js';
import { readInferenceLog } from '../../../src/profile/inference/log.js';
import { readTrainerState } from '../../../src/profile/training/trainer-state.js';
import { expectContainedOutcome } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'hpcb-fuzz-regress-'));

describe('fuzz findings', () => {
  it('kind detection of a JSON-looking file whose first line is 1.6 MB long', async () => {
    const file = join(dir, 'job-log.txt');
    writeFileSync(file, `${'{"a":'.repeat(300)}${'A'.repeat(1_600_000)}\n${'x,y\n'.repeat(700)}`);
    expect(await detectLogKind(file)).toBe('unknown');
  });

  it('trainer_state.json with a long run of spaces before a bare NaN', async () => {
    const file = join(dir, 'trainer_state.json');
    writeFileSync(file, `{"global_step": 1, "log_history": [{"loss":${' '.repeat(400_000)}NaN, "step": 1}]}\n`);
    const outcome = await expectContainedOutcome(() => readTrainerState(file), () => 'trainer_state.json with 400 000 spaces');
    expect(outcome).toBe('ok');
    expect((await readTrainerState(file)).logEntries).toBe(1);
  });

  it('hpcbench.yaml of 200 lines of 4735 [ each (nearly a million levels)', async () => {
    const text = `${'['.repeat(4735)}\n`.repeat(200);
    const outcome = await expectContainedOutcome(() => parseConfigText(text, 'hpcbench.yaml'), () => 'deep flow YAML');
    expect(outcome).toBe('exit-2');
  });
});

describe('fuzz findings (vLLM results)', () => {
  it('a vLLM result with a long run of spaces before a bare NaN', async () => {
    const file = join(dir, 'result.json');
    writeFileSync(file, `{"completed": 1, "duration": 1.0, "ttfts": [${' '.repeat(400_000)}NaN], "itls": [[]], "output_lens": [1], "input_lens": [1]}\n`);
    await expectContainedOutcome(() => readInferenceLog(file), () => 'vLLM result with 400 000 spaces');
  });
});
