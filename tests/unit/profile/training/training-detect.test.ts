// Training logs recognised by content (past the head) and diverged runs. Synthetic files, written
// in the shapes of the real captures (tests/fixtures/real/trainer-*), to push one property each.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RejectedLines } from '../../../../src/profile/lines.js';
import { detectLogKind } from '../../../../src/profile/detect-kind.js';
import { profileFiles } from '../../../../src/profile/profile-run.js';
import { parseTrainerState } from '../../../../src/profile/training/trainer-state.js';
import { readTrainingLog, type TrainingRecord } from '../../../../src/profile/training/log.js';
import { computeTrainingMetrics } from '../../../../src/profile/training/metrics.js';

const tmp = mkdtempSync(join(tmpdir(), 'hpcbench-training-detect-'));
let n = 0;
function writeTemp(text: string, name = `log-${++n}.txt`): string {
  const file = join(tmp, name);
  writeFileSync(file, text);
  return file;
}

describe('detection by content', () => {
  it('finds a Trainer log whose first loss dict comes after 200 KB of banners and \\r progress bars', async () => {
    const banner = Array.from({ length: 2000 }, (_, i) => `[INFO|modeling_utils.py:${i}] loading weights shard ${i} of 2000 ........`).join('\n');
    const bars = Array.from({ length: 1500 }, (_, i) => `\r  ${Math.floor(i / 15)}%|▌         | ${i}/1500 [00:0${i % 10}<01:17,  2.46it/s]`).join('');
    const file = writeTemp(`${banner}\n${bars}{'loss': 2.5, 'learning_rate': 5e-5, 'epoch': 0.01}\n`);
    expect(banner.length + bars.length).toBeGreaterThan(200_000);
    expect(await detectLogKind(file)).toBe('training');
    const log = await readTrainingLog(file);
    expect(log.records).toEqual([{ kind: 'step', line: 2001, step: 1499, stepFrom: 'progress-bar', loss: 2.5, learningRate: 5e-5, epoch: 0.01 }]);
  });

  it('reads a whole first JSONL record of 22 KB to classify it', async () => {
    const tags = Array.from({ length: 2500 }, (_, i) => `tag-${i}`);
    const first = JSON.stringify({ step: 1, loss: 2.5, learning_rate: 1e-4, tags });
    expect(first.length).toBeGreaterThan(22_000);
    const file = writeTemp(`${first}\n{"step": 2, "loss": 2.4}\n`);
    expect(await detectLogKind(file)).toBe('training');
    expect((await readTrainingLog(file)).records).toHaveLength(2);
  });

  it('recognises trainer_state.json whatever its size and name', async () => {
    const history = Array.from({ length: 3000 }, (_, i) => ({ epoch: i / 100, learning_rate: 1e-4, loss: 2 - i / 3000, step: (i + 1) * 10 }));
    const file = writeTemp(JSON.stringify({ best_metric: null, epoch: 30, global_step: 30000, log_history: history }, null, 2), 'state.json');
    expect(await detectLogKind(file)).toBe('training');
  });
});

describe('steps from the log\'s own context', () => {
  it('estimates steps as epoch × steps per epoch from the banner when there is no bar (disable_tqdm), and says so', async () => {
    const file = writeTemp(
      [
        '[INFO|trainer.py:2409] >> ***** Running training *****',
        '[INFO|trainer.py:2410] >>   Num examples = 1,096',
        '[INFO|trainer.py:2411] >>   Num Epochs = 3',
        '[INFO|trainer.py:2416] >>   Total optimization steps = 411',
        `{'loss': 1.2881, 'learning_rate': 6.8e-06, 'epoch': 2.56}`,
        `{'loss': 1.1886, 'learning_rate': 7.2e-09, 'epoch': 3.0}`,
      ].join('\n'),
    );
    const log = await readTrainingLog(file);
    const m = computeTrainingMetrics(log.records, log.context);
    // 2.56 × 137 = 350.72 → 351 (the bar said 350: the estimate is within a step or two)
    expect(m.lossCurve.map((p) => p.step)).toEqual([351, 411]);
    expect(m.stepSource).toBe('epoch-estimate');
    expect(m.warnings?.join('\n')).toMatch(/2 step number\(s\) estimated as epoch × steps per epoch/);
  });

  it('says the steps are the record index when the log gives no context at all', async () => {
    const log = await readTrainingLog(writeTemp(`{'loss': 2.0, 'epoch': 0.5}\n{'loss': 1.5, 'epoch': 1.0}\n`));
    const m = computeTrainingMetrics(log.records, log.context);
    expect(m.stepAxis).toBe('index');
    expect(m.stepSource).toBe('index');
    expect(m.lossCurve.map((p) => p.step)).toEqual([1, 2]);
    expect(m.lastStep).toBeNull();
  });
});

