// The report's methods line names the busy threshold the GPU figures used (metrics.json's
// gpu.busyThresholdPct; 0 in documents from before it), and the summary shows the time-weighted mean.
import { describe, expect, it } from 'vitest';
import { renderMarkdownReport } from '../../../src/report/markdown.js';
import { buildReportModel } from '../../../src/report/report-model.js';
import { buildFixtureDoc } from './fixture-doc.js';

describe('busy threshold in reports', () => {
  it('is 0 % for documents without busyThresholdPct, and what the tasks used otherwise', async () => {
    const doc = await buildFixtureDoc();
    const gpuTask = doc.tasks.find((t) => t.gpu !== undefined);
    if (gpuTask?.gpu === undefined) throw new Error('the fixture has a GPU task');
    delete gpuTask.gpu.busyThresholdPct;
    const old = buildReportModel(doc, undefined);
    expect(old.busyThresholdsPct).toEqual([0]);
    expect(renderMarkdownReport(old, 'en')).toContain('when its utilization is above 0 %;');
    gpuTask.gpu.busyThresholdPct = 12.5;
    const model = buildReportModel(doc, undefined);
    expect(model.busyThresholdsPct).toEqual([12.5]);
    expect(renderMarkdownReport(model, 'en')).toContain('when its utilization is above 12.50 %;');
    expect(renderMarkdownReport(model, 'pt-BR')).toContain('quando sua utilização é maior que 12,50 %;');
  });
});
