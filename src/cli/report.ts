import type { Argv, CommandModule } from 'yargs';
import { basename, join } from 'node:path';
import { UsageError } from '../errors.js';
import { reportOptionsFromConfig, restrictToExperiments } from '../report/config-options.js';
import type { ReportOptions } from '../report/report-model.js';
import { loadRunOrMetricsFile } from '../report/run-bundle.js';
import { renderCsvReport } from '../report/csv.js';
import { describeBundleRefusal } from '../report/bundle-refusals.js';
import { listDocumentExperiments, type MetricsDocument } from '../profile/metrics-document.js';
import { parseReportFormats, parseReportLangs, renderReportFiles, writeReportFiles } from '../report/write-report.js';
import type { GlobalOptions } from './global-options.js';
import { createOutput, type Output } from './output.js';
import { resolveRunDirectory } from './run-argument.js';
import { readRunConfigOptions } from './run-config.js';
import { packageVersion } from './version.js';

interface ReportArgs extends GlobalOptions {
  runs: string[];
  format: string;
  lang: string;
  out: string | undefined;
  'slo-ms': number | undefined;
}

/**
 * SLOs, references and descriptions from hpcbench.yaml (--config, else the run's own copy, else
 * the project's). A config that no longer loads costs those extras, not the report.
 */
function configOptions(runDir: string, explicit: string | undefined, experiments: readonly string[], out: Output): Pick<ReportOptions, 'sloMs' | 'references' | 'descriptions'> {
  const options = readRunConfigOptions(runDir, explicit, out, 'the report has no SLO or references from it', reportOptionsFromConfig);
  if (options === undefined) return {};
  return {
    sloMs: restrictToExperiments((options.sloMs ?? {}) as Record<string, number>, experiments),
    references: restrictToExperiments(options.references ?? {}, experiments),
    descriptions: restrictToExperiments(options.descriptions ?? {}, experiments),
  };
}

async function handler(argv: ReportArgs): Promise<void> {
  const out = createOutput(argv);
  const formats = parseReportFormats(argv.format);
  const langs = parseReportLangs(argv.lang);
  if (argv['slo-ms'] !== undefined && !(argv['slo-ms'] > 0)) throw new UsageError(`--slo-ms must be a positive number of milliseconds, got ${argv['slo-ms']}`);
  const written: { run: string; files: string[] }[] = [];
  // Every run is read before anything is written: a bad run id fails the command, not half of it.
  const loaded = argv.runs.map((run) => loadRunOrMetricsFile(run, (arg) => resolveRunDirectory(arg, argv.config)));
  const docs: MetricsDocument[] = loaded.map((l) => l.doc);
  for (const { runDir, doc, bundle } of loaded) {
    for (const r of bundle.refused) out.warn(`${basename(runDir)}: ${r.path} ${describeBundleRefusal(r, 'en')}`);
    const fromConfig = configOptions(runDir, argv.config, listDocumentExperiments(doc), out);
    const files = await renderReportFiles(doc, bundle, {
      ...fromConfig,
      ...(argv['slo-ms'] !== undefined ? { sloMs: argv['slo-ms'] } : {}),
      formats,
      langs,
      toolVersion: packageVersion(),
    });
    // Several runs into one --out: one folder each, so their reports do not overwrite each other.
    const target = argv.out === undefined ? join(runDir, 'report') : argv.runs.length > 1 ? join(argv.out, basename(runDir)) : argv.out;
    const paths = writeReportFiles(target, files, { inRun: argv.out === undefined });
    written.push({ run: doc.run.run_id ?? basename(runDir), files: paths });
    for (const section of new Set(doc.tasks.flatMap((t) => t.missing.map((m) => m.section)))) {
      const all = doc.tasks.every((t) => t.missing.some((m) => m.section === section));
      if (all && section !== 'process') out.info(`${basename(runDir)}: no ${section} data; that section of the report says so`);
    }
  }
  // Several runs: one tidy CSV of all of them as well, for side-by-side analysis.
  if (argv.out !== undefined && docs.length > 1 && formats.includes('csv')) {
    written.push({ run: 'all runs', files: writeReportFiles(argv.out, new Map([['metrics.csv', renderCsvReport(docs)]])) });
  }
  if (argv.json) out.json(written);
  else for (const w of written) out.data(`${w.run}:\n${w.files.map((f) => `  ${f}`).join('\n')}`);
}

export const reportCommand: CommandModule<GlobalOptions, ReportArgs> = {
  command: 'report <runs..>',
  describe: 'Write reports of profiled runs: Markdown (en, pt-BR), tidy CSV, JSON and a self-contained HTML with charts',
  builder: (y: Argv<GlobalOptions>) =>
    y
      .positional('runs', { type: 'string', array: true, demandOption: true, description: 'Run ids, `latest`, run directories (profiled: with metrics.json), or metrics.json files' })
      .option('format', { type: 'string', default: 'md,csv,json,html', description: 'Comma-separated: md, csv, json, html' })
      .option('lang', { type: 'string', default: 'en', description: 'en, pt-BR, or both (en,pt-BR)' })
      .option('out', { type: 'string', description: 'Output folder (default: <run>/report/)' })
      .option('slo-ms', { type: 'number', description: 'p95 latency SLO for choosing the best sweep point (default: profiling.latency_slo_ms)' }) as unknown as Argv<ReportArgs>,
  handler,
};
