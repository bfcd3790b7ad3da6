// The profiler's warnings as codes: every code has its wording in every language, metrics.json
// keeps the English sentence the catalogue gives, and a pt-BR report of a profile full of
// warnings says them in Portuguese (no English sentence, no "em inglês" prefix).
import { beforeAll, describe, expect, it } from 'vitest';
import { profileFiles } from '../../../src/profile/profile-run.js';
import { parseMetricsDocument, serializeMetricsDocument } from '../../../src/contracts/metrics.js';
import { InputError } from '../../../src/errors.js';
import type { MetricsDocument } from '../../../src/profile/metrics-document.js';
import { buildReportModel } from '../../../src/report/report-model.js';
import { renderMarkdownReport } from '../../../src/report/markdown.js';
import { renderHtmlReport } from '../../../src/report/html.js';
import { REPORT_LANGS } from '../../../src/report/format.js';
import { catalogueFor, describeAdvice } from '../../../src/report/i18n/index.js';
import { EN } from '../../../src/report/i18n/en.js';
import type { Message } from '../../../src/report/i18n/catalogue.js';
import { describeProfileWarningEn, PROFILE_WARNING_CODES, PROFILE_WARNINGS_EN, type ProfileWarning } from '../../../src/report/i18n/profile-warnings.js';

const FIXTURES = [
  'tests/fixtures/nvidia-smi/query-requeue-gap.csv',
  'tests/fixtures/inference/all-failed.jsonl',
  'tests/fixtures/training/diverged-trainer.log',
];

function listWordings(message: Message): string[] {
  return typeof message === 'string' ? [message] : [message.one, message.other];
}

function listPlaceholders(text: string): string[] {
  return [...new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string))].sort();
}

/** The fixed words of every English warning (placeholders split them), longer than three words. */
function listEnglishWarningSentences(): string[] {
  return [
    ...new Set(
      Object.values(PROFILE_WARNINGS_EN)
        .flatMap((m) => m.split(/\{\w+\}/))
        .map((f) => f.trim())
        .filter((f) => f.split(/\s+/).length > 3),
    ),
  ];
}

/** The catalogue's English text with its placeholders filled (written here again, apart from the code under test). */
function fillWarningText(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
}

/** A profiler warning as the report words it (through the advice that carries it). */
function describeProfileWarning(warning: ProfileWarning, lang: 'en' | 'pt-BR'): string {
  return describeAdvice({ code: 'profile-warning', values: {}, warning }, lang);
}

