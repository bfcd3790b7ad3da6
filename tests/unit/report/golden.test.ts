import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MetricsDocument } from '../../../src/profile/metrics-document.js';
import { renderCsvReport } from '../../../src/report/csv.js';
import { renderMarkdownReport } from '../../../src/report/markdown.js';
import { buildReportModel, type ReportModel } from '../../../src/report/report-model.js';
import { buildFixtureDoc } from './fixture-doc.js';
import { normaliseReport } from './normalise.js';
import { readGolden } from '../support/golden.js';

// Golden files: rerun with HPCBENCH_UPDATE_GOLDEN=1 (outside CI) after an intended change and review the diff;
// a missing file fails rather than being written (tests/unit/support/golden.ts).
const GOLDEN = 'tests/fixtures/report/golden';

function checkGolden(name: string, actual: string): void {
  const normalised = normaliseReport(actual);
  expect(normalised).toBe(readGolden(join(GOLDEN, name), normalised));
}

describe('golden reports', () => {
  let doc: MetricsDocument;
  let model: ReportModel;
  beforeAll(async () => {
    doc = await buildFixtureDoc();
    model = buildReportModel(doc, undefined, {
      now: () => new Date('2026-11-24T07:00:00Z'),
      sloMs: 2000,
      references: { infer: { output_tokens_per_s: { value: 100, tolerance_pct: 10 }, latency_p95_s: { value: 2.5, tolerance_pct: 5 } } },
      descriptions: { infer: 'Batched inference sweep' },
    });
  });

  it('renders the English Markdown report', () => {
    const md = renderMarkdownReport(model, 'en');
    expect(md).toContain('## 3. Method');
    expect(md).toContain('1,000.0 ms');
    checkGolden('fixture.en.md', md);
  });

  it('renders the pt-BR Markdown report as an academic Relatório with decimal commas', () => {
    const md = renderMarkdownReport(model, 'pt-BR');
    for (const heading of ['## 1. Objetivo', '## 2. Ambiente', '## 3. Metodologia', '## 4. Resultados', '## 5. Discussão', '## 6. Reprodutibilidade']) {
      expect(md).toContain(heading);
    }
    expect(md).toContain('1.000,0 ms');
    expect(md).toContain('2,1138');
    checkGolden('fixture.pt-BR.md', md);
  });

  it('renders the tidy CSV', () => {
    const csv = renderCsvReport([doc]);
    const [header, ...rows] = csv.trimEnd().split('\n');
    expect(header).toBe('run_id,experiment,task,batch_size,max_new_tokens,metric,value,unit');
    expect(rows).toContain('20261124-061500-lora-f1x7,infer,1,4,64,latency_p95_s,2,s');
    expect(rows.every((r) => r.startsWith('20261124-061500-lora-f1x7,'))).toBe(true);
    checkGolden('fixture.csv', csv);
  });
});
