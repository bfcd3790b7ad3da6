/**
 * The `runs` use case: every run under results/ (submitted, run here, rendered only, broken),
 * oldest first, and the JSON shape `hpcbench runs --json` prints.
 */
import { formatRunsTable, type RenderedRunRow } from './format.js';
import { listRenderedRuns, listRuns } from './registry.js';

export type RunsRow = NonNullable<Parameters<typeof formatRunsTable>[0][number]>;

/** Submitted (or run here), rendered-only and broken runs together, oldest first (ids start with a UTC time). */
export async function listAllRuns(resultsDir: string): Promise<RunsRow[]> {
  const submitted: RunsRow[] = (await listRuns(resultsDir)).map((l) => l.record ?? { run_id: l.run_id, error: l.error ?? 'unreadable' });
  const rendered: RunsRow[] = (await listRenderedRuns(resultsDir)).map((l): RunsRow =>
    'error' in l ? l : ({ run_id: l.run_id, rendered: { created_at: l.created_at, experiments: l.experiments, clusters: l.clusters } } satisfies RenderedRunRow),
  );
  return [...submitted, ...rendered].sort((a, b) => (a.run_id < b.run_id ? -1 : a.run_id > b.run_id ? 1 : 0));
}

/** One run as `hpcbench runs --json` lists it. */
export function toRunJson(row: RunsRow): object {
  if ('error' in row) return { run_id: row.run_id, error: row.error };
  if ('rendered' in row) {
    const r = row.rendered;
    return { run_id: row.run_id, cluster: r.clusters.join(','), phase: 'rendered', submitted: false, created_at: r.created_at, experiments: r.experiments, jobs: [] };
  }
  return {
    run_id: row.run_id,
    cluster: row.cluster.name,
    phase: row.phase,
    submitted: !row.local && row.phase !== 'rendered',
    created_at: row.created_at,
    experiments: row.experiments,
    ...(row.after ? { after: row.after.run_id } : {}),
    jobs: row.jobs.map((j) => ({ experiment: j.experiment, job_id: j.job_id ?? null, state: j.state ?? null })),
  };
}
