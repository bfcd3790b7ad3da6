/**
 * The committed example report (report/): data_sample/run-example profiled with the real
 * `profileRun`, then reported in every format and both languages. One function serves the
 * regeneration script and the test that checks the committed files are current.
 */
import { join, relative, resolve } from 'node:path';
import { loadConfig } from '../config/index.js';
import { profileOptionsFromConfig } from '../profile/config-options.js';
import type { MetricsDocument } from '../profile/metrics-document.js';
import { serializeMetricsDocument } from '../contracts/metrics.js';
import { profileRun } from '../profile/profile-run.js';
import { reportOptionsFromConfig, restrictToExperiments } from './config-options.js';
import { loadBundle } from './run-bundle.js';
import { renderReportFiles } from './write-report.js';

export const EXAMPLE_RUN_DIR = 'data_sample/run-example';
export const EXAMPLE_REPORT_DIR = 'report';
/** Fixed so regenerating changes nothing unless the inputs or the code did. */
const EXAMPLE_GENERATED_AT = new Date('2026-11-24T07:00:00.000Z');

export interface ExampleReport {
  doc: MetricsDocument;
  files: Map<string, string>;
}

/** Profiles and reports the sample run; paths inside the outputs are relative to `repoRoot`. */
export async function buildExampleReport(repoRoot: string, toolVersion: string): Promise<ExampleReport> {
  const runDir = resolve(repoRoot, EXAMPLE_RUN_DIR);
  const config = loadConfig(join(runDir, 'hpcbench.yaml'));
  // A relative run directory keeps absolute paths of this machine out of the committed files.
  const doc = await profileRun(relative(process.cwd(), runDir) || '.', {
    toolVersion,
    now: () => EXAMPLE_GENERATED_AT,
    experiments: profileOptionsFromConfig(config),
  });
  doc.run.root = EXAMPLE_RUN_DIR;
  const fromConfig = reportOptionsFromConfig(config);
  const experiments = doc.run.experiments;
  const files = await renderReportFiles(doc, loadBundle(runDir), {
    formats: ['md', 'csv', 'json', 'html'],
    langs: ['en', 'pt-BR'],
    now: () => EXAMPLE_GENERATED_AT,
    toolVersion,
    sloMs: restrictToExperiments(fromConfig.sloMs as Record<string, number>, experiments),
    references: restrictToExperiments(fromConfig.references ?? {}, experiments),
    descriptions: restrictToExperiments(fromConfig.descriptions ?? {}, experiments),
  });
  files.set('metrics.json', serializeMetricsDocument(doc));
  return { doc, files };
}
