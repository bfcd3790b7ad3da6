import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { renderHtmlReport } from '../../../src/report/html.js';
import { renderMarkdownReport } from '../../../src/report/markdown.js';
import { buildReportModel } from '../../../src/report/report-model.js';
import { loadBundle, loadRun } from '../../../src/report/run-bundle.js';
import { renderCsvReport } from '../../../src/report/csv.js';
import { emptyDoc, emptyTask } from './fixture-doc.js';

const temp = mkdtempSync(join(tmpdir(), 'hpcbench-report-bad-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

function runDir(name: string, metrics?: string): string {
  const dir = join(temp, name);
  mkdirSync(dir, { recursive: true });
  if (metrics !== undefined) writeFileSync(join(dir, 'metrics.json'), metrics);
  return dir;
}

describe('bad input', () => {
  it('a run with no metrics.json: says the run was not profiled and what to run', () => {
    const dir = runDir('unprofiled');
    expect(() => loadRun(dir)).toThrow(InputError);
    try {
      loadRun(dir);
    } catch (error) {
      expect((error as InputError).message).toBe(`${dir}: no metrics.json in this run directory: the run has not been profiled`);
      expect((error as InputError).hint).toMatch(/hpcbench profile <run-id>/);
    }
  });

  it('a truncated or foreign metrics.json: names the file and the field', () => {
    expect(() => loadRun(runDir('truncated', '{"schema": "hpcbench.metrics/1", "tasks": ['))).toThrow(/metrics\.json: not valid JSON/);
    expect(() => loadRun(runDir('foreign', JSON.stringify({ schema: 'other/2' })))).toThrow(/schema: expected "hpcbench.metrics\/2" or "hpcbench.metrics\/1" .*, got the string "other\/2"/);
    const noTasks = { ...emptyDoc('r', ['x']), tasks: undefined };
    expect(() => loadRun(runDir('no-tasks', JSON.stringify(noTasks)))).toThrow(/metrics\.json: tasks: expected a list, got nothing \(the field is missing\)/);
    const noExperiments = { ...emptyDoc('r', ['x']), run: { run_id: 'r' } };
    expect(() => loadRun(runDir('no-experiments', JSON.stringify(noExperiments)))).toThrow(/metrics\.json: run\.experiments: expected a list of experiment names, got nothing/);
    const badTask = emptyDoc('r', ['x'], [emptyTask('x', 't')]);
    (badTask.tasks[0] as unknown as Record<string, unknown>).latency_samples_s = null;
    expect(() => loadRun(runDir('bad-task', JSON.stringify(badTask)))).toThrow(/metrics\.json: tasks\[0\]\.latency_samples_s: expected a list, got null/);
  });

  it('a run with metrics but nothing else: the bundle lists what is missing', () => {
    const dir = runDir('bare', JSON.stringify(emptyDoc('r', ['x'])));
    const { bundle } = loadRun(dir);
    expect(bundle.scripts).toEqual([]);
    expect(bundle.config).toBeUndefined();
    expect(bundle.missing).toEqual(['manifest', 'run-record', 'scripts', 'config', 'sacct']);
    const md = renderMarkdownReport(buildReportModel(loadRun(dir).doc, loadBundle(dir)), 'en');
    expect(md).toContain('No task was profiled');
    expect(md).toContain('- manifest.json (the run was not rendered by hpcbench, or the file was not copied)');
    expect(renderMarkdownReport(buildReportModel(loadRun(dir).doc, loadBundle(dir)), 'pt-BR')).toContain('- sacct.txt (execute `hpcbench fetch` depois que os jobs terminarem)');
    expect(renderCsvReport([loadRun(dir).doc])).toBe('run_id,experiment,task,metric,value,unit\n');
  });

  it('names from logs and configs stay text in the HTML, charts included', async () => {
    const task = emptyTask('<script>alert(1)</script>', '<img src=x onerror=alert(2)>');
    task.latency_samples_s = [0.1, 0.2, 0.3, 0.25];
    task.params = { '<b>': '"quoted" & <tagged>' };
    const html = await renderHtmlReport(buildReportModel(emptyDoc('<run>', [task.experiment], [task]), undefined), 'en');
    expect(html).not.toMatch(/<script|<img|<b>/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html.match(/<svg/g)).toHaveLength(1);
  });

  it('a run missing GPU logs: a partial report whose GPU section says why', async () => {
    const task = emptyTask('cpu-baseline', 'main');
    task.missing.push({ section: 'gpu', reason: 'no nvidia-smi log in out/cpu-baseline/main (a CPU job, or nvidia-smi was absent on the node)' });
    task.training = { stepEntries: 0, evalEntries: 0, stepAxis: 'index', lossCurve: [], learningRateCurve: [], evalLossCurve: [], finalLoss: null, minLoss: null, trainLoss: null, finalEval: null, lastStep: null, finalEpoch: null, stepTimeS: { n: 0, mean: null, std: null, min: null, max: null, p50: null, p90: null, p95: null, p99: null }, stepTimeSource: null, meanStepTimeS: null, samplesPerS: null, samplesPerSSource: null, tokensPerS: null, tokensPerSSource: null, trainRuntimeS: null, trainRuntimeSource: null, timePerEpochS: null };
    const model = buildReportModel(emptyDoc('r', ['cpu-baseline'], [task]), undefined);
    for (const lang of ['en', 'pt-BR'] as const) {
      const md = renderMarkdownReport(model, lang);
      expect(md).toContain(lang === 'en' ? 'No GPU logs.' : 'Sem logs de GPU.');
      expect(md).toContain('cpu-baseline/main: no nvidia-smi log in out/cpu-baseline/main (a CPU job, or nvidia-smi was absent on the node)');
    }
    const html = await renderHtmlReport(model, 'en');
    expect(html).toContain('No chart');
    expect(html).not.toContain('<svg');
  });
});
