import { describe, expect, it } from 'vitest';
import type { RejectedLinesReport } from '../../../src/profile/lines.js';
import type { MetricsDocument } from '../../../src/profile/metrics-document.js';
import { compareRuns } from '../../../src/report/compare.js';
import { renderComparisonMarkdown } from '../../../src/report/compare-format.js';
import { renderCsvReport } from '../../../src/report/csv.js';
import { renderMarkdownReport } from '../../../src/report/markdown.js';
import { buildReportModel } from '../../../src/report/report-model.js';
import { codeSpan, escapeMarkdown } from '../../../src/report/markdown-escape.js';
import { buildFixtureDoc, emptyDoc, emptyTask } from './fixture-doc.js';

/** RFC 4180 records as objects keyed by the header (quotes doubled inside quoted fields). */
function parseCsv(text: string): Record<string, string>[] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else field += c;
  }
  const [header = [], ...rows] = records;
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}

/** Removes fenced blocks and code spans (CommonMark rules: a span closes on a backtick run of the same length). */
function stripCode(md: string): string {
  const lines: string[] = [];
  let fence: string | undefined;
  for (const line of md.split('\n')) {
    const open = /^(`{3,})/.exec(line)?.[1];
    if (fence !== undefined) {
      if (open !== undefined && open.length >= fence.length && line.trim() === open) fence = undefined;
      continue;
    }
    if (open !== undefined) {
      fence = open;
      continue;
    }
    lines.push(line);
  }
  let out = '';
  const text = lines.join('\n');
  let i = 0;
  while (i < text.length) {
    if (text[i] === '`' && (i === 0 || text[i - 1] !== '\\')) {
      const run = /^`+/.exec(text.slice(i))?.[0] ?? '`';
      const close = text.slice(i + run.length).search(new RegExp(`(?<!\`)${run}(?!\`)`));
      if (close >= 0) {
        i += run.length + close + run.length;
        out += 'CODE';
        continue;
      }
    }
    out += text[i];
    i += 1;
  }
  return out;
}

/** Cells of a table row: pipes preceded by an odd number of backslashes are escaped. */
function countCells(row: string): number {
  let count = 0;
  for (let i = 0; i < row.length; i += 1) {
    if (row[i] !== '|') continue;
    let slashes = 0;
    for (let j = i - 1; j >= 0 && row[j] === '\\'; j -= 1) slashes += 1;
    if (slashes % 2 === 0) count += 1;
  }
  return count - 1;
}

