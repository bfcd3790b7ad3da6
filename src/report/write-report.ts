/**
 * Renders the chosen formats for one run and writes them. `renderReportFiles` is pure (file
 * name → content) so tests and the example regeneration compare text without touching disk.
 */
import { lstatSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { UnsafeWriteError, UsageError } from '../errors.js';
import { writeFileAtomically } from '../fs-atomic.js';
import type { MetricsDocument } from '../profile/metrics-document.js';
import { renderCsvReport } from './csv.js';
import { REPORT_LANGS, type ReportLang } from './format.js';
import { renderHtmlReport } from './html.js';
import { renderJsonReport } from './json-report.js';
import { renderMarkdownReport } from './markdown.js';
import { buildReportModel, type ReportOptions } from './report-model.js';
import type { RunBundle } from './run-bundle.js';

export const REPORT_FORMATS = ['md', 'csv', 'json', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface RenderReportOptions extends ReportOptions {
  formats?: readonly ReportFormat[];
  langs?: readonly ReportLang[];
}

export function parseReportFormats(text: string): ReportFormat[] {
  const out: ReportFormat[] = [];
  for (const part of text.split(',').map((s) => s.trim().toLowerCase()).filter((s) => s !== '')) {
    const name = part === 'markdown' ? 'md' : part;
    if (!(REPORT_FORMATS as readonly string[]).includes(name)) {
      throw new UsageError(`unknown report format '${part}'; expected a comma-separated list of ${REPORT_FORMATS.join(', ')}`, 'for example --format md,html');
    }
    if (!out.includes(name as ReportFormat)) out.push(name as ReportFormat);
  }
  if (out.length === 0) throw new UsageError('--format is empty; expected one or more of md, csv, json, html');
  return out;
}

export function parseReportLangs(text: string): ReportLang[] {
  const out: ReportLang[] = [];
  for (const part of text.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const lang = REPORT_LANGS.find((l) => l.toLowerCase() === part.toLowerCase() || (part.toLowerCase() === 'pt' && l === 'pt-BR'));
    if (lang === undefined) throw new UsageError(`unknown report language '${part}'; expected en or pt-BR`);
    if (!out.includes(lang)) out.push(lang);
  }
  if (out.length === 0) throw new UsageError('--lang is empty; expected en or pt-BR');
  return out;
}

/** The file name of a format in a language: English is the plain name, others carry the tag. */
function reportFileName(format: ReportFormat, lang: ReportLang): string {
  const tag = lang === 'en' ? '' : `.${lang}`;
  switch (format) {
    case 'md':
      return `report${tag}.md`;
    case 'html':
      return `report${tag}.html`;
    case 'csv':
      return 'metrics.csv';
    case 'json':
      return 'report.json';
  }
}

export async function renderReportFiles(
  doc: MetricsDocument,
  bundle: RunBundle | undefined,
  options: RenderReportOptions = {},
): Promise<Map<string, string>> {
  const formats = options.formats ?? ['md', 'csv', 'json', 'html'];
  const langs = options.langs ?? ['en'];
  const model = buildReportModel(doc, bundle, options);
  const files = new Map<string, string>();
  for (const format of formats) {
    if (format === 'csv') files.set(reportFileName('csv', 'en'), renderCsvReport([doc]));
    else if (format === 'json') files.set(reportFileName('json', 'en'), renderJsonReport(model));
    else {
      for (const lang of langs) {
        const text = format === 'md' ? renderMarkdownReport(model, lang) : await renderHtmlReport(model, lang);
        files.set(reportFileName(format, lang), text);
      }
    }
  }
  return files;
}

/**
 * `inRun`: outDir is the run's own report/ folder, which must be a real folder of the run: a link
 * planted there (a copied or unpacked run) would send the report somewhere else. A folder the user
 * names with --out may be a link; that is the user's choice.
 */
export function writeReportFiles(outDir: string, files: ReadonlyMap<string, string>, options: { inRun?: boolean } = {}): string[] {
  if (options.inRun === true) refuseLinkedFolder(outDir);
  mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const [name, text] of files) {
    const file = join(outDir, name);
    // Never through a planted symlink, never replacing a device: see fs-atomic.
    writeFileAtomically(file, text);
    written.push(file);
  }
  return written;
}

function refuseLinkedFolder(dir: string): void {
  let stat;
  try {
    stat = lstatSync(dir);
  } catch {
    return; // created next, as a real folder
  }
  if (!stat.isDirectory()) {
    throw new UnsafeWriteError(dir, `expected the run's report folder, found ${stat.isSymbolicLink() ? 'a symbolic link' : 'something that is not a folder'}; nothing was written`, 'remove it (the report is written again), or write elsewhere with --out');
  }
}
