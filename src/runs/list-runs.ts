/**
 * The `runs` use case: every run under results/ (submitted, run here, rendered only, broken),
 * oldest first, and the JSON shape `hpcbench runs --json` prints.
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { HpcbenchError } from '../errors.js';
import { formatRunsTable, type RenderedRunRow } from './format.js';
import { MANIFEST_FILE, readSubmitManifest } from './manifest-file.js';
import { listRuns, RUN_FILE } from './registry.js';

export type RunsRow = NonNullable<Parameters<typeof formatRunsTable>[0][number]>;

/** A run rendered but never submitted: a results/<id>/ with manifest.json and no run.json. */
interface RenderedRunListing {
  run_id: string;
  created_at: string;
  experiments: string[];
  clusters: string[];
}

/**
 * The rendered-only runs of results/, oldest first; a manifest that cannot be read is listed with the
 * reason. Here rather than in registry.ts, which status and watch load: they never read a manifest,
 * and building its schema cost every status call ~10 ms of CPU.
 */
async function listRenderedRuns(resultsDir: string): Promise<(RenderedRunListing | { run_id: string; error: string })[]> {
  if (!existsSync(resultsDir)) return [];
  const entries = await readdir(resultsDir, { withFileTypes: true });
  const ids = entries
    .filter((e) => e.isDirectory() && !existsSync(join(resultsDir, e.name, RUN_FILE)) && existsSync(join(resultsDir, e.name, MANIFEST_FILE)))
    .map((e) => e.name)
    .sort();
  const out: (RenderedRunListing | { run_id: string; error: string })[] = [];
  for (const id of ids) {
    try {
      const manifest = await readSubmitManifest(join(resultsDir, id));
      out.push({ run_id: id, created_at: manifest.created_at, experiments: [...manifest.experiments], clusters: [...new Set(manifest.jobs.map((j) => j.cluster))] });
    } catch (error) {
      if (!(error instanceof HpcbenchError)) throw error;
      out.push({ run_id: id, error: error.message });
    }
  }
  return out;
}

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
