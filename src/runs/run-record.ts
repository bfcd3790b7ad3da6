/**
 * Helpers over run.json records. The schema is the contract in src/contracts/run.ts, shared by
 * the registry's writer and every reader; it is re-exported here for existing importers.
 */
import { RUN_INFO, runRecordSchema, type HistoryEntry, type RunJob, type RunRecord } from '../contracts/run.js';
import { parseJsonDocument } from '../contracts/json-file.js';

export {
  RUN_RECORD_SCHEMA,
  runRecordSchema,
  type HistoryEntry,
  type JobFactsRecord,
  type RunCluster,
  type RunJob,
  type RunRecord,
  type RunSshSettings,
  type SubmissionAttempt,
  type TaskFactsRecord,
} from '../contracts/run.js';

export const RUN_FILE_INFO = RUN_INFO;

/** Parses run.json text; errors name the file, the field and what was expected (exit 2). */
export function parseRunRecord(text: string, file: string): RunRecord {
  return parseJsonDocument(runRecordSchema, text, file, RUN_FILE_INFO);
}

/** The ids of every job of the run that has one (current submission of each experiment). */
export function currentJobIds(record: RunRecord): string[] {
  return record.jobs.flatMap((j) => (j.job_id === undefined ? [] : [j.job_id]));
}

export function findJob(record: RunRecord, experiment: string): RunJob | undefined {
  return record.jobs.find((j) => j.experiment === experiment);
}

export function addHistory(record: RunRecord, entry: Omit<HistoryEntry, 'at'>, now: Date): void {
  record.history.push({ at: now.toISOString(), ...entry });
}

/** The `--comment` every job of the run carries; used to find a submission whose answer was lost. */
export function runTag(runId: string): string {
  return `hpcbench:${runId}`;
}
