// Reports show restarts and why a checkpointing job stopped, per task, in both languages and
// every format; a document without checkpoints renders as before (the golden files cover that).
import { describe, expect, it } from 'vitest';
import type { CheckpointMetrics } from '../../../src/profile/training/checkpoint-log.js';
import { adviseOnMetrics } from '../../../src/report/advisor.js';
import { renderCsvReport } from '../../../src/report/csv.js';
import { renderHtmlReport } from '../../../src/report/html.js';
import { describeAdvice } from '../../../src/report/i18n/index.js';
import { renderJsonReport } from '../../../src/report/json-report.js';
import { renderMarkdownReport } from '../../../src/report/markdown.js';
import { buildReportModel } from '../../../src/report/report-model.js';
import { emptyDoc, emptyTask } from './fixture-doc.js';

const STOPPED: CheckpointMetrics = {
  restarts: 2,
  events: [
    { restart: 0, signal: 'USR1', at: '2026-12-01T14:35:16Z', waited_s: 17, action: 'requeued', reason_code: 'requeued' },
    { restart: 1, signal: 'USR1', at: '2026-12-01T15:35:16Z', waited_s: null, action: 'requeued', reason_code: 'requeued' },
    { restart: 2, signal: 'USR1', at: '2026-12-01T16:35:16Z', waited_s: 9, action: 'stopped', reason_code: 'max-restarts' },
  ],
  stop_reason: 'max-restarts',
  rejected_lines: 1,
};

function checkpointDoc() {
  const lora = emptyTask('lora', 'main');
  lora.checkpoints = STOPPED;
  const preempted = emptyTask('sweep', '3');
  preempted.checkpoints = {
    restarts: 1,
    events: [{ restart: 1, signal: 'TERM', at: null, waited_s: 3, action: 'ended', reason_code: 'terminated' }],
    stop_reason: null,
    rejected_lines: 0,
  };
  const stalled = emptyTask('sweep', '4');
  stalled.checkpoints = { restarts: 3, events: [], stop_reason: 'no-progress', rejected_lines: 0 };
  return emptyDoc('20261201-143500-lora-c0de', ['lora', 'sweep'], [lora, preempted, stalled, emptyTask('plain', 'main')]);
}

const model = () => buildReportModel(checkpointDoc(), undefined, { now: () => new Date('2026-12-01T17:00:00Z') });

