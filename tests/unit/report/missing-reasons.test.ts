// An empty report section says why in the report's language: metrics.json carries each reason as
// a code with values (and in English), and the pt-BR report words the code in Portuguese.
import { describe, expect, it } from 'vitest';
import { missingSection, MISSING_REASONS_EN, type MissingCode } from '../../../src/profile/metrics-document.js';
import { renderHtmlReport } from '../../../src/report/html.js';
import { renderMarkdownReport } from '../../../src/report/markdown.js';
import { buildReportModel } from '../../../src/report/report-model.js';
import { emptyDoc, emptyTask } from './fixture-doc.js';

function docWithNothingMeasured(coded: boolean) {
  const task = emptyTask('infer', 'main');
  const where = 'out/infer/main';
  const entries = [
    missingSection('gpu', 'no-gpu-log', { where }),
    missingSection('inference', 'no-inference-log', { where }),
    missingSection('training', 'no-training-log', { where }),
    missingSection('accounting', 'no-sacct-record', { job: '4242' }),
  ];
  // A document written before the codes existed has only the English reason.
  task.missing.push(...(coded ? entries : entries.map(({ section, reason }) => ({ section, reason }))));
  return emptyDoc('r-missing', ['infer'], [task]);
}

describe('reasons for empty report sections', () => {
  it('spells every code out in English with its values', () => {
    expect(missingSection('gpu', 'no-gpu-log', { where: 'out/x/0' }).reason).toBe('no nvidia-smi log in out/x/0 (a CPU job, or nvidia-smi was absent on the node)');
    expect(missingSection('accounting', 'no-sacct-record', { job: '77' }).reason).toBe('no sacct record for job 77 (run `hpcbench fetch` after the job ends)');
    for (const code of Object.keys(MISSING_REASONS_EN) as MissingCode[]) {
      expect(missingSection('gpu', code, { where: 'w', job: 'j' }).reason, code).not.toMatch(/\{\w+\}/);
    }
  });

  it('words them in Portuguese in the pt-BR Markdown and HTML reports, and in English in the en report', async () => {
    const model = buildReportModel(docWithNothingMeasured(true), undefined, { now: () => new Date('2026-11-24T07:00:00Z') });
    const pt = renderMarkdownReport(model, 'pt-BR');
    expect(pt).toContain('- Ausente: infer/main: sem log do nvidia-smi em out/infer/main (um job de CPU, ou o nvidia-smi não existia no nó)');
    expect(pt).toContain('- Ausente: infer/main: sem log de inferência em out/infer/main');
    expect(pt).toContain('- Ausente: infer/main: sem registro do sacct para o job 4242');
    expect(pt).not.toContain('no nvidia-smi log');
    const html = await renderHtmlReport(model, 'pt-BR');
    expect(html).toContain('infer/main: sem log do nvidia-smi em out/infer/main');
    const en = renderMarkdownReport(model, 'en');
    expect(en).toContain('- Missing: infer/main: no nvidia-smi log in out/infer/main (a CPU job, or nvidia-smi was absent on the node)');
    expect(en).toContain('- Missing: infer/main: no sacct record for job 4242');
  });

  it('keeps the English reason of a document without codes', () => {
    const model = buildReportModel(docWithNothingMeasured(false), undefined, { now: () => new Date('2026-11-24T07:00:00Z') });
    expect(renderMarkdownReport(model, 'pt-BR')).toContain('- Ausente: infer/main: no inference log in out/infer/main');
  });
});