function decodeEntities(html: string): string {
  return html.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

describe('profile warning codes in the catalogues', () => {
  it('every code the profiler can emit has a wording in every language, quoting the same values as English', () => {
    expect(PROFILE_WARNING_CODES.length).toBeGreaterThan(30);
    for (const lang of REPORT_LANGS) {
      const warnings = catalogueFor(lang).warnings;
      expect(Object.keys(warnings).sort(), lang).toEqual([...PROFILE_WARNING_CODES].sort());
      for (const code of PROFILE_WARNING_CODES) {
        for (const wording of listWordings(warnings[code])) {
          expect(wording.trim(), `${lang} ${code}`).not.toBe('');
          expect(listPlaceholders(wording), `${lang} ${code}`).toEqual(listPlaceholders(PROFILE_WARNINGS_EN[code]));
        }
      }
    }
  });

  it('the English catalogue is the profiler’s own text', () => {
    expect(EN.warnings).toBe(PROFILE_WARNINGS_EN);
  });

  it('a task’s warning is prefixed with its task, numbers formatted per language', () => {
    const warning: ProfileWarning = { code: 'rejected-lines', values: { count: 1234 }, task: 'exp/3' };
    expect(describeProfileWarningEn(warning)).toBe('exp/3: 1234 log line(s) were rejected; see sources[].rejected (or rerun with --strict to fail on them)');
    expect(describeProfileWarning(warning, 'en')).toBe('exp/3: 1,234 log line(s) were rejected; see sources[].rejected (or rerun with --strict to fail on them)');
    expect(describeProfileWarning(warning, 'pt-BR')).toMatch(/^exp\/3: 1\.234 linhas de log foram rejeitadas;/);
    expect(describeProfileWarning({ ...warning, values: { count: 1 } }, 'pt-BR')).toMatch(/^exp\/3: 1 linha de log foi rejeitada;/);
  });
});

describe('a profile with several warnings', () => {
  let doc: MetricsDocument;
  beforeAll(async () => {
    const profiled = await profileFiles(FIXTURES, { now: () => new Date('2026-11-24T07:00:00Z'), toolVersion: '0.0.0-test' });
    // Through metrics.json and back: the codes survive the snake_case codec and the contract.
    doc = parseMetricsDocument(serializeMetricsDocument(profiled), 'metrics.json');
  }, 60_000);

  it('gives each English warning a code whose catalogue text is that sentence', () => {
    const codes = doc.warning_codes ?? [];
    expect(codes.map((w) => w.code)).toEqual(expect.arrayContaining(['rejected-lines', 'gpu-sampling-gap', 'all-requests-failed-error', 'training-diverged']));
    expect(codes).toHaveLength(doc.warnings.length);
    codes.forEach((warning, i) => {
      const values = Object.fromEntries(Object.entries(warning.values).map(([k, v]) => [k, String(v)]));
      const text = fillWarningText(PROFILE_WARNINGS_EN[warning.code], values);
      expect(doc.warnings[i]).toBe(warning.task === undefined ? text : `${warning.task}: ${text}`);
      expect(doc.warnings[i]).not.toMatch(/\{\w+\}/);
    });
    for (const section of [doc.tasks[0]?.gpu, doc.tasks[0]?.inference, doc.tasks[0]?.training]) {
      expect(section?.warningCodes?.map(describeProfileWarningEn)).toEqual(section?.warnings);
    }
    expect(serializeMetricsDocument(doc)).toContain('"warning_codes"');
  });

  it('its pt-BR report (Markdown and HTML) has no English warning sentence and no "em inglês" prefix', async () => {
    const model = buildReportModel(doc, undefined, { now: () => new Date('2026-11-24T07:00:00Z') });
    const markdown = renderMarkdownReport(model, 'pt-BR');
    const html = decodeEntities(await renderHtmlReport(model, 'pt-BR'));
    const sentences = listEnglishWarningSentences();
    for (const text of [markdown, html]) {
      expect(text).not.toContain('em inglês');
      for (const sentence of sentences) expect(text, sentence).not.toContain(sentence);
      expect(text).toContain('o treinamento divergiu: a loss é NaN no passo 20');
      expect(text).toContain('todas as requisições falharam (3 de 3)');
      expect(text).toMatch(/lacuna de amostragem de 3\.?595,0 s .*intervalo típico de 1,000 s/);
    }
    // The check can fail: the English report of the same document holds the sentences.
    const english = renderMarkdownReport(model, 'en');
    expect(sentences.filter((s) => english.includes(s)).length).toBeGreaterThan(5);
  });

  it('a document without codes (written before them) keeps its English sentences behind the pt-BR prefix', () => {
    const { warning_codes: _codes, ...old } = doc;
    const markdown = renderMarkdownReport(buildReportModel(old, undefined), 'pt-BR');
    expect(markdown).toContain(`Aviso do profiler (em inglês): ${doc.warnings[0] ?? ''}`);
  });

  it('metrics.json with a warning code this version does not know is refused, naming the field', () => {
    const onDisk = JSON.parse(serializeMetricsDocument(doc)) as { warning_codes: { code: string }[] };
    (onDisk.warning_codes[0] as { code: string }).code = 'no-such-warning';
    const read = (): MetricsDocument => parseMetricsDocument(JSON.stringify(onDisk), 'metrics.json');
    expect(read).toThrow(InputError);
    expect(read).toThrow(/warning_codes\[0\]\.code/);
  });

  it('metrics.json without warning codes (an earlier hpcbench.metrics/2 file) still reads', () => {
    const onDisk = JSON.parse(serializeMetricsDocument(doc)) as Record<string, unknown> & { tasks: Record<string, Record<string, unknown>>[] };
    delete onDisk.warning_codes;
    for (const task of onDisk.tasks) for (const section of ['gpu', 'inference', 'training']) delete task[section]?.warning_codes;
    const read = parseMetricsDocument(JSON.stringify(onDisk), 'metrics.json');
    expect(read.warning_codes).toBeUndefined();
    expect(read.warnings).toEqual(doc.warnings);
  });
});