describe('restarts in reports', () => {
  it('has one row per task that checkpointed or restarted, saying why it stopped', () => {
    expect(model().checkpointRows).toEqual([
      { experiment: 'lora', task: 'main', restarts: 2, signals: 3, outcome: 'max-restarts', rejectedLines: 1 },
      { experiment: 'sweep', task: '3', restarts: 1, signals: 1, outcome: 'terminated', rejectedLines: 0 },
      { experiment: 'sweep', task: '4', restarts: 3, signals: 0, outcome: 'no-progress', rejectedLines: 0 },
    ]);
  });

  it('words them in the English Markdown report', () => {
    const md = renderMarkdownReport(model(), 'en');
    expect(md).toMatch(/### 4\.\d Restarts and checkpoints/);
    expect(md).toContain('| lora | main | 2 | 3 | restart limit reached (checkpoint.max_restarts): raise it, or ask for a longer --time |');
    expect(md).toContain('| sweep | 3 | 1 | 1 | SIGTERM: cancelled (scancel), time limit or preemption |');
    expect(md).toContain('| lora | main | 1 | SIGUSR1 | 2026-12-01T15:35:16Z | — | requeued | requeued itself to resume from its checkpoint |');
    expect(md).toContain('| lora | main | 2 | SIGUSR1 | 2026-12-01T16:35:16Z | 9 s | stopped | restart limit reached');
    expect(md).toContain('| sweep | 4 | 3 | — | — | — | — | no signal recorded |');
    expect(md).toContain('Skipped lines of checkpoints.jsonl (truncated or malformed, see the warnings): lora/main (1).');
    expect(md).toContain('`lora/main`: Stopped after 2 restarts (checkpoint.max_restarts): raise it, or give the job a longer --time.');
    expect(md).toContain('`sweep/4`: No progress since restart 3: the workload did not write a checkpoint into $HPCBENCH_CHECKPOINT_DIR');
  });

  it('words them in the pt-BR Markdown report, numbered after the other results', () => {
    const md = renderMarkdownReport(model(), 'pt-BR');
    expect(md).toContain('### 4.6 Reinícios e checkpoints');
    expect(md).toContain('| lora | main | 2 | 3 | limite de reinícios atingido (checkpoint.max_restarts): aumente-o ou peça um --time maior |');
    expect(md).toContain('| lora | main | 0 | SIGUSR1 | 2026-12-01T14:35:16Z | 17 s | recolocado na fila | recolocou-se na fila para retomar do checkpoint |');
    expect(md).toContain('| sweep | 4 | 3 | — | — | — | — | nenhum sinal registrado |');
    expect(md).toContain('Parou após 2 reinícios (checkpoint.max_restarts): aumente o limite ou dê ao job um --time maior.');
    expect(md).toContain('Sem progresso desde o reinício 3: a carga de trabalho não gravou checkpoint');
    expect(md).not.toContain('Restarts and checkpoints');
  });

  it('shows them in the HTML report, escaped, in both languages', async () => {
    const en = await renderHtmlReport(model(), 'en');
    expect(en).toContain('<h3>Restarts and checkpoints</h3>');
    expect(en).toContain('<td class="warning">restart limit reached (checkpoint.max_restarts): raise it, or ask for a longer --time</td>');
    expect(en).toContain('<td>SIGTERM: cancelled (scancel), time limit or preemption</td>');
    const pt = await renderHtmlReport(model(), 'pt-BR');
    expect(pt).toContain('<h3>Reinícios e checkpoints</h3>');
    expect(pt).toContain('<th>Por que parou de se recolocar na fila</th>');
  });

  it('puts restarts in the tidy CSV and the whole section in the JSON report', () => {
    const rows = renderCsvReport([checkpointDoc()]).trimEnd().split('\n');
    expect(rows.filter((r) => r.includes(',restarts,'))).toEqual([
      '20261201-143500-lora-c0de,lora,main,restarts,2,count',
      '20261201-143500-lora-c0de,sweep,3,restarts,1,count',
      '20261201-143500-lora-c0de,sweep,4,restarts,3,count',
    ]);
    const json = JSON.parse(renderJsonReport(model())) as { metrics: { tasks: { checkpoints?: CheckpointMetrics }[] }; report: { advice: { code: string }[] } };
    expect(json.metrics.tasks[0]?.checkpoints).toEqual(STOPPED);
    expect(json.report.advice.map((a) => a.code)).toEqual(['checkpoint-max-restarts', 'checkpoint-no-progress']);
  });

  it('adds no section, row or advice for a document without checkpoints', async () => {
    const plain = buildReportModel(emptyDoc('r', ['plain'], [emptyTask('plain', 'main')]), undefined);
    expect(plain.checkpointRows).toEqual([]);
    expect(renderMarkdownReport(plain, 'en')).not.toContain('Restarts');
    expect(await renderHtmlReport(plain, 'en')).not.toContain('Restarts and checkpoints');
    expect(renderCsvReport([plain.doc])).not.toContain('restarts');
  });
});

describe('restart advice', () => {
  it('notes that sacct describes the last attempt of a restarted job', () => {
    const task = emptyTask('lora', 'main');
    task.checkpoints = { ...STOPPED, stop_reason: null };
    task.accounting = { state: 'COMPLETED' } as NonNullable<typeof task.accounting>;
    const advice = adviseOnMetrics(emptyDoc('r', ['lora'], [task])).filter((a) => a.code === 'job-restarted');
    expect(advice).toHaveLength(1);
    expect(describeAdvice(advice[0]!, 'en')).toBe('The job was requeued 2 times; its sacct figures (elapsed time, CPU efficiency, cost) describe the last attempt only.');
    expect(describeAdvice(advice[0]!, 'pt-BR')).toMatch(/^O job foi recolocado na fila 2 vezes;/);
  });

  it('words every stop reason in both languages', () => {
    for (const stop of ['requeue-disabled', 'requeue-failed', 'max-restarts', 'no-progress'] as const) {
      const task = emptyTask('lora', 'main');
      task.checkpoints = { ...STOPPED, stop_reason: stop };
      const [advice] = adviseOnMetrics(emptyDoc('r', ['lora'], [task]));
      expect(advice?.code).toBe(`checkpoint-${stop}`);
      expect(describeAdvice(advice!, 'en')).not.toMatch(/\{|\}/);
      expect(describeAdvice(advice!, 'pt-BR')).not.toMatch(/\{|\}/);
    }
  });
});
