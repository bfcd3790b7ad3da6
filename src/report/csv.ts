/**
 * Tidy CSV: one row per run × task × metric, with the task's parameters as columns, so a
 * spreadsheet or pandas can pivot it without parsing. Written with csv-stringify.
 */
import { stringify } from 'csv-stringify/sync';
import type { MetricsDocument } from '../profile/metrics-document.js';
import { collectTaskMetrics } from './metric-catalog.js';
import { neutraliseCsvRecords } from './csv-safe.js';
import { redactMetricsDocument } from './redact-report.js';

export interface TidyRow {
  run_id: string;
  experiment: string;
  task: string;
  params: Record<string, string | number | boolean | null>;
  metric: string;
  value: number;
  unit: string;
}

function collectTidyRows(docs: readonly MetricsDocument[]): TidyRow[] {
  const rows: TidyRow[] = [];
  for (const doc of docs) {
    for (const task of doc.tasks) {
      for (const m of collectTaskMetrics(task)) {
        rows.push({ run_id: doc.run.run_id ?? '', experiment: task.experiment, task: task.task, params: task.params, ...m });
      }
    }
  }
  return rows;
}

/** Exact, locale-free numbers: the CSV is for machines (the Markdown is for people). */
function csvNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(12)));
}

export function renderCsvReport(docs: readonly MetricsDocument[]): string {
  const rows = collectTidyRows(docs.map(redactMetricsDocument));
  const paramNames: string[] = [];
  for (const row of rows) for (const k of Object.keys(row.params)) if (!paramNames.includes(k)) paramNames.push(k);
  const reserved = new Set(['run_id', 'experiment', 'task', 'metric', 'value', 'unit']);
  const paramColumns = paramNames.map((k) => (reserved.has(k) ? `param_${k}` : k));
  const header = ['run_id', 'experiment', 'task', ...paramColumns, 'metric', 'value', 'unit'];
  const records = rows.map((r) => [
    r.run_id,
    r.experiment,
    r.task,
    ...paramNames.map((k) => {
      const v = r.params[k];
      return v === undefined || v === null ? '' : String(v);
    }),
    r.metric,
    csvNumber(r.value),
    r.unit,
  ]);
  return stringify(neutraliseCsvRecords([header, ...records]), { record_delimiter: 'unix' });
}
