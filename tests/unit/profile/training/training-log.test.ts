import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../../src/errors.js';
import { RejectedLines } from '../../../../src/profile/lines.js';
import {
  parseTrainerLine,
  parseTrainingJsonLine,
  readTrainingLog,
  TrainerProgress,
} from '../../../../src/profile/training/log.js';
import { parsePythonDict } from '../../../../src/profile/training/python-dict.js';

const fixtures = join(import.meta.dirname, '../../../fixtures/training');
const tmp = mkdtempSync(join(tmpdir(), 'hpcbench-training-'));
let counter = 0;
function writeTemp(text: string): string {
  const file = join(tmp, `t${counter++}.log`);
  writeFileSync(file, text);
  return file;
}

describe('parsePythonDict', () => {
  it('reads the scalars Trainer prints', () => {
    const text = `{'loss': 2.345, 'lr': 4.5e-05, 'ok': True, 'none': None, 'name': 'it\\'s', "d": "x", 'neg': -1, 'big': inf}`;
    expect(parsePythonDict(text, 0)).toEqual({
      value: { loss: 2.345, lr: 4.5e-5, ok: true, none: null, name: "it's", d: 'x', neg: -1, big: Number.POSITIVE_INFINITY },
      end: text.length,
    });
  });
  it("reads tensor(1.23, device='cuda:0') as its number", () => {
    expect(parsePythonDict(`{'grad_norm': tensor(1.23, device='cuda:0'), 'loss': 1.0}`, 0)?.value).toEqual({ grad_norm: 1.23, loss: 1 });
  });
  it('gives up on anything that is not a flat dict of scalars', () => {
    expect(parsePythonDict(`{'a': [1, 2]}`, 0)).toBeUndefined();
    expect(parsePythonDict(`{'a': 1`, 0)).toBeUndefined();
    expect(parsePythonDict(`{a: 1}`, 0)).toBeUndefined();
    expect(parsePythonDict(`{}`, 0)).toEqual({ value: {}, end: 2 });
  });
});

