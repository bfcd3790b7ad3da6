/** Text for people: tables and one-line summaries of runs and jobs (no printing here). */
import { describeRestarts } from './restarts.js';
import type { StatusRow } from './status.js';
import type { RunRecord } from './run-record.js';
import type { JobOutcome, WatchJobStatus } from './watch.js';

export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** `3 COMPLETED, 1 RUNNING` for an array's tasks. */
export function summariseTasks(tasks: Readonly<Record<string, string>> | undefined): string {
  if (!tasks) return '';
  const counts = new Map<string, number>();
  for (const state of Object.values(tasks)) counts.set(state, (counts.get(state) ?? 0) + 1);
  return [...counts.entries()].map(([s, n]) => `${n} ${s}`).join(', ');
}

export function formatStatusTable(rows: readonly StatusRow[]): string {
  return formatTable(
    ['EXPERIMENT', 'JOB', 'STATE', 'REASON', 'ELAPSED', 'NODE', 'EXIT', 'RESTARTS', 'TASKS'],
    rows.map((r) => [
      r.experiment,
      r.jobId ?? '-',
      r.state,
      r.reason ?? '',
      r.elapsed ?? '',
      r.nodes ?? '',
      r.exitCode ?? '',
      describeRestarts(r.restarts, r.taskRestarts),
      summariseTasks(r.tasks),
    ]),
  );
}

/** `, 2 restarts` when the job restarted (known and above 0), else ''. */
function restartsSuffix(restarts: number | undefined): string {
  if (restarts === undefined || restarts === 0) return '';
  return `, ${restarts} ${restarts === 1 ? 'restart' : 'restarts'}`;
}

/** One line for the live display: `lora 12 RUNNING · infer 13 PENDING` (`(RUNNING, 2 restarts)` once known). */
export function formatProgressLine(jobs: readonly WatchJobStatus[]): string {
  return jobs
    .map((j) => {
      const what = j.tasks ? summariseTasks(j.tasks) : j.state;
      const suffix = restartsSuffix(j.restarts);
      if (j.tasks) return `${j.experiment} ${j.jobId} [${what}${suffix}]`;
      return suffix === '' ? `${j.experiment} ${j.jobId} ${what}` : `${j.experiment} ${j.jobId} ${what} (${suffix.slice(2)})`;
    })
    .join(' · ');
}

/**
 * What to do about a job that did not succeed, one line each: the verdict's advice, where a
 * checkpoint stop is said per task instead (an array's tasks may stop for different reasons).
 */
export function outcomeAdvice(outcome: JobOutcome): string[] {
  if (outcome.verdict.outcome === 'success') return [];
  const lines = [...(outcome.verdict.checkpointStop === undefined ? [outcome.verdict.advice] : []), ...(outcome.checkpointAdvice ?? [])];
  return lines.length > 0 ? lines : [outcome.verdict.advice];
}

/** A broken run's name and reason may quote whatever the file held: control characters are shown escaped. */
function escapeControl(text: string): string {
  let out = '';
  for (const c of text) {
    const code = c.charCodeAt(0);
    out += code < 32 || code === 127 ? `\\x${code.toString(16).padStart(2, '0')}` : c;
  }
  return out;
}

/** A run rendered and never submitted (manifest.json, no run.json), as `hpcbench runs` lists it. */
export interface RenderedRunRow {
  run_id: string;
  rendered: { created_at: string; experiments: readonly string[]; clusters: readonly string[] };
}

/** The readable runs as a table, then one line per broken run with the reason (`error`). */
export function formatRunsTable(records: readonly (RunRecord | RenderedRunRow | { run_id: string; error: string })[]): string {
  const readable = records.filter((r): r is RunRecord | RenderedRunRow => !('error' in r));
  const broken = records.filter((r): r is { run_id: string; error: string } => 'error' in r);
  const table = formatTable(
    ['RUN', 'CLUSTER', 'PHASE', 'EXPERIMENTS', 'STATES', 'CREATED'],
    readable.map((r) =>
      'rendered' in r
        ? [r.run_id, r.rendered.clusters.join(','), 'rendered (not submitted)', r.rendered.experiments.join(','), '-', r.rendered.created_at.replace(/\.\d+Z$/, 'Z')]
        : [r.run_id, r.cluster.name, r.phase, r.experiments.join(','), r.jobs.map((j) => j.state ?? '-').join(','), r.created_at.replace(/\.\d+Z$/, 'Z')],
    ),
  );
  const lines = broken.map((b) => `BROKEN ${escapeControl(b.run_id)}: ${escapeControl(b.error.split('\n')[0] ?? '')}`);
  return readable.length === 0 ? lines.join('\n') : [table, ...lines].join('\n');
}
