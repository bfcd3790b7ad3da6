/**
 * What `profile` takes from hpcbench.yaml: each experiment's warm-up, SLOs and regex extractors,
 * and its cluster's charging rates, so that a profile of a run matches what the config says.
 */
import type { ResolvedConfig } from '../config/index.js';
import { toAccountingRates } from './accounting/accounting.js';
import type { ExperimentProfileOptions } from './profile-run.js';

export function profileOptionsFromConfig(config: ResolvedConfig): Record<string, ExperimentProfileOptions> {
  const out: Record<string, ExperimentProfileOptions> = {};
  for (const [name, exp] of Object.entries(config.experiments)) {
    const p = exp.profiling;
    const slo = { ttftMs: p.slo.ttft_ms, tpotMs: p.slo.tpot_ms, e2eMs: p.slo.e2e_ms };
    const hasSlo = Object.values(slo).some((v) => v !== undefined);
    out[name] = {
      warmup: p.warmup,
      ...(hasSlo ? { slo } : {}),
      extractors: p.extractors,
      rates: toAccountingRates(config.clusters[exp.cluster]?.rates ?? {}),
      ...(p.sacct_fields === undefined ? {} : { sacctFields: p.sacct_fields }),
      ...(p.gpu_busy_threshold_pct === undefined ? {} : { gpuBusyThresholdPct: p.gpu_busy_threshold_pct }),
    };
  }
  return out;
}
