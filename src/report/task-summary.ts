/**
 * The figures a terminal shows for each task of a metrics document (`hpcbench profile` as lines,
 * `hpcbench demo` as a table), decided once: which inference figures exist, a p95 withheld
 * below its sample minimum, unknown values as null (never 0).
 */
import type { MetricsDocument } from '../profile/metrics-document.js';
import { findMinimum, isStatisticShown } from './sample-minimums.js';
import { isStandInTask } from './provenance.js';

export interface TaskSummary {
  /** `experiment/task`. */
  task: string;
  /** The sweep parameters a reader tells tasks apart by, e.g. `batch_size=8 max_new_tokens=64`. */
  params: string;
  /** Null when the task has no inference records (n of 0). */
  inference: {
    /** Null when a tool's summary does not say how many requests it covers. */
    requests: number | null;
    p50Ms: number | null;
    p95Ms: number | null;
    /** Set when the p95 is withheld: fewer records than its minimum. */
    p95Withheld: { n: number; minimum: number | null } | null;
    /** Null when the log has no token counts. */
    outputTokensPerS: number | null;
  } | null;
  gpuUtilPct: number | null;
  energyKJ: number | null;
  finalLoss: number | null;
  cpuEfficiencyPct: number | null;
  /** The stand-in backend (infer.py's ngram) the task's inference ran through: its figures measure the tool, not a model. */
  standInBackend: string | null;
}

const SHOWN_PARAMS = new Set(['batch_size', 'max_new_tokens']);

export function summarizeTasks(doc: MetricsDocument): TaskSummary[] {
  return doc.tasks.map((t) => {
    const inf = t.inference;
    const n = inf?.latencyS.n;
    const util = t.gpu?.overall.utilization;
    return {
      task: `${t.experiment}/${t.task}`,
      params: Object.entries(t.params)
        .filter(([k]) => SHOWN_PARAMS.has(k))
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(' '),
      // n is null for a tool's summary that does not say how many requests it covers.
      inference:
        inf && (n === null || (n !== undefined && n > 0))
          ? {
              requests: inf.requests,
              p50Ms: inf.latencyS.p50 === null ? null : inf.latencyS.p50 * 1000,
              p95Ms: inf.latencyS.p95 === null ? null : inf.latencyS.p95 * 1000,
              p95Withheld: n !== null && n !== undefined && !isStatisticShown('p95', n) ? { n, minimum: findMinimum('p95') } : null,
              outputTokensPerS: inf.outputTokensPerS,
            }
          : null,
      gpuUtilPct: util ? (util.timeWeightedMean ?? util.mean) : null,
      energyKJ: t.gpu?.overall.energyJ != null ? t.gpu.overall.energyJ / 1000 : null,
      finalLoss: t.training?.finalLoss ?? null,
      cpuEfficiencyPct: t.accounting?.cpuEfficiency === undefined || t.accounting.cpuEfficiency === null ? null : t.accounting.cpuEfficiency * 100,
      standInBackend: isStandInTask(t) ? (t.inference?.backend ?? null) : null,
    };
  });
}

const withheld = (w: { n: number; minimum: number | null }): string => `n=${w.n}<${w.minimum ?? ''}`;

/** One line per task: `experiment/task: 120 requests, p50 …; GPU util …` (hpcbench profile). */
export function formatTaskSummaryLines(summaries: readonly TaskSummary[]): string {
  return summaries
    .map((s) => {
      const parts: string[] = [];
      const inf = s.inference;
      if (inf) {
        // A summary-only vLLM result has no p95 unless vLLM was asked for it: say so, never 0.0 ms.
        const ms = (v: number | null): string => (v === null ? 'unknown' : `${v.toFixed(1)} ms`);
        parts.push(`${inf.requests ?? 'an unknown number of'} requests, p50 ${ms(inf.p50Ms)}, p95 ${inf.p95Withheld ? withheld(inf.p95Withheld) : ms(inf.p95Ms)}`);
        if (inf.outputTokensPerS !== null) parts.push(`${inf.outputTokensPerS.toFixed(1)} output tok/s`);
        if (s.standInBackend !== null) parts.push(`stand-in backend ${s.standInBackend}: these figures measure the tool, not a model`);
      }
      if (s.gpuUtilPct !== null) parts.push(`GPU util ${s.gpuUtilPct.toFixed(1)} %`);
      if (s.energyKJ !== null) parts.push(`${s.energyKJ.toFixed(2)} kJ`);
      if (s.finalLoss !== null) parts.push(`final loss ${s.finalLoss.toFixed(4)}`);
      if (s.cpuEfficiencyPct !== null) parts.push(`CPU eff ${s.cpuEfficiencyPct.toFixed(0)} %`);
      return `${s.task}: ${parts.join('; ') || 'no metrics'}`;
    })
    .join('\n');
}

const fmt = (value: number | null, digits = 1): string => (value === null ? '—' : value.toFixed(digits));

/** A table, one row per task: what a reader checks first (hpcbench demo). */
export function formatTaskSummaryTable(summaries: readonly TaskSummary[]): string {
  const header = ['task', 'requests', 'p50 ms', 'p95 ms', 'out tok/s', 'GPU util %', 'energy kJ', 'final loss'];
  const rows = summaries.map((s) => {
    const inf = s.inference;
    return [
      `${s.task}${s.params ? ` (${s.params})` : ''}${s.standInBackend !== null ? ' †' : ''}`,
      inf ? (inf.requests === null ? 'unknown' : String(inf.requests)) : '—',
      fmt(inf?.p50Ms ?? null),
      inf?.p95Withheld ? withheld(inf.p95Withheld) : fmt(inf?.p95Ms ?? null),
      // Unknown (no token counts in the log) is not 0, and not the same as "no inference at all" (—).
      inf && inf.outputTokensPerS === null ? 'unknown' : fmt(inf?.outputTokensPerS ?? null),
      fmt(s.gpuUtilPct),
      fmt(s.energyKJ, 2),
      fmt(s.finalLoss, 3),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  const standIn = [...new Set(summaries.flatMap((s) => (s.standInBackend === null ? [] : [s.standInBackend])))];
  // The mark is explained under the table, where the reader of the figures looks.
  const note = standIn.length > 0 ? [`† stand-in backend (${standIn.join(', ')}): these figures measure the tool, not a model`] : [];
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line), ...note].join('\n');
}
