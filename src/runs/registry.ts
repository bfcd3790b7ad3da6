/**
 * The run registry on disk: results/<run-id>/run.json. Writes are atomic (temporary file,
 * fsync, rename) so a watch killed mid-write leaves the previous complete file, never half a
 * file; every command names a run by id, unique prefix, or `latest`.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HpcbenchError, InputError, UsageError } from '../errors.js';
import { isValidRunId, RUN_ID_EXPECTED } from '../contracts/run-id.js';
import { validateDocument } from '../contracts/json-file.js';
import { writeFileAtomicallyAsync } from '../fs-atomic.js';
import { parseRunRecord, RUN_FILE_INFO, runRecordSchema, type RunRecord } from './run-record.js';

export const RUN_FILE = 'run.json';

/** The run's directory; a run id that could leave results/ (`..`, `/`) is refused before any path is built. */
export function runDirectory(resultsDir: string, runId: string): string {
  if (!isValidRunId(runId)) throw new UsageError(`run id ${JSON.stringify(runId)} is not valid: expected ${RUN_ID_EXPECTED}`, 'List the runs with `hpcbench runs`.');
  return join(resultsDir, runId);
}

function runFilePath(resultsDir: string, runId: string): string {
  return join(runDirectory(resultsDir, runId), RUN_FILE);
}

/**
 * Writes run.json through the one write helper: temporary file, fsync, rename, directory fsync,
 * and never through a link planted at run.json. The record is checked against the run.json
 * contract first, so nothing is written that the readers would refuse. `updated_at` is set from `now`.
 */
export async function writeRunRecord(resultsDir: string, record: RunRecord, now: Date = new Date()): Promise<void> {
  record.updated_at = now.toISOString();
  const dir = runDirectory(resultsDir, record.run_id);
  const final = join(dir, RUN_FILE);
  const text = `${JSON.stringify(record, null, 2)}\n`;
  validateDocument(runRecordSchema, JSON.parse(text) as unknown, final, RUN_FILE_INFO);
  await mkdir(dir, { recursive: true });
  await writeFileAtomicallyAsync(final, text, { fsync: true });
}

export async function readRunRecord(resultsDir: string, runId: string): Promise<RunRecord> {
  const file = runFilePath(resultsDir, runId);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new UsageError(`no run ${runId}: ${file} does not exist`, 'List the runs with `hpcbench runs`.');
    }
    throw new InputError(`cannot read run.json: ${(error as Error).message}`, { file });
  }
  const record = parseRunRecord(text, file);
  // run_id decides where later writes go: a copied or edited directory must not redirect them.
  if (record.run_id !== runId) {
    throw new InputError(`run_id: expected "${runId}" (the name of its directory), got "${record.run_id}"`, {
      file,
      hint: 'a run directory that was copied or renamed keeps its old run_id; rename it back, or set run_id to the directory name',
    });
  }
  return record;
}

/** Run ids (directory names holding a run.json), oldest first: ids start with a UTC timestamp. */
export async function listRunIds(resultsDir: string): Promise<string[]> {
  if (!existsSync(resultsDir)) return [];
  const entries = await readdir(resultsDir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory() && existsSync(join(resultsDir, e.name, RUN_FILE)))
    .map((e) => e.name)
    .sort();
}

/** `latest`, an exact id, or a unique prefix of one. */
export async function resolveRunId(resultsDir: string, wanted: string | undefined): Promise<string> {
  const ids = await listRunIds(resultsDir);
  if (ids.length === 0) {
    throw new UsageError(`no runs in ${resultsDir}`, 'Submit one with `hpcbench submit <experiment>`, or pass --results DIR.');
  }
  if (wanted === undefined || wanted === 'latest') return ids[ids.length - 1] as string;
  if (ids.includes(wanted)) return wanted;
  const matches = ids.filter((id) => id.startsWith(wanted));
  if (matches.length === 1) return matches[0] as string;
  if (matches.length > 1) {
    throw new UsageError(`run id "${wanted}" is ambiguous: ${matches.join(', ')}`, 'Give more of the id.');
  }
  throw new UsageError(
    `no run "${wanted}" in ${resultsDir}`,
    `Known runs: ${ids.slice(-5).join(', ')}${ids.length > 5 ? ', ...' : ''}; \`hpcbench runs\` lists them all.`,
  );
}

/** One entry of `hpcbench runs`: a readable run, or a broken one with the reason. */
export type RunListing = { run_id: string; record: RunRecord; error?: undefined } | { run_id: string; record?: undefined; error: string };

/**
 * Every run directory of results/, oldest first; a run.json that cannot be read or does not
 * match the contract is listed with the reason instead of hiding every other run.
 */
export async function listRuns(resultsDir: string): Promise<RunListing[]> {
  const ids = await listRunIds(resultsDir);
  const listings: RunListing[] = [];
  for (const id of ids) {
    try {
      listings.push({ run_id: id, record: await readRunRecord(resultsDir, id) });
    } catch (error) {
      if (!(error instanceof HpcbenchError)) throw error;
      listings.push({ run_id: id, error: error.message });
    }
  }
  return listings;
}

function historyKey(entry: RunRecord['history'][number]): string {
  return `${entry.at}|${entry.event}|${entry.experiment ?? ''}|${entry.job_id ?? ''}|${entry.state ?? ''}|${entry.message ?? ''}`;
}

/**
 * Writes a record that this process has held in memory for a while (a watch), keeping what
 * other commands wrote meanwhile (a `cancel` in another terminal): their history entries
 * and a cancelled phase survive instead of being overwritten.
 */
export async function writeRunRecordMerged(resultsDir: string, record: RunRecord, now: Date = new Date()): Promise<void> {
  let disk: RunRecord | undefined;
  try {
    disk = await readRunRecord(resultsDir, record.run_id);
  } catch {
    disk = undefined;
  }
  if (disk) {
    const known = new Set(record.history.map(historyKey));
    const missing = disk.history.filter((h) => !known.has(historyKey(h)));
    if (missing.length > 0) {
      record.history.push(...missing);
      record.history.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    }
    if (disk.phase === 'cancelled') record.phase = 'cancelled';
    // A job that `hpcbench resubmit` replaced meanwhile: the new submission wins, so this
    // process follows the new id instead of writing the old one back.
    for (const job of record.jobs) {
      const newer = disk.jobs.find((j) => j.experiment === job.experiment);
      if (!newer || job.job_id === undefined || newer.job_id === job.job_id || !newer.previous_job_ids.includes(job.job_id)) continue;
      // In place: the caller keeps references to its job objects.
      for (const key of Object.keys(job) as (keyof typeof job)[]) if (!(key in newer)) delete job[key];
      Object.assign(job, newer);
    }
  }
  await writeRunRecord(resultsDir, record, now);
}
