// Reports show the per-process GPU memory that --query-compute-apps logs give (metrics.json
// gpu_processes), from a real capture read by the real parser, in both languages and in HTML;
// a document without such a log renders no such section.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { summarizeComputeApps } from '../../../src/profile/gpu/nvidia-smi-apps.js';
import { renderHtmlReport } from '../../../src/report/html.js';
import { renderMarkdownReport } from '../../../src/report/markdown.js';
import { buildReportModel } from '../../../src/report/report-model.js';
import { emptyDoc, emptyTask } from './fixture-doc.js';

const REAL = join(__dirname, '../../fixtures/real/nvidia-smi-apps/rtxpro6000-compute-apps-noheader-nounits.csv');
const NOW = { now: () => new Date('2026-12-01T17:00:00Z') };

async function appsDoc() {
  const serve = emptyTask('serve', 'main');
  serve.gpu_processes = await summarizeComputeApps([REAL]);
  return emptyDoc('20261201-170000-serve-a1b2', ['serve', 'plain'], [serve, emptyTask('plain', 'main')]);
}

describe('processes on the GPUs in reports', () => {
  it('lists every process of the real capture, largest GPU memory first, with the pid seen on two GPUs', async () => {
    const model = buildReportModel(await appsDoc(), undefined, NOW);
    expect(model.gpuProcesses.rows.map((r) => [r.pid, r.peakUsedMiB])).toEqual([
      [2094147, 90480],
      [2094383, 90478],
      [377813, 47594],
      [377814, 47560],
      [377306, 550],
      [377306, 550],
    ]);
    expect(model.gpuProcesses.rows[0]).toMatchObject({ experiment: 'serve', task: 'main', gpu: 'GPU-e16d248c-c1a9-3302-01d6-82c18e02c9ce', processName: 'sglang::scheduler_TP0_EP0', samples: 1 });
    expect(model.gpuProcesses.pidsOnSeveralGpus).toEqual([{ task: 'serve/main', pids: [377306] }]);
    expect(model.gpuProcesses.hidden).toEqual([]);
  });

  it('renders the table in the English and Portuguese Markdown reports', async () => {
    const model = buildReportModel(await appsDoc(), undefined, NOW);
    const en = renderMarkdownReport(model, 'en');
    expect(en).toContain('#### Processes on the GPUs');
    expect(en).toContain('| serve | main | GPU-e16d248c-c1a9-3302-01d6-82c18e02c9ce | 2094147 | sglang::scheduler_TP0_EP0 | 1 | 88.4 GiB | 88.4 GiB |');
    expect(en).toContain('| serve | main | GPU-d9a18a51-6b47-71b3-44aa-dfd4448a0e88 | 377306 | /root/sglang/.venv/bin/python3 | 1 | 550 MiB | 550 MiB |');
    // The notes are a list of their own, after a blank line that ends the table.
    expect(en).toContain('| 550 MiB | 550 MiB |\n\n- serve/main: processes on more than one GPU (PID): 377306.');
    // The section sits inside the GPU results, before accounting.
    expect(en.indexOf('#### Processes on the GPUs')).toBeLessThan(en.indexOf('### 4.4 Accounting and efficiency'));
    expect(en.indexOf('#### Processes on the GPUs')).toBeGreaterThan(en.indexOf('### 4.3 GPU'));
    const pt = renderMarkdownReport(model, 'pt-BR');
    expect(pt).toContain('#### Processos nas GPUs');
    expect(pt).toContain('| Experimento | Tarefa | GPU | PID | Processo | Amostras | Pico de memória | Memória média |');
    expect(pt).toContain('- serve/main: processos em mais de uma GPU (PID): 377306.');
    expect(pt).toContain('| 88,4 GiB | 88,4 GiB |');
    expect(pt).not.toContain('Processes on the GPUs');
  });

  it('renders it in the HTML report, escaped', async () => {
    const doc = await appsDoc();
    const apps = doc.tasks[0]?.gpu_processes;
    const first = apps?.processes[0];
    if (first === undefined) throw new Error('no process');
    first.processName = '<script>alert(1)</script>|x';
    const html = await renderHtmlReport(buildReportModel(doc, undefined, NOW), 'en');
    expect(html).toContain('<h4>Processes on the GPUs</h4>');
    expect(html).toContain('<td class="n">2094147</td>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;|x');
    expect(html).not.toContain('<script>alert(1)');
    expect(await renderHtmlReport(buildReportModel(doc, undefined, NOW), 'pt-BR')).toContain('<h4>Processos nas GPUs</h4>');
    const md = renderMarkdownReport(buildReportModel(doc, undefined, NOW), 'en');
    // A `|` in a process name would split the Markdown row: it is escaped.
    expect(md).not.toContain('</script>|x |');
  });

  it('shows the first rows of a task with many processes and counts the rest', async () => {
    const doc = await appsDoc();
    const apps = doc.tasks[0]?.gpu_processes;
    const template = apps?.processes[0];
    if (apps === undefined || template === undefined) throw new Error('no process');
    // The report shows 20 rows per task.
    apps.processes = Array.from({ length: 25 }, (_, i) => ({ ...template, pid: 1000 + i, peakUsedMiB: i }));
    const model = buildReportModel(doc, undefined, NOW);
    expect(model.gpuProcesses.rows).toHaveLength(20);
    expect(model.gpuProcesses.rows[0]?.pid).toBe(1024);
    expect(model.gpuProcesses.hidden).toEqual([{ task: 'serve/main', count: 5 }]);
    expect(renderMarkdownReport(model, 'en')).toContain('- serve/main: 5 more processes, listed in metrics.json (gpu_processes).');
    expect(await renderHtmlReport(model, 'pt-BR')).toContain('serve/main: mais 5 processos, listados no metrics.json (gpu_processes).');
  });

  it('has no such section without a compute-apps log', async () => {
    const model = buildReportModel(emptyDoc('20261201-170000-plain-a1b2', ['plain'], [emptyTask('plain', 'main')]), undefined, NOW);
    expect(model.gpuProcesses.rows).toEqual([]);
    expect(renderMarkdownReport(model, 'en')).not.toContain('Processes on the GPUs');
    expect(renderMarkdownReport(model, 'pt-BR')).not.toContain('Processos nas GPUs');
    expect(await renderHtmlReport(model, 'en')).not.toContain('<h4>');
  });
});