/** Every table keeps its header's column count; no HTML tag but ours (details/summary) outside code. */
function expectWellFormed(md: string): void {
  const lines = md.split('\n');
  let header: number | undefined;
  for (const line of lines) {
    if (!line.startsWith('|')) {
      header = undefined;
      continue;
    }
    const cells = countCells(line);
    if (header === undefined) header = cells;
    else expect(cells, `row with a wrong number of cells: ${line}`).toBe(header);
  }
  const prose = stripCode(md).replace(/<\/?(details|summary)>/g, '');
  expect(prose).not.toMatch(/<[A-Za-z!/?]/);
  expect(prose).not.toMatch(/(?<!\\)\](?=\()/);
  expect(md).not.toMatch(/^#+ injected/m);
}

const HOSTILE = {
  experiment: 'ex|p<script>alert(1)</script>`x`',
  task: 't\n# injected heading|',
  host: 'node|1<img src=x onerror=alert(1)>',
  param: '[click](http://evil.example) & more',
  file: 'log<b>bold</b>|x.jsonl',
};

describe('Markdown: values from jobs, logs and configs stay text', () => {
  it.each(['en', 'pt-BR'] as const)('names with |, HTML, backticks, links and line breaks neither break a table nor become markup (%s)', (lang) => {
    const task = emptyTask(HOSTILE.experiment, HOSTILE.task);
    task.params = { batch: HOSTILE.param };
    task.metadata = { hostname: HOSTILE.host, env: { 'A|B': '<i>x</i>' } };
    task.missing.push({ section: 'gpu', reason: `no nvidia-smi log in ${HOSTILE.file}`, code: 'no-gpu-log', values: { where: HOSTILE.file } });
    const doc = emptyDoc(`<run>|${HOSTILE.experiment}`, [HOSTILE.experiment], [task]);
    doc.run.cluster = HOSTILE.host;
    doc.sources = [{ file: HOSTILE.file, kind: 'inference', task: HOSTILE.task, rejected: { count: 2 } as unknown as RejectedLinesReport }];
    const model = buildReportModel(doc, undefined, { descriptions: { [HOSTILE.experiment]: '<i>desc</i>\n\n# injected too' } });
    const md = renderMarkdownReport(model, lang);
    expectWellFormed(md);
    // The values are still there, as text a reader sees.
    expect(md).toContain('node\\|1&lt;img src=x onerror=alert(1)&gt;');
    expect(md).toContain('ex\\|p&lt;script&gt;alert(1)&lt;/script&gt;`x`');
    expect(md).toContain('log&lt;b&gt;bold&lt;/b&gt;\\|x.jsonl');
  });

  it('a comparison of runs with hostile names stays one well-formed table', async () => {
    const rename = async (runId: string): Promise<MetricsDocument> => {
      const doc = await buildFixtureDoc();
      doc.run.run_id = runId;
      doc.run.experiments = [HOSTILE.experiment, 'lora'];
      for (const t of doc.tasks) if (t.experiment === 'infer') t.experiment = HOSTILE.experiment;
      return doc;
    };
    const comparison = compareRuns(await rename('<b>a|</b>'), await rename('b\n# injected'), { seed: 1, iterations: 50 });
    expect(comparison.metrics.length).toBeGreaterThan(0);
    const md = renderComparisonMarkdown(comparison, 'en');
    expectWellFormed(md);
    expect(md).toContain('# Comparison: &lt;b&gt;a\\|&lt;/b&gt; → b # injected');
  });

  it('escapeMarkdown and codeSpan', () => {
    expect(escapeMarkdown('a|b<c>&d\\e\r\nf](g)')).toBe('a\\|b&lt;c&gt;&amp;d\\\\e f\\](g)');
    expect(codeSpan('plain')).toBe('`plain`');
    expect(codeSpan('a`b')).toBe('``a`b``');
    expect(codeSpan('`edge`')).toBe('`` `edge` ``');
    expect(codeSpan('a|b', true)).toBe('`a\\|b`');
    expect(codeSpan('two\nlines')).toBe('`two lines`');
  });
});

describe('CSV: cells a spreadsheet would run as formulas', () => {
  it('are prefixed with an apostrophe; numbers, negative ones included, stay numbers', async () => {
    const formulas = ['=HYPERLINK("http://evil.example","click")', '+1+2', '-1+2', '@SUM(A1)', '\tx', '\rx', '=1'];
    const numbers = ['-3', '-1.5e-3', '+7', '-.5', '12'];
    const doc = await buildFixtureDoc();
    const task = doc.tasks[0];
    if (task === undefined) throw new Error('fixture has no task');
    task.task = 'cells';
    task.params = {
      ...Object.fromEntries(formulas.map((f, i) => [`formula${i}`, f])),
      ...Object.fromEntries(numbers.map((n, i) => [`number${i}`, n])),
      negative: -2,
      plain: 'plain',
    };
    const rows = parseCsv(renderCsvReport([doc])).filter((r) => r.task === 'cells');
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      formulas.forEach((f, i) => expect(row[`formula${i}`]).toBe(`'${f}`));
      numbers.forEach((n, i) => expect(row[`number${i}`]).toBe(n));
      expect(row.negative).toBe('-2');
      expect(row.plain).toBe('plain');
    }
  });

  it('in metrics.csv: a hostile experiment, task and parameter are neutralised, a negative value stays a number', async () => {
    const doc = await buildFixtureDoc();
    const task = doc.tasks[0];
    if (task === undefined) throw new Error('fixture has no task');
    task.experiment = '=HYPERLINK("http://evil.example","click")';
    task.task = '@SUM(1)';
    task.params = { offset: -4, note: '+cmd|/C calc', neg: '-2.5' };
    const rows = parseCsv(renderCsvReport([doc]));
    const mine = rows.filter((r) => r.task === "'@SUM(1)");
    expect(mine.length).toBeGreaterThan(0);
    for (const row of mine) {
      expect(row.experiment).toBe('\'=HYPERLINK("http://evil.example","click")');
      expect(row.note).toBe("'+cmd|/C calc");
      expect(row.offset).toBe('-4');
      expect(row.neg).toBe('-2.5');
    }
    for (const row of rows) for (const value of Object.values(row)) expect(value === '' || !/^[=+@\t\r]/.test(value) || /^[+-]?[\d.]/.test(value)).toBe(true);
  });
});
