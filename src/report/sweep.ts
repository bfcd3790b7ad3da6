/**
 * Sweeps: the array tasks of one experiment as one table, the parameters that actually vary,
 * and the best configuration under a latency SLO (the highest output throughput among the
 * points whose p95 latency meets it; request throughput when tokens were not logged).
 */
import type { SweepPoint } from '../profile/metrics-document.js';

export interface SweepTable {
  experiment: string;
  /** Parameters whose value differs between points, in first-seen order. */
  swept: string[];
  points: SweepPoint[];
}

export interface SweepChoice {
  experiment: string;
  sloMs: number | null;
  /** null when no point meets the SLO (or none has a latency). */
  best: SweepPoint | null;
  metric: 'output_tokens_per_s' | 'request_throughput';
  /** Points that met the SLO, of those with a p95 latency. */
  meeting: number;
  judged: number;
}

function sameValue(a: unknown, b: unknown): boolean {
  return a === b || (a === undefined && b === null) || (a === null && b === undefined);
}

export function groupSweeps(points: readonly SweepPoint[]): SweepTable[] {
  const byExperiment = new Map<string, SweepPoint[]>();
  for (const p of points) {
    const list = byExperiment.get(p.experiment) ?? [];
    list.push(p);
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

export function chooseBestPoint(table: SweepTable, sloMs: number | null): SweepChoice {
  const useTokens = table.points.some((p) => p.output_tokens_per_s !== null);
  const metric = useTokens ? 'output_tokens_per_s' : 'request_throughput';
  const judged = table.points.filter((p) => p.latency_p95_s !== null);
  const meeting = sloMs === null ? judged : judged.filter((p) => (p.latency_p95_s as number) * 1000 <= sloMs);
  let best: SweepPoint | null = null;
  for (const p of meeting) {
    const value = p[metric];
    if (value === null) continue;
    const bestValue = best?.[metric];
    if (best === null || bestValue === null || bestValue === undefined || value > bestValue) best = p;
  }
  return { experiment: table.experiment, sloMs, best, metric, meeting: meeting.length, judged: judged.length };
}
