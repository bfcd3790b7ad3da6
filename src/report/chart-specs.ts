/**
 * Which charts a report holds, with the words and the sample-size rules of its language: per
 * task (GPU, latency, loss), then one chart per swept parameter. Every axis title carries a unit.
 */
import type { TaskMetrics } from '../profile/metrics-document.js';
import { specGpuSeries, specLatencyCdf, specLossCurve, specSweep, type ChartSpec, type SweepPointIntervals } from './charts.js';
import type { ReportLang } from './format.js';
import { labelsFor, type Labels } from './i18n/index.js';
import type { ReportModel } from './report-model.js';
import { countLatencySamples, isStatisticShown } from './sample-minimums.js';

/** Units of the parameters sweeps usually vary; any other parameter is labelled as a parameter value. */
function unitOfParam(param: string, L: Labels): string {
  const name = param.toLowerCase();
  if (name === 'batch_size' || name === 'batch' || name === 'bs') return L.paramUnitBatch;
  if (/tokens|_len$|length/.test(name)) return L.paramUnitTokens;
  if (/concurrency|num_prompts|requests/.test(name)) return L.paramUnitRequests;
  return L.paramUnitDefault;
}

/** The intervals a sweep chart may draw for a task: only where the sample is large enough. */
function intervalsOf(task: TaskMetrics): SweepPointIntervals {
  const inf = task.inference;
  const n = inf?.latencyS.n ?? null;
  if (inf === undefined || !isStatisticShown('interval', n)) return { throughput: null, p95Ms: null };
  const tp = inf.outputTokensPerS !== null ? inf.ci.outputTokensPerS : inf.ci.requestThroughput;
  const p95 = isStatisticShown('p95', n) ? inf.ci.latencyP95S : null;
  return {
    throughput: tp === null ? null : { low: tp.low, high: tp.high },
    p95Ms: p95 === null ? null : { low: p95.low * 1000, high: p95.high * 1000 },
  };
}

/** The p50 and p95 intervals (ms) a latency chart may draw: those the reports print, under the same minimums. */
function percentileIntervalsOf(task: TaskMetrics): { p: number; low: number; high: number }[] {
  const inf = task.inference;
  const n = inf?.latencyS.n ?? null;
  if (inf === undefined || !isStatisticShown('interval', n)) return [];
  const out: { p: number; low: number; high: number }[] = [];
  const p50 = inf.ci.latencyP50S;
  const p95 = inf.ci.latencyP95S;
  if (p50 !== null && p50.low !== p50.high) out.push({ p: 0.5, low: p50.low * 1000, high: p50.high * 1000 });
  if (p95 !== null && p95.low !== p95.high && isStatisticShown('p95', n)) out.push({ p: 0.95, low: p95.low * 1000, high: p95.high * 1000 });
  return out;
}

export function collectChartSpecs(model: ReportModel, lang: ReportLang): { task: ChartSpec[][]; sweep: ChartSpec[] } {
  const L = labelsFor(lang);
  const sloByExperiment = new Map(model.sweeps.flatMap((s) => (s.choice.sloMs === null ? [] : [[s.table.experiment, s.choice.sloMs] as const])));
  const task = model.tasks.map((t) => {
    const unit = t.inference === undefined ? null : countLatencySamples(t.inference)?.unit;
    return [
      specGpuSeries(t, { utilization: L.utilization, memory: L.memoryMiB, time: L.time, title: L.gpuSeries }),
      specLatencyCdf(
        t,
        { latency: L.latencyMs, fraction: unit === 'batches' ? L.fractionBatches : L.fraction, title: L.latencyDistribution, sloRule: L.sloRule },
        // The end-to-end SLO of goodput, else the experiment's p95 SLO (profiling.latency_slo_ms): the p95 must lie left of it.
        { sloMs: t.inference?.goodput?.slo.e2eMs ?? sloByExperiment.get(t.experiment) ?? null, intervals: percentileIntervalsOf(t) },
      ),
      specLossCurve(t, { step: L.step, loss: L.loss, train: L.train, eval: L.eval, title: L.lossCurve }),
    ].filter((c): c is ChartSpec => c !== null);
  });
  const byName = new Map(model.tasks.map((t) => [`${t.experiment}\u0000${t.task}`, t]));
  const sweep = model.sweeps.flatMap((s) => {
    const intervals = new Map<string, SweepPointIntervals>();
    for (const p of s.table.points) {
      const t = byName.get(`${p.experiment}\u0000${p.task}`);
      if (t !== undefined) intervals.set(p.task, intervalsOf(t));
    }
    const labels = {
      throughputTokens: L.throughputTokens,
      throughputRequests: L.throughputRequests,
      latency: L.p95Ms,
      title: L.sweepChart,
      sloRule: L.sloRule,
      paramUnit: (param: string) => unitOfParam(param, L),
    };
    return s.table.swept
      .map((param) => specSweep(s.table, param, labels, { sloMs: s.choice.sloMs, intervals, showP95: (p) => isStatisticShown('p95', p.latency_n) }))
      .filter((c): c is ChartSpec => c !== null);
  });
  return { task, sweep };
}
