// Every real training capture in tests/fixtures/real/trainer-state/ and trainer-stdout/ against the
// figures numpy/ast computed for it (scripts/real-corpus/reference.py → references.json), through
// the path `hpcbench profile <file>` takes: detectLogKind, readTrainingLog, computeTrainingMetrics.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../../src/errors.js';
import { detectLogKind } from '../../../../src/profile/detect-kind.js';
import { readTrainingLog } from '../../../../src/profile/training/log.js';
import { computeTrainingMetrics, type TrainingMetrics } from '../../../../src/profile/training/metrics.js';

const ROOT = join(__dirname, '../../../fixtures/real');

interface StateRef {
  log_entries: number;
  loss_entries: number;
  eval_entries: number;
  global_step: number;
  last_logged_step: number;
  final_train_loss: number;
  final_train_loss_step: number;
  summary_train_loss: number | null;
  best_metric: number | null;
  best_model_checkpoint: string | null;
}
interface StdoutRef {
  loss_records: number;
  first_loss: number | null;
  last_loss: number | null;
  first_epoch: number | null;
  last_epoch: number | null;
  summary_train_loss: number | null;
}
const references = JSON.parse(readFileSync(join(ROOT, 'references.json'), 'utf8')) as { files: Record<string, unknown> };

async function profile(file: string): Promise<TrainingMetrics> {
  expect(await detectLogKind(file)).toBe('training');
  const log = await readTrainingLog(file);
  return computeTrainingMetrics(log.records, log.context);
}

describe('real trainer_state.json files', () => {
  const names = readdirSync(join(ROOT, 'trainer-state')).sort();
  it('covers the 4 corpus files', () => expect(names).toHaveLength(4));
  it.each(names)('%s matches the reference', async (name) => {
    const ref = references.files[`trainer-state/${name}`] as StateRef;
    const m = await profile(join(ROOT, 'trainer-state', name));
    expect(m.source).toBe('trainer-state');
    expect(m.logEntries).toBe(ref.log_entries);
    expect(m.lossCurve).toHaveLength(ref.loss_entries);
    expect(m.stepEntries).toBe(ref.loss_entries);
    expect(m.evalEntries).toBe(ref.eval_entries);
    expect(m.globalStep).toBe(ref.global_step);
    expect(m.lastStep).toBe(ref.last_logged_step);
    expect(m.finalLoss).toBe(ref.final_train_loss);
    expect(m.lossCurve.at(-1)?.step).toBe(ref.final_train_loss_step);
    expect(m.trainLoss).toBe(ref.summary_train_loss);
    expect(m.bestMetric).toBe(ref.best_metric);
    expect(m.bestModelCheckpoint).toBe(ref.best_model_checkpoint);
    expect(m.stepAxis).toBe('logged');
    expect(m.stepSource).toBe('logged');
    expect(m.diverged_at_step).toBeNull();
    expect(m.warnings).toEqual([]);
  });
});

describe('real Trainer stdout captures', () => {
  const names = readdirSync(join(ROOT, 'trainer-stdout')).sort();
  it('covers the 3 corpus files', () => expect(names).toHaveLength(3));
  const read = names.filter((n) => (references.files[`trainer-stdout/${n}`] as StdoutRef).loss_records > 0);

  it.each(read)('%s matches the reference', async (name) => {
    const ref = references.files[`trainer-stdout/${name}`] as StdoutRef;
    const m = await profile(join(ROOT, 'trainer-stdout', name));
    expect(m.source).toBe('trainer-stdout');
    expect(m.lossCurve).toHaveLength(ref.loss_records);
    expect(m.lossCurve[0]?.value).toBe(ref.first_loss);
    expect(m.lossCurve[0]?.epoch).toBe(ref.first_epoch);
    expect(m.finalLoss).toBe(ref.last_loss);
    expect(m.lossCurve.at(-1)?.epoch).toBe(ref.last_epoch);
    expect(m.trainLoss).toBe(ref.summary_train_loss);
  });

  it('takes the steps of the LLaMA-Factory log from the tqdm bar above each dict (350…410 of 411)', async () => {
    const m = await profile(join(ROOT, 'trainer-stdout', 'llamafactory-qwen3-lora-wrapped-tqdm-tail-excerpt.log'));
    expect(m.lossCurve.map((p) => p.step)).toEqual([350, 360, 370, 380, 390, 400, 410]);
    expect(m.stepAxis).toBe('logged');
    expect(m.stepSource).toBe('progress-bar');
    expect(m.lastStep).toBe(410);
  });

  it('takes the steps of the TRL log from the \\r-separated bars (10…50)', async () => {
    const m = await profile(join(ROOT, 'trainer-stdout', 'trl-sft-ddp-2gpu-tqdm-cr-swanlab-excerpt.log'));
    expect(m.lossCurve.map((p) => p.step)).toEqual([10, 20, 30, 40, 50]);
    expect(m.stepSource).toBe('progress-bar');
  });

  it('refuses the interrupted Windows log precisely: no loss record yet, stopped at bar 2/30', async () => {
    const name = 'windows-rtx3050-cp866-mojibake-interrupted.log';
    expect((references.files[`trainer-stdout/${name}`] as StdoutRef).loss_records).toBe(0);
    const file = join(ROOT, 'trainer-stdout', name);
    expect(await detectLogKind(file)).toBe('training');
    const error = await readTrainingLog(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toContain(name);
    expect((error as Error).message).toContain('stopped before its first loss record (last progress bar 2/30)');
  });
});
