import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readInferenceLog } from '../../../src/profile/inference/log.js';
import { computeInferenceMetrics } from '../../../src/profile/inference/metrics.js';
import { renderMarkdownReport } from '../../../src/report/markdown.js';
import { buildReportModel } from '../../../src/report/report-model.js';
import { buildFixtureDoc, emptyDoc, emptyTask } from './fixture-doc.js';

const dir = mkdtempSync(join(tmpdir(), 'hpcb-method-lines-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const analyticEn = /Inference logs of more than 50,000 records are not resampled: .*order-statistic intervals/;
const analyticPt = /Logs de inferência com mais de 50\.000 registros não são reamostrados: .*estatísticas de ordem/;

/** A JSONL log of n completed requests, profiled as `hpcbench profile` does. */
async function profileLog(n: number): Promise<ReturnType<typeof computeInferenceMetrics>> {
  const lines = [JSON.stringify({ schema: 'hpcbench.inference/1', params: { batch_size: 1 } })];
  for (let i = 0; i < n; i++) {
    const latency = 0.2 + ((i * 7919) % 5000) / 1000;
    lines.push(JSON.stringify({ id: i, start: 1_795_000_000 + i * 0.01, end: 1_795_000_000 + i * 0.01 + latency, latency_s: latency, output_tokens: 64, error: null }));
  }
  const file = join(dir, `log-${n}.jsonl`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return computeInferenceMetrics((await readInferenceLog(file)).records, { bootstrap: { iterations: 50, seed: 7 } });
}

describe("the report's method section names how each interval was computed", () => {
  it('a log of more than 50,000 records adds the order-statistic sentence, in both languages', async () => {
    const task = emptyTask('infer', 'main');
    task.inference = await profileLog(60_000);
    expect(task.inference.ci.latencyP50S?.method).toBe('order-statistic');
    const model = buildReportModel(emptyDoc('run-large', ['infer'], [task]), undefined);
    expect(renderMarkdownReport(model, 'en')).toMatch(analyticEn);
    expect(renderMarkdownReport(model, 'pt-BR')).toMatch(analyticPt);
  });

  it('bootstrapped intervals only: no such sentence', async () => {
    const task = emptyTask('infer', 'main');
    task.inference = await profileLog(2_000);
    expect(task.inference.ci.latencyP50S?.method).toBeUndefined();
    const model = buildReportModel(emptyDoc('run-small', ['infer'], [task]), undefined);
    expect(renderMarkdownReport(model, 'en')).not.toMatch(analyticEn);
    expect(renderMarkdownReport(buildReportModel(await buildFixtureDoc(), undefined), 'pt-BR')).not.toMatch(analyticPt);
  });
});