describe('parseTrainerLine', () => {
  it('reads a log dict glued to a tqdm bar and takes the step from the bar', () => {
    const line = ` 5%|▌         | 9/200 [00:03<01:17,  2.46it/s]\r 5%|▌         | 10/200 [00:04<01:16,  2.49it/s]{'loss': 2.8412, 'grad_norm': 1.8734, 'learning_rate': 4.75e-05, 'epoch': 0.1}`;
    expect(parseTrainerLine(line, 12)).toEqual({
      kind: 'records',
      records: [{ kind: 'step', line: 12, step: 10, stepFrom: 'progress-bar', loss: 2.8412, gradNorm: 1.8734, learningRate: 4.75e-5, epoch: 0.1 }],
    });
  });
  it('takes the step from a bar on the lines above (terminal-wrapped tqdm), and not from an eval bar', () => {
    const progress = new TrainerProgress();
    const lines = [
      ' 85%|████▌| 349/411 [11:32<02:02,  1.98s/it]',
      ' 85%|████▌| 350/411 [11:34<02:01,  1.98s/it]',
      ' '.repeat(123),
      `{'loss': 1.2881, 'epoch': 2.56}`,
      '100%|█████| 63/63 [00:05<00:00, 11.2it/s]',
      `{'eval_loss': 1.31, 'epoch': 2.56}`,
      `{'model_type': 'qwen3'}`,
    ];
    const parsed = lines.map((text, i) => parseTrainerLine(text, i + 1, progress));
    expect(parsed[3]).toEqual({ kind: 'records', records: [{ kind: 'step', line: 4, step: 350, stepFrom: 'progress-bar', loss: 1.2881, epoch: 2.56 }] });
    expect(parsed[5]).toEqual({ kind: 'records', records: [{ kind: 'eval', line: 6, step: 350, stepFrom: 'progress-bar', evalLoss: 1.31, epoch: 2.56, metrics: {} }] });
    expect(parsed[6]).toEqual({ kind: 'ignored' });
    expect(progress.describe()).toBe('63/63');
  });
  it('reads JSON training lines among other output (job.out)', () => {
    const progress = new TrainerProgress();
    parseTrainerLine(' 10%|█| 20/200 [00:04<01:16,  2.49it/s]', 1, progress);
    expect(parseTrainerLine('{"loss": 2.5, "learning_rate": 1e-4}', 2, progress)).toEqual({
      kind: 'records',
      records: [{ kind: 'step', line: 2, step: 20, stepFrom: 'progress-bar', loss: 2.5, learningRate: 1e-4 }],
    });
    expect(parseTrainerLine('{"architectures": ["Qwen3"], "vocab_size": 151936}', 3, progress)).toEqual({ kind: 'ignored' });
    expect(parseTrainerLine('{"loss": 2.5, "learning_rate": 1e-4', 4, progress).kind).toBe('rejected');
  });
  it('reads eval and summary dicts', () => {
    const evalLine = parseTrainerLine(`{'eval_loss': 2.4, 'eval_runtime': 3.2, 'eval_accuracy': 0.61, 'epoch': 1.0}`, 1);
    expect(evalLine).toEqual({
      kind: 'records',
      records: [{ kind: 'eval', line: 1, evalLoss: 2.4, epoch: 1, metrics: { runtime: 3.2, accuracy: 0.61 } }],
    });
    const summary = parseTrainerLine(
      `{'train_runtime': 12.3, 'train_samples_per_second': 40.1, 'train_steps_per_second': 5.0, 'train_loss': 2.1, 'epoch': 3.0}`,
      2,
    );
    expect(summary).toEqual({
      kind: 'records',
      records: [{ kind: 'summary', line: 2, trainRuntimeS: 12.3, trainSamplesPerS: 40.1, trainStepsPerS: 5, trainLoss: 2.1, epoch: 3 }],
    });
  });
  it('reads floats that the Trainer printed as strings', () => {
    const parsed = parseTrainerLine(`{'loss': '2.345', 'grad_norm': '1.2', 'learning_rate': '4.5e-05', 'epoch': 0.5}`, 3);
    expect(parsed).toEqual({
      kind: 'records',
      records: [{ kind: 'step', line: 3, loss: 2.345, gradNorm: 1.2, learningRate: 4.5e-5, epoch: 0.5 }],
    });
    expect(parseTrainerLine(`{'eval_loss': '1.5', 'eval_runtime': '3.2', 'epoch': 1.0}`, 4)).toEqual({
      kind: 'records',
      records: [{ kind: 'eval', line: 4, evalLoss: 1.5, epoch: 1, metrics: { runtime: 3.2 } }],
    });
    // A NaN loss is kept (it marks divergence); see the metrics' diverged_at_step.
    expect(parseTrainerLine(`{'loss': 'nan', 'epoch': 0.5}`, 5)).toEqual({ kind: 'records', records: [{ kind: 'step', line: 5, loss: Number.NaN, epoch: 0.5 }] });
    expect(parseTrainerLine(`{'loss': 'high', 'epoch': 0.5}`, 6)).toEqual({
      kind: 'rejected',
      reason: 'field `loss`: expected a number, found "high"',
    });
  });

  it('ignores lines without a training dict', () => {
    expect(parseTrainerLine('[INFO|trainer.py:2314] >> ***** Running training *****', 1)).toEqual({ kind: 'ignored' });
    expect(parseTrainerLine(`{'model_type': 'qwen2'}`, 1)).toEqual({ kind: 'ignored' });
  });
  it('keeps a NaN or infinite loss, drops a NaN grad_norm, rejects a truncated dict with a reason', () => {
    expect(parseTrainerLine(`{'loss': nan, 'grad_norm': nan, 'epoch': 0.3}`, 4)).toEqual({ kind: 'records', records: [{ kind: 'step', line: 4, loss: Number.NaN, epoch: 0.3 }] });
    expect(parseTrainerLine(`{'loss': inf, 'epoch': 0.3}`, 4)).toMatchObject({ kind: 'records', records: [{ loss: Infinity }] });
    expect(parseTrainerLine(`{'loss': 1.0, 'learning_rate': nan}`, 4)).toEqual({ kind: 'rejected', reason: 'field `learning_rate` is NaN' });
    const cut = parseTrainerLine(`{'loss': 2.1, 'learning_r`, 5);
    expect(cut.kind).toBe('rejected');
  });
});

