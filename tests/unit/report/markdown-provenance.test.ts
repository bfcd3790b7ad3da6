import { describe, expect, it } from 'vitest';
import { renderHtmlReport } from '../../../src/report/html.js';
import { renderMarkdownReport } from '../../../src/report/markdown.js';
import { buildReportModel } from '../../../src/report/report-model.js';
import { buildFixtureDoc } from './fixture-doc.js';

describe('provenance on the first screen', () => {
  it('a report of generated data says so before its first section, in both languages', async () => {
    const doc = await buildFixtureDoc();
    for (const t of doc.tasks) t.metadata = { ...(t.metadata ?? {}), generated: 'synthetic sample; no real job ran' };
    const model = buildReportModel(doc, undefined);
    const en = renderMarkdownReport(model, 'en');
    const pt = renderMarkdownReport(model, 'pt-BR');
    expect(en.indexOf('built from generated data')).toBeGreaterThan(0);
    expect(en.indexOf('built from generated data')).toBeLessThan(en.indexOf('## 1.'));
    expect(en).toContain('the metadata.json of every task says so');
    expect(pt.indexOf('construído com dados gerados')).toBeGreaterThan(0);
    expect(pt.indexOf('construído com dados gerados')).toBeLessThan(pt.indexOf('## 1.'));
    const html = await renderHtmlReport(model, 'pt-BR');
    expect(html.indexOf('id="provenance"')).toBeGreaterThan(0);
    expect(html.indexOf('id="provenance"')).toBeLessThan(html.indexOf('id="summary"'));
  });

  it('names only the generated tasks when some are real', async () => {
    const doc = await buildFixtureDoc();
    doc.tasks[0]!.metadata = { generated: 'stand-in' };
    const en = renderMarkdownReport(buildReportModel(doc, undefined), 'en');
    expect(en).toContain(`the metadata.json of ${doc.tasks[0]!.experiment}/${doc.tasks[0]!.task} says so`);
  });

  it('marks each row measured through a stand-in backend, and explains the mark at the top', async () => {
    const doc = await buildFixtureDoc();
    const standIn = doc.tasks.find((t) => t.inference !== undefined)!;
    standIn.inference!.backend = 'ngram';
    const en = renderMarkdownReport(buildReportModel(doc, undefined), 'en');
    expect(en.indexOf('Rows marked † were measured through a stand-in backend (ngram)')).toBeLessThan(en.indexOf('## 1.'));
    const marked = en.split('\n').filter((l) => l.includes('†') && l.startsWith('|'));
    // The summary and the inference table: every row of the task, no other row.
    expect(marked.length).toBeGreaterThanOrEqual(2);
    for (const row of marked) expect(row.startsWith(`| ${standIn.experiment} | ${standIn.task} † |`) || row.startsWith(`| ${standIn.task} †`)).toBe(true);
    const html = await renderHtmlReport(buildReportModel(doc, undefined), 'pt-BR');
    expect(html).toContain(`<td>${standIn.task} †</td>`);
    expect(html).toContain('backend substituto (ngram)');
  });

  it('a report of real jobs has no such note', async () => {
    const model = buildReportModel(await buildFixtureDoc(), undefined);
    expect(renderMarkdownReport(model, 'en')).not.toContain('generated data');
    expect(renderMarkdownReport(model, 'en')).not.toContain('†');
    expect(await renderHtmlReport(model, 'en')).not.toContain('id="provenance"');
  });
});
