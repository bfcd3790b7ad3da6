/**
 * Reference values from the config (`experiments.<x>.references.<metric>: {value, tolerance_pct,
 * direction}`) checked against what a run measured. A "higher is better" metric passes when it is
 * at least value × (1 − tolerance); a "lower is better" one when at most value × (1 + tolerance).
 */
import type { MetricsDocument } from '../profile/metrics-document.js';
import { findMetric, type Direction } from './metric-catalog.js';

export interface ReferenceSpec {
  value: number;
  tolerance_pct?: number;
  direction?: Direction;
}

/** experiment → metric → reference. */
export type ReferenceTable = Record<string, Record<string, ReferenceSpec>>;

export interface ReferenceCheck {
  experiment: string;
  task: string;
  metric: string;
  reference: number;
  tolerancePct: number;
  direction: Direction;
  measured: number | null;
  /** (measured − reference) / reference; null when not measured or the reference is 0. */
  deviation: number | null;
  /** `unknown-metric`: the name is not in the metric catalog; `missing`: the run has no value. */
  status: 'pass' | 'fail' | 'missing' | 'unknown-metric';
}

function judgeReference(measured: number, spec: Required<ReferenceSpec>): 'pass' | 'fail' {
  const tolerance = spec.tolerance_pct / 100;
  if (spec.direction === 'higher') return measured >= spec.value * (1 - tolerance) ? 'pass' : 'fail';
  return measured <= spec.value * (1 + tolerance) ? 'pass' : 'fail';
}

export function checkReferences(doc: MetricsDocument, references: ReferenceTable): ReferenceCheck[] {
  const checks: ReferenceCheck[] = [];
  for (const task of doc.tasks) {
    const specs = references[task.experiment];
    if (specs === undefined) continue;
    for (const [metric, spec] of Object.entries(specs)) {
      const definition = findMetric(metric);
      const full: Required<ReferenceSpec> = {
        value: spec.value,
        tolerance_pct: spec.tolerance_pct ?? 0,
        direction: spec.direction ?? definition?.direction ?? 'higher',
      };
      const raw = definition?.pick(task);
      const measured = typeof raw === 'number' && Number.isFinite(raw) ? raw : null;
      let status: ReferenceCheck['status'];
      if (definition === undefined) status = 'unknown-metric';
      else if (measured === null) status = 'missing';
      else status = judgeReference(measured, full);
      checks.push({
        experiment: task.experiment,
        task: task.task,
        metric,
        reference: full.value,
        tolerancePct: full.tolerance_pct,
        direction: full.direction,
        measured,
        deviation: measured !== null && full.value !== 0 ? (measured - full.value) / full.value : null,
        status,
      });
    }
  }
  return checks;
}
