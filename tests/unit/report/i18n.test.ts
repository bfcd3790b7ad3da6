import { beforeAll, describe, expect, it } from 'vitest';
import { buildExampleReport } from '../../../src/report/example-report.js';
import { renderHtmlReport } from '../../../src/report/html.js';
import { renderMarkdownReport } from '../../../src/report/markdown.js';
import { renderComparisonMarkdown } from '../../../src/report/compare-format.js';
import { buildReportModel, type ReportModel } from '../../../src/report/report-model.js';
import type { ReportLang } from '../../../src/report/format.js';
import { catalogueFor, describeAdvice, registerCatalogue, type Catalogue } from '../../../src/report/i18n/index.js';
import type { Message } from '../../../src/report/i18n/catalogue.js';
import { EN } from '../../../src/report/i18n/en.js';
import { PT_BR } from '../../../src/report/i18n/pt-BR.js';
import { REPORT_LANGS } from '../../../src/report/format.js';
import { compareRuns } from '../../../src/report/compare.js';
import { buildFixtureDoc } from './fixture-doc.js';

/**
 * Every key path of a catalogue ("labels.title", "advice.latency-outliers"), sorted. A plural
 * message is one message: a language may need `{ one, other }` where English has one sentence.
 */
function listKeys(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null || ('one' in value && 'other' in value)) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => listKeys(v, prefix === '' ? k : `${prefix}.${k}`)).sort();
}

function listMessages(catalogue: Catalogue): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') out.push(v);
    else if (typeof v === 'object' && v !== null) for (const [k, inner] of Object.entries(v)) if (k !== 'count') walk(inner);
  };
  walk(catalogue);
  return out;
}

/**
 * English sentences of the catalogue that a pt-BR report must not contain: the fixed words of each
 * message (placeholders split them) longer than three words; technical terms (p95, GPU, tokens/s,
 * file names) are short fragments or shared by both languages, so they are not among them.
 */
function listEnglishSentences(): string[] {
  const portuguese = new Set(listMessages(PT_BR));
  const fragments = listMessages(EN)
    .filter((m) => !portuguese.has(m))
    .flatMap((m) => m.split(/\{\w+\}/))
    .map((f) => f.trim())
    .filter((f) => f.split(/\s+/).length > 3);
  return [...new Set(fragments)];
}

describe('message catalogues', () => {
  it('every language has exactly the keys of the English catalogue', () => {
    const english = listKeys(EN);
    for (const lang of REPORT_LANGS) expect(listKeys(catalogueFor(lang)), lang).toEqual(english);
  });

  it('a key missing in a language is found (the check itself can fail)', () => {
    const broken = structuredClone(PT_BR) as unknown as { labels: Record<string, string> };
    delete broken.labels.title;
    expect(listKeys(broken)).not.toEqual(listKeys(EN));
  });

  it('plural messages agree with their count in pt-BR', () => {
    const advice = (count: number) => ({ code: 'latency-outliers' as const, values: { count, n: 60, z: 3.5 } });
    expect(describeAdvice(advice(1), 'pt-BR')).toMatch(/^1 de 60 latências é um valor atípico/);
    expect(describeAdvice(advice(2), 'pt-BR')).toMatch(/^2 de 60 latências são valores atípicos/);
    expect(describeAdvice(advice(1), 'en')).toMatch(/^1 of 60 latencies is an outlier/);
    const plural = Object.values(EN.advice).filter((m: Message) => typeof m !== 'string');
    expect(plural.length).toBeGreaterThan(0);
  });

  it('pt-BR avoids the wording the issue reported', () => {
    const all = listMessages(PT_BR).join('\n');
    expect(all).not.toMatch(/citar a cauda/);
    expect(all).not.toMatch(/\(ões\)|\(s\) falharam/);
    expect(PT_BR.compare.baseline).toBe('Linha de base');
    expect(PT_BR.compare.task).toBe('Tarefa');
    expect(PT_BR.labels.references).not.toBe(PT_BR.compare.baseline);
  });
});

describe('the example report in pt-BR', () => {
  let model: ReportModel;
  let markdown: string;
  let html: string;
  beforeAll(async () => {
    const { doc } = await buildExampleReport(process.cwd(), '0.0.0-test');
    model = buildReportModel(doc, undefined, { now: () => new Date('2026-11-24T07:00:00Z') });
    markdown = renderMarkdownReport(model, 'pt-BR');
    html = await renderHtmlReport(model, 'pt-BR');
  }, 60_000);

  it('contains no English sentence of the catalogue (Markdown and HTML)', () => {
    const sentences = listEnglishSentences();
    expect(sentences.length).toBeGreaterThan(100);
    // HTML escapes quotes and ampersands; compare its text with entities decoded.
    const htmlText = html.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>');
    for (const sentence of sentences) {
      expect(markdown, sentence).not.toContain(sentence);
      expect(htmlText, sentence).not.toContain(sentence);
    }
  });

  it('the English report of the same data does contain them (the check can fail)', () => {
    const english = renderMarkdownReport(model, 'en');
    expect(listEnglishSentences().filter((s) => english.includes(s)).length).toBeGreaterThan(20);
  });
});

describe('compare in pt-BR', () => {
  it('words its table from the catalogue: Tarefa, Linha de base, no English sentence', async () => {
    const doc = await buildFixtureDoc();
    const text = renderComparisonMarkdown(compareRuns(doc, doc, { seed: 1 }), 'pt-BR');
    expect(text).toContain('| Tarefa | Métrica | Linha de base | Candidata | Variação | IC 95 % | Veredito |');
    expect(text).toContain('semente do bootstrap 1');
    for (const sentence of listEnglishSentences()) expect(text, sentence).not.toContain(sentence);
  });
});

describe('a third language', () => {
  it('needs only a catalogue: a fake one built from every key renders every format', async () => {
    const mark = (value: unknown): unknown => {
      if (typeof value === 'string') return `«${value.replace(/[A-Za-z]+/g, (w) => (w.length > 3 ? 'xx' : w))}»`;
      if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === 'count' ? v : mark(v)]));
      return value;
    };
    const fake = mark(EN) as Catalogue;
    registerCatalogue('xx', fake);
    const lang = 'xx' as ReportLang;
    const doc = await buildFixtureDoc();
    const model = buildReportModel(doc, undefined, { sloMs: 2000 });
    const md = renderMarkdownReport(model, lang);
    expect(md).toContain(`# ${String(fake.labels.title)}`);
    expect(md).toContain(String(fake.labels.methodH));
    // Every line of prose comes from the fake catalogue: no English sentence is left.
    for (const sentence of listEnglishSentences()) expect(md, sentence).not.toContain(sentence);
    const htmlText = await renderHtmlReport(model, lang);
    expect(htmlText).toContain(`<html lang="xx">`);
    expect(htmlText).toContain(String(fake.labels.warnings).replace(/«/g, '«'));
    const compared = renderComparisonMarkdown(compareRuns(doc, doc, { seed: 1 }), lang);
    expect(compared).toContain(String(fake.compare.title));
  });
});
