/**
 * The HTML report in a real browser: Debian's chromium through playwright-core. No console
 * errors, no network requests (the file must be self-contained), every chart an SVG with a
 * non-zero size and axis titles that carry units, wide tables that scroll rather than widen the
 * page, and a screenshot in test-output/ for a human to look at.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildExampleReport } from '../../../src/report/example-report.js';
import { renderHtmlReport } from '../../../src/report/html.js';
import { buildReportModel } from '../../../src/report/report-model.js';
import { emptyDoc, emptyTask } from './fixture-doc.js';

const CHROMIUM = '/usr/bin/chromium';
const OUT = resolve('test-output');

/**
 * The parts of the DOM the chart check reads: the tests compile without the DOM library (src/ must
 * not see browser globals), so the callback that runs in the page declares what it uses.
 */
interface ChartFigure {
  querySelector(selector: 'svg'): { getBoundingClientRect(): { width: number; height: number }; querySelectorAll(selector: string): { length: number } } | null;
  getAttribute(name: string): string | null;
}

/** What the axis check reads of a chart's figure. */
interface AxisFigure {
  getAttribute(name: string): string | null;
  querySelectorAll(selector: string): ArrayLike<{ textContent: string | null }>;
}

/** What the table-width check reads of the page (evaluated in the browser, hence declared here). */
interface PageWidths {
  document: {
    documentElement: { scrollWidth: number };
    querySelectorAll(selector: 'table'): ArrayLike<{ scrollWidth: number; clientWidth: number }>;
  };
  innerWidth: number;
  getComputedStyle(element: unknown): { overflowX: string };
}

describe('HTML report in chromium', () => {
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: the HTML report test needs Debian's chromium. Install it with \`apt-get install -y chromium\`.`);
    }
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  async function open(html: string, name: string): Promise<{ errors: string[]; requests: string[]; page: import('playwright-core').Page }> {
    mkdirSync(OUT, { recursive: true });
    const file = join(OUT, name);
    writeFileSync(file, html);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) requests.push(r.url());
    });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    return { errors, requests, page };
  }

  it('shows every chart of the example run as a visible SVG, offline, without console errors', async () => {
    const { files } = await buildExampleReport(process.cwd(), '0.0.0-test');
    const html = files.get('report.html') as string;
    const { errors, requests, page } = await open(html, 'report.html');
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    const charts = await page.$$eval('figure.chart', (figures: readonly ChartFigure[]) =>
      figures.map((f) => {
        const svg = f.querySelector('svg');
        const box = svg?.getBoundingClientRect();
        return { id: f.getAttribute('data-chart'), width: box?.width ?? 0, height: box?.height ?? 0, marks: svg?.querySelectorAll('path, line, rect, circle').length ?? 0 };
      }),
    );
    const ids = charts.map((c) => c.id);
    expect(ids).toContain('gpu-lora-main');
    expect(ids).toContain('latency-infer-0');
    expect(ids).toContain('loss-lora-main');
    expect(ids).toContain('sweep-infer-batch_size');
    expect(ids).toContain('sweep-infer-max_new_tokens');
    expect(charts).toHaveLength(16);
    for (const c of charts) {
      expect(c.width, `${c.id} width`).toBeGreaterThan(50);
      expect(c.height, `${c.id} height`).toBeGreaterThan(50);
      expect(c.marks, `${c.id} marks`).toBeGreaterThan(5);
    }
    // Every axis of every chart has a title, and every title names its unit in parentheses.
    const axes = await page.$$eval('figure.chart', (figures: readonly AxisFigure[]) =>
      figures.map((f) => ({
        id: f.getAttribute('data-chart'),
        titles: Array.from(f.querySelectorAll('svg .role-axis-title text'), (t) => t.textContent ?? ''),
        // Grid lines are axes too in Vega's SVG; only axes with a domain line are read by people.
        axes: f.querySelectorAll('svg .role-axis-domain').length,
      })),
    );
    for (const a of axes) {
      expect(a.titles.length, `${a.id} axis titles`).toBe(a.axes);
      expect(a.titles.length, `${a.id} axis titles`).toBeGreaterThanOrEqual(2);
      for (const title of a.titles) expect(title, `${a.id} axis "${title}"`).toMatch(/\S \(.+\)$/);
    }
    const sweepAxes = axes.find((a) => a.id === 'sweep-infer-batch_size')?.titles ?? [];
    expect(sweepAxes).toContain('batch_size (requests per batch)');
    expect(sweepAxes).toContain('Output throughput (tokens/s)');
    // The example's SLO (2,000 ms) is drawn on the sweep's latency panel.
    expect(await page.textContent('figure[data-chart="sweep-infer-batch_size"]')).toContain('SLO 2000 ms');
    // Wide tables scroll inside themselves; the page itself never scrolls sideways.
    const widths = await page.evaluate(() => {
      const w = globalThis as unknown as PageWidths;
      return {
        page: w.document.documentElement.scrollWidth,
        viewport: w.innerWidth,
        tables: Array.from(w.document.querySelectorAll('table'), (t) => ({ scroll: t.scrollWidth, client: t.clientWidth, overflowX: w.getComputedStyle(t).overflowX })),
      };
    });
    expect(widths.page).toBeLessThanOrEqual(widths.viewport);
    expect(widths.tables.some((t) => t.scroll > t.client)).toBe(true);
    for (const t of widths.tables.filter((w) => w.scroll > w.client)) expect(t.overflowX).toBe('auto');
    await page.screenshot({ path: join(OUT, 'report.png'), fullPage: true });
    expect(existsSync(join(OUT, 'report.png'))).toBe(true);
    await page.close();
  }, 60_000);

  it('gives every chart axis of the pt-BR report a title with its unit, in Portuguese', async () => {
    const { files } = await buildExampleReport(process.cwd(), '0.0.0-test');
    const { errors, requests, page } = await open(files.get('report.pt-BR.html') as string, 'report.pt-BR.html');
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    const titles = await page.$$eval('figure.chart', (figures: readonly AxisFigure[]) =>
      figures.map((f) => ({ id: f.getAttribute('data-chart'), titles: Array.from(f.querySelectorAll('svg .role-axis-title text'), (t) => t.textContent ?? '') })),
    );
    expect(titles.length).toBeGreaterThan(0);
    for (const c of titles) for (const title of c.titles) expect(title, `${c.id} axis "${title}"`).toMatch(/\S \(.+\)$/);
    const all = titles.flatMap((c) => c.titles);
    expect(all).toContain('batch_size (requisições por lote)');
    expect(all).toContain('Vazão de saída (tokens/s)');
    expect(all).toContain('Fração dos lotes (%)');
    expect(all).not.toContain('Fraction of requests (%)');
    await page.close();
  }, 60_000);

  it('escapes text from the logs, and a run without data says so instead of failing', async () => {
    const task = emptyTask('<script>alert(1)</script>', 'main');
    task.missing.push({ section: 'gpu', reason: 'no nvidia-smi log <b>here</b>' });
    const doc = emptyDoc('run-<x>', [task.experiment], [task]);
    const html = await renderHtmlReport(buildReportModel(doc, undefined), 'pt-BR');
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    const { errors, page } = await open(html, 'report-empty.html');
    expect(errors).toEqual([]);
    expect(await page.$$('figure.chart')).toHaveLength(0);
    expect(await page.textContent('#charts')).toContain('Nenhum gráfico');
    await page.close();
  }, 60_000);
});
