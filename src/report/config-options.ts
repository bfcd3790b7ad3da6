/**
 * What a report takes from hpcbench.yaml: each experiment's latency SLO, references and
 * description. The CLI loads the config; the report itself never reads files besides the run.
 */
import type { ResolvedConfig } from '../config/index.js';
import type { ReportOptions } from './report-model.js';
import type { ReferenceTable } from './references.js';

export function reportOptionsFromConfig(config: ResolvedConfig): Pick<ReportOptions, 'sloMs' | 'references' | 'descriptions'> {
  const sloMs: Record<string, number> = {};
  const references: ReferenceTable = {};
  const descriptions: Record<string, string> = {};
  for (const [name, experiment] of Object.entries(config.experiments)) {
    if (experiment.profiling.latency_slo_ms !== undefined) sloMs[name] = experiment.profiling.latency_slo_ms;
    if (Object.keys(experiment.references).length > 0) references[name] = { ...experiment.references };
    if (experiment.description !== undefined) descriptions[name] = experiment.description;
  }
  return { sloMs, references, descriptions };
}

/** Keeps only the experiments a run contains, so a report does not describe the whole config. */
export function restrictToExperiments<T>(table: Record<string, T>, experiments: readonly string[]): Record<string, T> {
  return Object.fromEntries(Object.entries(table).filter(([name]) => experiments.includes(name)));
}