describe('diverged runs', () => {
  it('marks the first NaN loss of a Trainer log, with a warning, and gives no final loss', async () => {
    const file = writeTemp(
      [
        ' 10%|█| 10/100 [00:04<01:16,  2.49it/s]',
        `{'loss': 2.1, 'learning_rate': 5e-5, 'epoch': 0.1}`,
        ' 20%|██| 20/100 [00:08<01:16,  2.49it/s]',
        `{'loss': nan, 'grad_norm': nan, 'learning_rate': 5e-5, 'epoch': 0.2}`,
        ' 30%|███| 30/100 [00:12<01:16,  2.49it/s]',
        `{'loss': 0.0, 'learning_rate': 5e-5, 'epoch': 0.3}`,
      ].join('\n'),
    );
    const doc = await profileFiles([file]);
    const m = doc.tasks[0]?.training;
    expect(m?.diverged_at_step).toBe(20);
    // The curve keeps the finite points; the final loss is not the finite 0.0 logged after the NaN.
    expect(m?.lossCurve.map((p) => p.step)).toEqual([10, 30]);
    expect(m?.finalLoss).toBe(0);
    expect(m?.warnings?.[0]).toMatch(/training diverged: loss is NaN at step 20 \(line 4\)/);
    expect(doc.warnings.some((w) => w.includes('training diverged'))).toBe(true);
  });

  it('gives a null final loss when the last loss is infinite, and says entry index when there are no steps', () => {
    const records: TrainingRecord[] = [
      { kind: 'step', line: 1, loss: 2 },
      { kind: 'step', line: 2, loss: Infinity },
    ];
    const m = computeTrainingMetrics(records);
    expect(m.diverged_at_step).toBe(2);
    expect(m.finalLoss).toBeNull();
    expect(m.stepAxis).toBe('index');
    expect(m.stepSource).toBe('index');
    expect(m.warnings?.join('\n')).toMatch(/log entry 2 \(line 2; the log gives no step\)/);
    expect(m.warnings?.join('\n')).toMatch(/indexed by log entry/);
  });

  it('reads NaN in trainer_state.json (Python json.dumps writes it bare)', () => {
    const text = '{\n  "global_step": 20,\n  "log_history": [\n    {\n      "loss": 1.5,\n      "step": 10\n    },\n    {\n      "loss": NaN,\n      "step": 20\n    }\n  ]\n}\n';
    const state = parseTrainerState(text, 'trainer_state.json');
    expect(state.records.map((r) => r.line)).toEqual([4, 8]);
    expect(computeTrainingMetrics(state.records).diverged_at_step).toBe(20);
  });

  it('rejects a bad log_history entry naming its line', () => {
    const text = '{\n  "log_history": [\n    {\n      "loss": "high",\n      "step": 10\n    },\n    {\n      "loss": 1.0,\n      "step": 20\n    }\n  ]\n}\n';
    const rejected = new RejectedLines();
    const state = parseTrainerState(text, 'trainer_state.json', rejected);
    expect(state.records).toHaveLength(1);
    expect(rejected.examples).toEqual([{ file: 'trainer_state.json', line: 3, reason: 'log_history[0]: field `loss`: expected a number, found "high"' }]);
  });
});
