// A loss that turns NaN or infinite marks the run as diverged at that step in metrics.json, and the
// report's advice says so (in both languages) instead of judging the finite losses before it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { profileFiles } from '../../../src/profile/profile-run.js';
import { adviseOnMetrics } from '../../../src/report/advisor.js';
import { describeAdvice } from '../../../src/report/i18n/index.js';

async function profileTrainingLog(lines: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'hpcbench-diverged-'));
  const file = join(dir, 'train.jsonl');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return profileFiles([file]);
}

describe('a diverged training run', () => {
  it('is advised as diverged at the step whose loss was NaN, in English and Portuguese', async () => {
    const doc = await profileTrainingLog([
      '{"step": 10, "loss": 2.5}',
      '{"step": 20, "loss": 2.1}',
      '{"step": 30, "loss": 1.9}',
      '{"step": 40, "loss": NaN}',
      '{"step": 50, "loss": NaN}',
    ]);
    expect(doc.tasks[0]?.training?.diverged_at_step).toBe(40);
    const advice = adviseOnMetrics(doc).filter((a) => a.code === 'training-diverged');
    expect(advice).toHaveLength(1);
    expect(describeAdvice(advice[0]!, 'en')).toMatch(/^Training diverged at step 40: the loss became NaN or infinite/);
    expect(describeAdvice(advice[0]!, 'pt-BR')).toMatch(/^O treinamento divergiu no passo 40:/);
    expect(adviseOnMetrics(doc).map((a) => a.code)).not.toContain('loss-not-decreasing');
  });

  it('is not advised when every loss is finite', async () => {
    const doc = await profileTrainingLog(['{"step": 10, "loss": 2.5}', '{"step": 20, "loss": 2.1}', '{"step": 30, "loss": 1.9}']);
    expect(doc.tasks[0]?.training?.diverged_at_step ?? null).toBeNull();
    expect(adviseOnMetrics(doc).map((a) => a.code)).not.toContain('training-diverged');
  });
});
