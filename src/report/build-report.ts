/**
 * The report use case: profiled runs in, report files written, and what the caller should tell
 * the user. Every run is read before anything is written, so a bad run id fails the whole
 * command, not half of it. Returns data; printing is the caller's (the CLI's) business.
 */
import { basename, join } from 'node:path';
import { readRunConfigOptions } from '../config/run-config-options.js';
import { UsageError } from '../errors.js';
import { listDocumentExperiments, type MetricsDocument } from '../profile/metrics-document.js';
import { resolveRunDirectory } from '../runs/run-directory.js';
import { describeBundleRefusal } from './bundle-refusals.js';
import { reportOptionsFromConfig, restrictToExperiments } from './config-options.js';
import { renderCsvReport } from './csv.js';
import type { ReportOptions } from './report-model.js';
import { loadRunOrMetricsFile } from './run-bundle.js';
import { parseReportFormats, parseReportLangs, renderReportFiles, writeReportFiles } from './write-report.js';

export interface BuildReportsOptions {
  /** Run ids, `latest`, run directories or metrics.json files. */
  runs: readonly string[];
  /** --config: also where run ids are looked up (its project's results/). */
  configOption: string | undefined;
  /** Comma-separated formats and languages, as the flags give them. */
  format: string;
  lang: string;
  /** Output folder; default `<run>/report/`. Several runs get one folder each in it. */
  out: string | undefined;
  sloMs: number | undefined;
  toolVersion: string;
  /** Problems that cost part of a report, not the report. */
  onWarning: (message: string) => void;
  /** Sections no task of a run has data for (the report says so too), one line each. */
  onNote: (message: string) => void;
}

export interface BuiltReports {
  /** The files written for each run (`all runs`: the CSV of all of them). */
  written: { run: string; files: string[] }[];
}

/**
 * SLOs, references and descriptions from hpcbench.yaml (--config, else the run's own copy, else
 * the project's). A config that no longer loads costs those extras, not the report.
 */
function configOptions(runDir: string, options: BuildReportsOptions, experiments: readonly string[]): Pick<ReportOptions, 'sloMs' | 'references' | 'descriptions'> {
  const fromConfig = readRunConfigOptions(runDir, options.configOption, options.onWarning, 'the report has no SLO or references from it', reportOptionsFromConfig);
  if (fromConfig === undefined) return {};
  return {
    sloMs: restrictToExperiments((fromConfig.sloMs ?? {}) as Record<string, number>, experiments),
    references: restrictToExperiments(fromConfig.references ?? {}, experiments),
    descriptions: restrictToExperiments(fromConfig.descriptions ?? {}, experiments),
  };
}

export async function buildReports(options: BuildReportsOptions): Promise<BuiltReports> {
  const formats = parseReportFormats(options.format);
  const langs = parseReportLangs(options.lang);
  if (options.sloMs !== undefined && !(options.sloMs > 0)) throw new UsageError(`--slo-ms must be a positive number of milliseconds, got ${options.sloMs}`);
  const written: BuiltReports['written'] = [];
  const loaded = options.runs.map((run) => loadRunOrMetricsFile(run, (arg) => resolveRunDirectory(arg, options.configOption)));
  const docs: MetricsDocument[] = loaded.map((l) => l.doc);
  for (const { runDir, doc, bundle } of loaded) {
    for (const r of bundle.refused) options.onWarning(`${basename(runDir)}: ${r.path} ${describeBundleRefusal(r, 'en')}`);
    const files = await renderReportFiles(doc, bundle, {
      ...configOptions(runDir, options, listDocumentExperiments(doc)),
      ...(options.sloMs !== undefined ? { sloMs: options.sloMs } : {}),
      formats,
      langs,
      toolVersion: options.toolVersion,
    });
    // Several runs into one --out: one folder each, so their reports do not overwrite each other.
    const target = options.out === undefined ? join(runDir, 'report') : options.runs.length > 1 ? join(options.out, basename(runDir)) : options.out;
    const paths = writeReportFiles(target, files, { inRun: options.out === undefined });
    written.push({ run: doc.run.run_id ?? basename(runDir), files: paths });
    for (const section of new Set(doc.tasks.flatMap((t) => t.missing.map((m) => m.section)))) {
      const all = doc.tasks.every((t) => t.missing.some((m) => m.section === section));
      if (all && section !== 'process') options.onNote(`${basename(runDir)}: no ${section} data; that section of the report says so`);
    }
  }
  // Several runs: one tidy CSV of all of them as well, for side-by-side analysis.
  if (options.out !== undefined && docs.length > 1 && formats.includes('csv')) {
    written.push({ run: 'all runs', files: writeReportFiles(options.out, new Map([['metrics.csv', renderCsvReport(docs)]])) });
  }
  return { written };
}
