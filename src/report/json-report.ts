/**
 * JSON report: the whole metrics document plus what the report derived from it (reference
 * checks, advice, sweep choices), under a versioned schema id of its own. The value built here
 * has the report module's names; report.json has every key in snake_case (src/contracts/report.ts).
 */
import type { MetricsDocument } from '../profile/metrics-document.js';
import type { Advice } from './advisor.js';
import type { ReferenceCheck } from './references.js';
import type { BundleGap } from './run-bundle.js';
import type { BundleRefusal } from './bundle-files.js';
import type { ReportModel } from './report-model.js';
import { encodeJsonReport, REPORT_SCHEMA_ID } from '../contracts/report.js';
import type { SweepChoice } from './sweep.js';

export interface JsonReport {
  schema: typeof REPORT_SCHEMA_ID;
  report: {
    generated_at: string;
    tool: { name: 'hpcbench'; version: string };
    run_id: string;
    references: ReferenceCheck[];
    advice: Advice[];
    sweep_choices: SweepChoice[];
    reproduction: {
      scripts: { path: string; sha256: string }[];
      config: { path: string; sha256: string } | null;
      /** What the run directory lacks, as codes (manifest, run-record, scripts, config, sacct). */
      missing: BundleGap[];
      /** Files of the run directory the report did not read (links, paths outside it, devices), with the reason code; absent when none. */
      refused?: BundleRefusal[];
    };
  };
  metrics: MetricsDocument;
}

function buildJsonReport(model: ReportModel): JsonReport {
  return {
    schema: REPORT_SCHEMA_ID,
    report: {
      generated_at: model.generatedAt,
      tool: { name: 'hpcbench', version: model.toolVersion },
      run_id: model.runId,
      references: model.references,
      advice: model.advice,
      sweep_choices: model.sweeps.map((s) => s.choice),
      reproduction: {
        scripts: (model.bundle?.scripts ?? []).map((s) => ({ path: s.path, sha256: s.sha256 })),
        config: model.bundle?.config ? { path: model.bundle.config.path, sha256: model.bundle.config.sha256 } : null,
        missing: model.bundle?.missing ?? [],
        // A bundle built by a library caller may predate `refused`.
        ...((model.bundle?.refused ?? []).length > 0 ? { refused: model.bundle?.refused ?? [] } : {}),
      },
    },
    metrics: model.doc,
  };
}

export function renderJsonReport(model: ReportModel): string {
  const built = buildJsonReport(model);
  return `${JSON.stringify(encodeJsonReport(built.report, built.metrics), null, 2)}\n`;
}
