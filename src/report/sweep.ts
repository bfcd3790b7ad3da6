/**
 * Sweeps: the array tasks of one experiment as one table, the parameters that actually vary,
 * and the best configuration under a latency SLO (the highest output throughput among the
 * points whose p95 latency meets it; request throughput when tokens were not logged).
 * A point whose throughput is unknown is never best.
 */
import type { SweepPoint, TaskMetrics } from '../profile/metrics-document.js';
import { countLatencySamples, type LatencySampleCount } from './sample-minimums.js';

/** A sweep point with the record counts its latency percentiles rest on (null: not known). */
export interface SweepRow extends SweepPoint {
  latency_n: number | null;
  ttft_n: number | null;
  /** Requests or batches behind the latency percentiles (the Requests column counts every request of a batch). */
  latency_samples: LatencySampleCount | null;
}

export interface SweepTable {
  experiment: string;
  /** Parameters whose value differs between points, in first-seen order. */
  swept: string[];
  points: SweepRow[];
}

export interface SweepChoice {
  experiment: string;
  sloMs: number | null;
  /** null when no point meets the SLO (or none has a latency). */
  best: SweepRow | null;
  metric: 'output_tokens_per_s' | 'request_throughput';
  /** Points that met the SLO, of those with a p95 latency. */
  meeting: number;
  judged: number;
}

function sameValue(a: unknown, b: unknown): boolean {
  return a === b || (a === undefined && b === null) || (a === null && b === undefined);
}

function toRow(point: SweepPoint, task: TaskMetrics | undefined): SweepRow {
  const inference = task?.inference;
  return {
    ...point,
    latency_n: inference?.latencyS.n ?? null,
    ttft_n: inference?.ttftS.n ?? null,
    latency_samples: inference === undefined ? null : countLatencySamples(inference),
  };
}

/** `tasks` (the document's) give each point the record counts behind its percentiles. */
export function groupSweeps(points: readonly SweepPoint[], tasks: readonly TaskMetrics[] = []): SweepTable[] {
  const byTask = new Map(tasks.map((t) => [`${t.experiment}\u0000${t.task}`, t]));
  const byExperiment = new Map<string, SweepRow[]>();
  for (const p of points) {
    const list = byExperiment.get(p.experiment) ?? [];
    list.push(toRow(p, byTask.get(`${p.experiment}\u0000${p.task}`)));
    byExperiment.set(p.experiment, list);
  }
  const tables: SweepTable[] = [];
  for (const [experiment, list] of byExperiment) {
    const keys: string[] = [];
    for (const p of list) for (const k of Object.keys(p.params)) if (!keys.includes(k)) keys.push(k);
    const swept = keys.filter((k) => list.some((p) => !sameValue(p.params[k], list[0]?.params[k])));
    const sorted = [...list].sort((a, b) => compareParams(a, b, swept));
    tables.push({ experiment, swept: swept.length > 0 ? swept : keys, points: sorted });
  }
  return tables;
}

function compareParams(a: SweepPoint, b: SweepPoint, keys: readonly string[]): number {
  for (const k of keys) {
    const x = a.params[k];
    const y = b.params[k];
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x).localeCompare(String(y));
  }
  return a.task.localeCompare(b.task, undefined, { numeric: true });
}

function isKnownThroughput(value: number | null): value is number {
  return value !== null && Number.isFinite(value) && value > 0;
}

export function chooseBestPoint(table: SweepTable, sloMs: number | null): SweepChoice {
  // Ranked by tokens when any point logged them; a point whose tokens are unknown is then never best.
  const useTokens = table.points.some((p) => isKnownThroughput(p.output_tokens_per_s));
  const metric = useTokens ? 'output_tokens_per_s' : 'request_throughput';
  // Points whose p95 rests on few records are still judged (the report prints their n beside it).
  const judged = table.points.filter((p) => p.latency_p95_s !== null);
  const meeting = sloMs === null ? judged : judged.filter((p) => (p.latency_p95_s as number) * 1000 <= sloMs);
  let best: SweepRow | null = null;
  for (const p of meeting) {
    const value = p[metric];
    if (!isKnownThroughput(value)) continue;
    const bestValue = best?.[metric] ?? null;
    if (best === null || bestValue === null || value > bestValue) best = p;
  }
  return { experiment: table.experiment, sloMs, best, metric, meeting: meeting.length, judged: judged.length };
}