describe('parseTrainingJsonLine', () => {
  it('reads the documented fields', () => {
    expect(parseTrainingJsonLine('{"step": 7, "loss": NaN}', 2)).toEqual({ kind: 'records', records: [{ kind: 'step', line: 2, step: 7, loss: Number.NaN }] });
    expect(parseTrainingJsonLine('{"step": 10, "epoch": 0.1, "loss": 2.8, "learning_rate": 5e-5, "step_time_s": 0.4, "time": 12.5}', 3)).toEqual({
      kind: 'records',
      records: [{ kind: 'step', line: 3, step: 10, epoch: 0.1, loss: 2.8, learningRate: 5e-5, stepTimeS: 0.4, time: 12.5 }],
    });
  });
  it.each([
    ['{"step": -1, "loss": 2}', 'field `step`: expected a whole number ≥ 0'],
    ['{"step": 1, "loss": "2.0"}', 'field `loss`: expected a number'],
    ['{"hello": 1}', 'no training field'],
    ['{"step": 1, "loss": 2.0', 'not valid JSON'],
    ['"text"', 'expected a JSON object'],
  ])('rejects %s', (text, reason) => {
    const parsed = parseTrainingJsonLine(text, 1);
    expect(parsed.kind).toBe('rejected');
    if (parsed.kind === 'rejected') expect(parsed.reason).toContain(reason);
  });
});

describe('readTrainingLog', () => {
  it('detects JSONL and reads every entry', async () => {
    const log = await readTrainingLog(join(fixtures, 'train.jsonl'));
    expect(log.format).toBe('jsonl');
    expect(log.records).toHaveLength(20);
  });
  it('takes an indented Python dict as Trainer stdout, not JSONL', async () => {
    const log = await readTrainingLog(writeTemp(`  {'loss': 1}\n`));
    expect(log.format).toBe('trainer');
    expect(log.records).toMatchObject([{ kind: 'step', loss: 1 }]);
  });
  it('reads Trainer stdout: 20 step dicts, 2 evals and the summary', async () => {
    const log = await readTrainingLog(join(fixtures, 'trainer-stdout.log'));
    expect(log.format).toBe('trainer');
    expect(log.records.filter((r) => r.kind === 'step')).toHaveLength(20);
    expect(log.records.filter((r) => r.kind === 'eval')).toHaveLength(2);
    expect(log.records.at(-1)).toMatchObject({ kind: 'summary', trainRuntimeS: 81.234, line: 30 });
  });
  it('counts rejected lines with file:line', async () => {
    const rejected = new RejectedLines();
    const file = writeTemp('{"step": 1, "loss": 2.0}\n{"step": 2, "loss": "lots"}\n{"step": 3, "loss": 1.9}\n{"step": 4, "lo');
    const log = await readTrainingLog(file, { rejected });
    expect(log.records).toHaveLength(2);
    expect(rejected.count).toBe(2);
    expect(rejected.examples[0]).toMatchObject({ file, line: 2 });
    expect(rejected.examples[1]?.reason).toMatch(/^truncated last line/);
  });
  it('throws InputError for an empty file and for a file without entries', async () => {
    await expect(readTrainingLog(writeTemp(''))).rejects.toThrow(InputError);
    const error = await readTrainingLog(writeTemp('epoch 1 done\nall good\n')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toContain('no training log entries found');
  });
});

describe('training parsers under random input', () => {
  const dictLine = fc
    .record({ loss: fc.double({ noNaN: false }), learning_rate: fc.double(), epoch: fc.double({ min: 0, max: 10 }) })
    .map((r) => `{'loss': ${r.loss}, 'learning_rate': ${r.learning_rate}, 'epoch': ${r.epoch}}`);
  const mutate = (base: fc.Arbitrary<string>): fc.Arbitrary<string> =>
    fc.tuple(base, fc.nat(), fc.string({ maxLength: 3 }), fc.nat(5)).map(([line, at, insert, cut]) => {
      const i = at % (line.length + 1);
      return line.slice(0, i) + insert + line.slice(i + cut);
    });
  const jsonLine = fc
    .record({ step: fc.integer({ min: -2, max: 10_000 }), loss: fc.double(), epoch: fc.double() })
    .map((r) => JSON.stringify(r));
  const anyLine = fc.oneof(dictLine, mutate(dictLine), jsonLine, mutate(jsonLine), fc.string(), fc.json());

  it('line parsers never throw', () => {
    fc.assert(
      fc.property(anyLine, fc.nat(), (line, n) => {
        expect(['records', 'ignored', 'rejected']).toContain(parseTrainerLine(line, n).kind);
        expect(['records', 'rejected']).toContain(parseTrainingJsonLine(line, n).kind);
      }),
      { numRuns: 3000 },
    );
  });

  it('readTrainingLog throws nothing but InputError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(anyLine, { maxLength: 10 }), async (lines) => {
        const file = writeTemp(lines.map((l) => l.replace(/\n/g, ' ')).join('\n'));
        try {
          const log = await readTrainingLog(file);
          expect(log.records.length).toBeGreaterThan(0);
        } catch (error) {
          expect(error).toBeInstanceOf(InputError);
        }
      }),
      { numRuns: 150 },
    );
  });
});
