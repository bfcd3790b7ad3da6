/**
 * `hpcbench status`: every job of a run from one squeue call and at most one sacct call,
 * recorded in run.json like a watch cycle would. When accounting is off or a job has left
 * both squeue and sacct, the last state run.json knows is shown, marked as such.
 */
import { formatJobState, formatSlurmDuration } from '../slurm/index.js';
import type { Transport } from '../transport/transport.js';
import { factsOfView, factsRecord, isViewFinal, queryJobs, taskFacts, taskStates, type QueryCounters } from './query.js';
import { readExitFiles } from './exit-files.js';
import { writeRunRecordMerged } from './registry.js';
import { checkpointAdvice, jobRestarts, taskRestarts } from './restarts.js';
import { addHistory, type RunJob, type RunRecord } from './run-record.js';

export interface StatusRow {
  experiment: string;
  jobId: string | null;
  state: string;
  reason: string | null;
  elapsed: string | null;
  elapsedSeconds: number | null;
  nodes: string | null;
  exitCode: string | null;
  /** squeue, sacct, or `run.json` when SLURM no longer knows the job. */
  source: string;
  tasks?: Record<string, string>;
  /**
   * Times SLURM requeued the job (for an array, all its tasks together), when known: from the
   * sacct call (`--duplicates`), which is made for finished jobs only; null while unknown.
   */
  restarts: number | null;
  /** Array tasks: restarts per task, where known. */
  taskRestarts?: Record<string, number>;
  /** Why a checkpointing job (or its tasks) stopped requeueing itself, and what to do. */
  advice?: string[];
  note?: string;
}

export interface StatusResult {
  runId: string;
  cluster: string;
  rows: StatusRow[];
  accounting: 'ok' | 'unavailable' | 'not-asked';
  accountingMessage?: string;
}

export interface StatusRunOptions {
  transport: Transport;
  resultsDir: string;
  record: RunRecord;
  counters?: QueryCounters;
  now?: () => Date;
}

function addRestarts(row: StatusRow, job: RunJob): StatusRow {
  row.restarts = jobRestarts(job) ?? null;
  const perTask = job.array ? taskRestarts(job) : undefined;
  if (perTask) row.taskRestarts = perTask;
  const advice = checkpointAdvice(job);
  if (advice.length > 0) row.advice = advice;
  return row;
}

export async function statusRun(options: StatusRunOptions): Promise<StatusResult> {
  const { record } = options;
  const now = options.now ?? (() => new Date());
  const ids = record.jobs.flatMap((j) => (j.job_id === undefined ? [] : [j.job_id]));
  const restartIds = record.jobs.flatMap((j) => (j.checkpoint === true && j.job_id !== undefined ? [j.job_id] : []));
  // One round trip: status is mostly asked about jobs that have finished, which need sacct too.
  const result = await queryJobs(options.transport, ids, { restartIds, runCreatedAt: record.created_at, accountingAlongside: true, ...(options.counters ? { counters: options.counters } : {}) });
  const rows: StatusRow[] = [];
  let changed = false;
  for (const job of record.jobs) {
    if (job.job_id === undefined) {
      rows.push({ experiment: job.experiment, jobId: null, state: 'NOT SUBMITTED', reason: null, elapsed: null, elapsedSeconds: null, nodes: null, exitCode: null, source: 'run.json', restarts: null });
      continue;
    }
    const view = result.views.find((v) => v.id === job.job_id);
    if ((!view || view.source === 'none') && !job.final) {
      // SLURM forgot the job (aged out, no accounting): its exit.json says how it ended.
      const fromFiles = await readExitFiles(options.transport, record, job);
      if (fromFiles) {
        addHistory(record, { event: 'state', experiment: job.experiment, job_id: job.job_id, state: fromFiles.state }, now());
        job.state = fromFiles.state;
        job.final = true;
        job.facts = { ...(job.facts ?? {}), exit_code: fromFiles.exitCode, source: 'exit.json', ...(fromFiles.restarts === undefined ? {} : { restarts: fromFiles.restarts }) };
        if (job.array) {
          job.tasks = fromFiles.tasks;
          job.task_facts = fromFiles.taskFacts;
        }
        changed = true;
      }
    }
    if (!view || view.source === 'none') {
      const row: StatusRow = {
        experiment: job.experiment,
        jobId: job.job_id,
        state: job.state ?? 'UNKNOWN',
        reason: job.facts?.reason ?? null,
        elapsed: job.facts?.elapsed_s === undefined ? null : formatSlurmDuration(job.facts.elapsed_s),
        elapsedSeconds: job.facts?.elapsed_s ?? null,
        nodes: job.facts?.nodes ?? null,
        exitCode: job.facts?.exit_code ?? null,
        source: job.facts?.source === 'exit.json' ? 'exit.json' : 'run.json',
        note: view?.note ?? 'not known to SLURM any more; last state recorded in run.json',
        restarts: null,
      };
      if (job.tasks) row.tasks = job.tasks;
      rows.push(addRestarts(row, job));
      continue;
    }
    const facts = factsOfView(view);
    const text = formatJobState(view.state);
    if (job.state !== text) {
      addHistory(record, { event: 'state', experiment: job.experiment, job_id: job.job_id, state: text }, now());
      job.state = text;
    }
    job.facts = factsRecord(view);
    job.final = isViewFinal(view);
    const tasks = taskStates(view);
    if (tasks) job.tasks = tasks;
    const perTask = taskFacts(view);
    if (perTask) job.task_facts = { ...(job.task_facts ?? {}), ...perTask };
    changed = true;
    const row: StatusRow = {
      experiment: job.experiment,
      jobId: job.job_id,
      state: text,
      reason: facts.reason ?? null,
      elapsed: facts.elapsedSeconds === undefined ? null : formatSlurmDuration(facts.elapsedSeconds),
      elapsedSeconds: facts.elapsedSeconds ?? null,
      nodes: facts.nodes ?? null,
      exitCode: facts.exitCode === undefined ? null : `${facts.exitCode.code}:${facts.exitCode.signal}`,
      source: view.source,
      restarts: null,
    };
    if (tasks) row.tasks = tasks;
    if (view.note !== undefined) row.note = view.note;
    rows.push(addRestarts(row, job));
  }
  if (changed) await writeRunRecordMerged(options.resultsDir, record, now());
  const out: StatusResult = { runId: record.run_id, cluster: record.cluster.name, rows, accounting: result.accounting };
  if (result.accountingMessage !== undefined) out.accountingMessage = result.accountingMessage;
  return out;
}
