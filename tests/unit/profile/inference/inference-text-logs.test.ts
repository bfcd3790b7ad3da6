// A task's job.out and *.log files in a run directory: profiling.extractors find inference records
// in them, and a Trainer's stdout in job.out is the training log when there is no other.
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { profileRun } from '../../../../src/profile/profile-run.js';
import { selectExtractorsForFile } from '../../../../src/profile/inference/regex-extractor.js';

const fixtures = join(import.meta.dirname, '../../../fixtures');
const EXTRACTOR = {
  pattern: 'prompt_tokens=(?<input_tokens>\\d+) completion_tokens=(?<output_tokens>\\S+) ttft=(?<ttft_ms>[\\d.]+)ms e2e=(?<latency_ms>[\\d.]+)ms',
};

function runDir(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'hpcbench-text-logs-'));
  const task = join(root, 'out', 'serve', 'main');
  mkdirSync(task, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(task, name), text);
  return root;
}

describe('profiling.extractors over job.out and *.log', () => {
  it("reads a task's server.log and job.out, leaving out a log where no line matches", async () => {
    const root = runDir({ 'job.out': 'starting\nprompt_tokens=10 completion_tokens=5 ttft=20.0ms e2e=100.0ms\n', 'notes.log': 'nothing here\n' });
    copyFileSync(join(fixtures, 'inference', 'server.log'), join(root, 'out', 'serve', 'main', 'server.log'));
    const doc = await profileRun(root, { extractors: [EXTRACTOR], bootstrapIterations: 10 });
    const inf = doc.tasks[0]?.inference;
    expect(inf?.requests).toBe(5);
    expect(doc.sources.filter((s) => s.kind === 'inference').map((s) => s.file)).toEqual(['out/serve/main/job.out', 'out/serve/main/server.log']);
    expect(doc.sources.find((s) => s.file.endsWith('server.log'))?.rejected?.count).toBe(1);
  });

  it('applies an extractor with `file` only to the logs of that name', async () => {
    expect(selectExtractorsForFile([{ ...EXTRACTOR, file: 'server-*.log' }], 'server-0.log')).toHaveLength(1);
    expect(selectExtractorsForFile([{ ...EXTRACTOR, file: 'server-*.log' }], 'job.out')).toHaveLength(0);
    const root = runDir({ 'job.out': 'prompt_tokens=10 completion_tokens=5 ttft=20.0ms e2e=100.0ms\n' });
    const doc = await profileRun(root, { extractors: [{ ...EXTRACTOR, file: 'server.log' }], bootstrapIterations: 10 });
    expect(doc.tasks[0]?.inference).toBeUndefined();
    expect(doc.tasks[0]?.missing.some((m) => m.section === 'inference')).toBe(true);
  });

  it('without extractors, job.out gives no inference section', async () => {
    const doc = await profileRun(runDir({ 'job.out': 'prompt_tokens=10 completion_tokens=5 ttft=20.0ms e2e=100.0ms\n' }));
    expect(doc.tasks[0]?.inference).toBeUndefined();
  });
});

describe("a Trainer's stdout in job.out", () => {
  const stdout = ` 10%|█| 10/100 [00:04<01:16,  2.49it/s]\n{'loss': 2.1, 'learning_rate': 5e-5, 'epoch': 0.1}\n`;

  it('is the training log when the task has no other', async () => {
    const doc = await profileRun(runDir({ 'job.out': stdout }));
    expect(doc.tasks[0]?.training?.lossCurve).toEqual([{ step: 10, epoch: 0.1, value: 2.1 }]);
    expect(doc.sources.map((s) => s.file)).toContain('out/serve/main/job.out');
  });

  it('gives way to train.jsonl', async () => {
    const doc = await profileRun(runDir({ 'job.out': stdout, 'train.jsonl': '{"step": 5, "loss": 3.0}\n' }));
    expect(doc.tasks[0]?.training?.lossCurve).toEqual([{ step: 5, value: 3 }]);
  });
});

describe("the Trainer's checkpoint-*/trainer_state.json", () => {
  it('is the training log of a task without another, taken from the latest checkpoint', async () => {
    const root = runDir({});
    const task = join(root, 'out', 'serve', 'main');
    const state = (step: number) => JSON.stringify({ global_step: step, log_history: [{ loss: 3 - step / 1000, step }] });
    for (const step of [500, 1000, 50]) {
      mkdirSync(join(task, `checkpoint-${step}`));
      writeFileSync(join(task, `checkpoint-${step}`, 'trainer_state.json'), state(step));
    }
    const doc = await profileRun(root);
    expect(doc.tasks[0]?.training?.globalStep).toBe(1000);
    expect(doc.sources.map((s) => s.file)).toContain('out/serve/main/checkpoint-1000/trainer_state.json');
  });
});
