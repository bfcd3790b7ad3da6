/**
 * Helpers over run.json records. The schema is the contract in src/contracts/run.ts, shared by
 * the registry's writer and every reader; it is re-exported here for existing importers.
 */
import { posix } from 'node:path';
import { RUN_INFO, RUN_RECORD_SCHEMA, runRecordSchema, type HistoryEntry, type RunCluster, type RunJob, type RunRecord } from '../contracts/run.js';
import { parseJsonDocument } from '../contracts/json-file.js';
import type { SubmitManifest } from './manifest-file.js';

export {
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

function remoteRunDir(workdir: string, runId: string): string {
  return posix.join(workdir, runId);
}

/**
 * A fresh run.json for a manifest: every job rendered, none submitted yet. submitRun and
 * `--dry-run` start from it.
 */
export function createRunRecord(manifest: SubmitManifest, cluster: RunCluster, now: Date, retries = 0, configFile?: string): RunRecord {
  const record: RunRecord = {
    schema: RUN_RECORD_SCHEMA,
    run_id: manifest.run_id,
    created_at: now.toISOString(),
    updated_at: now.toISOString(),
    experiments: [...manifest.experiments],
    cluster,
    remote_dir: remoteRunDir(cluster.workdir, manifest.run_id),
    phase: 'rendered',
    jobs: manifest.jobs.map((j) => {
      const job: RunJob = {
        experiment: j.experiment,
        job_name: j.job_name,
        script: j.script,
        sha256: j.sha256,
        depends_on: [...j.depends_on],
        previous_job_ids: [],
        attempts: [],
        retries_left: retries,
        exclude: [],
        final: false,
        checkpoint: j.checkpoint_dir !== undefined,
      };
      if (j.array) job.array = { spec: j.array.spec, size: j.array.size };
      return job;
    }),
    history: [],
  };
  const file = configFile ?? (manifest.config_file === '' ? undefined : manifest.config_file);
  if (file !== undefined) record.config_file = file;
  addHistory(record, { event: 'rendered', message: `${manifest.jobs.length} job(s): ${manifest.experiments.join(', ')}` }, now);
  return record;
}
