// report.json hpcbench.report/2: one case on disk (snake_case) for the report part and the
// embedded metrics document, data maps kept, and a reader that names the field of a bad file.
import { describe, expect, it } from 'vitest';
import { parseJsonReport, REPORT_SCHEMA_ID } from '../../../src/contracts/report.js';
import { METRICS_SCHEMA_ID } from '../../../src/contracts/metrics.js';
import { renderJsonReport } from '../../../src/report/json-report.js';
import { buildReportModel } from '../../../src/report/report-model.js';
import { buildFixtureDoc } from '../report/fixture-doc.js';
import { caught, listCamelKeys } from './support.js';

async function renderFixtureReport(): Promise<string> {
  const doc = await buildFixtureDoc();
  const [, infer] = doc.tasks;
  if (infer) infer.params = { ...infer.params, batchSize: 4 };
  const model = buildReportModel(doc, undefined, {
    now: () => new Date('2026-11-24T07:00:00Z'),
    sloMs: 2000,
    references: { infer: { output_tokens_per_s: { value: 100, tolerance_pct: 10 } } },
  });
  return renderJsonReport(model);
}

/** Keys that are data (advice message values, parameters, job metadata, …): the user's case. */
const DATA_MAP_KEYS = new Set(['values', 'params', 'percentiles', 'metadata', 'environment', 'warmup_by_experiment', 'by_file']);

describe('report.json', () => {
  it('has every key in snake_case outside data maps, and reads back with the metrics document in memory', async () => {
    const text = await renderFixtureReport();
    const onDisk = JSON.parse(text) as { schema: string; report: { references: unknown[]; sweep_choices: unknown[] }; metrics: { schema: string } };
    expect(onDisk.schema).toBe(REPORT_SCHEMA_ID);
    expect(onDisk.metrics.schema).toBe(METRICS_SCHEMA_ID);
    expect(onDisk.report.references.length).toBeGreaterThan(0);
    expect(onDisk.report.sweep_choices.length).toBeGreaterThan(0);
    expect(listCamelKeys(onDisk, DATA_MAP_KEYS)).toEqual([]);
    expect(text).toContain('"tolerance_pct": 10');
    expect(text).toContain('"slo_ms": 2000');
    expect(text).toContain('"batchSize": 4');
    const read = parseJsonReport(text, 'report.json');
    expect(read.report.references[0]?.tolerance_pct).toBe(10);
    expect(read.metrics.tasks[1]?.inference?.outputTokensPerS).toBeGreaterThan(0);
    expect(read.metrics.tasks[1]?.params.batchSize).toBe(4);
  });

  it('refuses a malformed report naming the file and the field as the file spells it', async () => {
    const onDisk = JSON.parse(await renderFixtureReport()) as { report: { sweep_choices: Record<string, unknown>[] }; metrics: { tasks: Record<string, unknown>[] } };
    const choice = onDisk.report.sweep_choices[0] ?? {};
    choice.slo_ms = '2 s';
    expect(caught(() => parseJsonReport(JSON.stringify(onDisk), 'out/report.json')).message).toBe('out/report.json: report.sweep_choices[0].slo_ms: expected a number, got the string "2 s"');
    choice.slo_ms = 2000;
    (onDisk.metrics.tasks[1]?.inference as Record<string, unknown>).latency_s = 'fast';
    expect(caught(() => parseJsonReport(JSON.stringify(onDisk), 'out/report.json')).message).toBe('out/report.json: metrics.tasks[1].inference.latency_s: expected an object, got the string "fast"');
    expect(caught(() => parseJsonReport('{"schema": "hpcbench.report/1"}', 'r.json')).message).toMatch(/^r\.json: schema: expected "hpcbench\.report\/2"/);
  });
});
