import { describe, expect, it } from 'vitest';
import { readMetricsDocument } from '../../../src/contracts/metrics.js';
import type { MetricsDocument } from '../../../src/profile/metrics-document.js';
import { formatTaskSummaryLines, formatTaskSummaryTable, summarizeTasks } from '../../../src/report/task-summary.js';

// The committed example report's metrics: a LoRA task and an inference sweep.
const example = (): MetricsDocument => readMetricsDocument('report/metrics.json');

describe('summarizeTasks: the figures profile and demo print, decided once', () => {
  it('gives each task its figures, null where a figure does not exist', () => {
    const [lora, infer0] = summarizeTasks(example());
    expect(lora).toMatchObject({ task: 'lora/main', params: '', inference: null, finalLoss: 1.9968 });
    expect(infer0).toMatchObject({ task: 'infer/0', params: 'batch_size=1 max_new_tokens=32', finalLoss: null, inference: { requests: 60, p95Withheld: null } });
    expect(infer0?.inference?.p50Ms).toBeCloseTo(373.8999, 3);
  });

  it('withholds a p95 over fewer records than its minimum, and keeps unknown request counts unknown, in both formats', () => {
    const doc = example();
    const task = doc.tasks[1];
    if (!task?.inference) throw new Error('the example has an inference task');
    task.inference.latencyS.n = 5;
    task.inference.requests = null;
    const summary = summarizeTasks(doc)[1];
    expect(summary?.inference).toMatchObject({ requests: null, p95Withheld: { n: 5, minimum: 20 } });
    const lines = formatTaskSummaryLines(summarizeTasks(doc)).split('\n');
    expect(lines[1]).toBe('infer/0: an unknown number of requests, p50 373.9 ms, p95 n=5<20; 83.0 output tok/s; GPU util 18.5 %; 3.47 kJ; CPU eff 9 %');
    const row = formatTaskSummaryTable(summarizeTasks(doc)).split('\n')[3] ?? '';
    expect(row.split(/\s{2,}/)).toEqual(['infer/0 (batch_size=1 max_new_tokens=32)', 'unknown', '373.9', 'n=5<20', '83.0', '18.5', '3.47', '—']);
  });

  it('shows no inference figures for a task with no inference records', () => {
    const doc = example();
    const task = doc.tasks[1];
    if (!task?.inference) throw new Error('the example has an inference task');
    task.inference.latencyS.n = 0;
    expect(summarizeTasks(doc)[1]?.inference).toBeNull();
    expect(formatTaskSummaryLines(summarizeTasks(doc)).split('\n')[1]).toBe('infer/0: GPU util 18.5 %; 3.47 kJ; CPU eff 9 %');
  });

  it('marks a task measured through a stand-in backend, and says what the mark means', () => {
    const doc = example();
    const task = doc.tasks[1]!;
    task.inference!.backend = 'ngram';
    expect(summarizeTasks(doc)[1]?.standInBackend).toBe('ngram');
    expect(summarizeTasks(doc)[2]?.standInBackend).toBeNull();
    const table = formatTaskSummaryTable(summarizeTasks(doc)).split('\n');
    expect(table[3]).toMatch(/^infer\/0 \(batch_size=1 max_new_tokens=32\) †/);
    expect(table.at(-1)).toBe('† stand-in backend (ngram): these figures measure the tool, not a model');
    expect(formatTaskSummaryLines(summarizeTasks(doc)).split('\n')[1]).toContain('stand-in backend ngram: these figures measure the tool, not a model');
  });
});
