/**
 * Bringing a run's outputs home: everything under the remote out/ tree (job stdout/stderr,
 * nvidia-smi CSV, inference/training logs, metadata, exit.json, checkpoints.jsonl) into
 * results/<run-id>/out/. Checkpoints themselves live outside out/ and stay on the cluster.
 * Resumable: the transport skips files whose local copy is complete and continues partial ones.
 */
import { join, posix } from 'node:path';
import { writeFileAtomically } from '../fs-atomic.js';
import { buildSacctArgs, readSacctOutput } from '../slurm/sacct.js';
import type { Transport } from '../transport/transport.js';
import { toSlurmOutput } from './query.js';
import { currentJobIds, type RunRecord } from './run-record.js';

export interface FetchedFile {
  /** Path relative to the run directory, e.g. out/lora/main/job.out. */
  path: string;
  bytes: number;
  skipped: boolean;
  resumedFrom?: number;
}

export interface FetchRunResult {
  files: FetchedFile[];
  bytes: number;
  skipped: number;
  /** True when the remote out/ directory does not exist yet (no job started). */
  empty: boolean;
  /**
   * The run's accounting records, saved as sacct.txt for `hpcbench profile` (queue wait, CPU and
   * memory efficiency, GPU-hours): `saved`, `unavailable` (accounting disabled or unreachable,
   * with the reason), or `no-jobs`.
   */
  accounting: { status: 'saved' | 'no-jobs' } | { status: 'partial'; recorded: number; expected: number } | { status: 'unavailable'; message: string };
}

export interface FetchRunOptions {
  transport: Transport;
  record: RunRecord;
  /** Local run directory (results/<run-id>). */
  runDir: string;
  /** Only these experiments (default all). */
  experiments?: readonly string[];
  onFile?: (file: FetchedFile) => void;
}

/**
 * Files being written atomically (`x.tmp-…` by hpcbench, `exit.json.tmp` by the job script) are
 * not outputs yet, and the job script's hidden scratch files (`.requeue-error.<pid>`,
 * `.checkpoint-fingerprint.<pid>`) never are: they may be gone by the time they are downloaded.
 */
export function isFetchedName(name: string): boolean {
  return !name.includes('.tmp-') && !name.endsWith('.tmp') && !name.startsWith('.');
}

async function listTree(transport: Transport, dir: string, rel: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await transport.list(dir)) {
    const childRel = rel === '' ? entry.name : posix.join(rel, entry.name);
    if (entry.isDirectory) out.push(...(await listTree(transport, posix.join(dir, entry.name), childRel)));
    else if (isFetchedName(entry.name)) out.push(childRel);
  }
  return out;
}

/** One sacct call for every job of the run; its raw output becomes results/<run-id>/sacct.txt. */
async function saveAccounting(transport: Transport, record: RunRecord, runDir: string): Promise<FetchRunResult['accounting']> {
  const ids = currentJobIds(record);
  if (ids.length === 0) return { status: 'no-jobs' };
  // --duplicates: one row per earlier attempt of a requeued job, so the profile can count restarts.
  const output = toSlurmOutput(await transport.exec(buildSacctArgs({ jobIds: ids, duplicates: true })));
  const result = readSacctOutput(output, { duplicates: true });
  if (result.kind === 'unavailable') return { status: 'unavailable', message: result.message };
  const file = join(runDir, 'sacct.txt');
  writeFileAtomically(file, output.stdout);
  // slurmdbd records a job a few seconds after it ends, array tasks one by one: say when some are missing.
  const expected = record.jobs.reduce((n, j) => n + (j.job_id === undefined ? 0 : (j.array?.size ?? 1)), 0);
  const recorded = result.jobs.filter((j) => !j.arrayPendingRange).length;
  return recorded < expected ? { status: 'partial', recorded, expected } : { status: 'saved' };
}

export async function fetchRun(options: FetchRunOptions): Promise<FetchRunResult> {
  const { transport, record } = options;
  const accounting = await saveAccounting(transport, record, options.runDir);
  const remoteOut = posix.join(record.remote_dir, 'out');
  const top = await transport.stat(remoteOut);
  if (!top?.isDirectory) return { files: [], bytes: 0, skipped: 0, empty: true, accounting };
  const wanted = options.experiments;
  const experiments = (await transport.list(remoteOut)).filter((e) => e.isDirectory && (wanted === undefined || wanted.includes(e.name)));
  const files: FetchedFile[] = [];
  for (const experiment of experiments) {
    const paths = await listTree(transport, posix.join(remoteOut, experiment.name), experiment.name);
    for (const rel of paths) {
      const path = posix.join('out', rel);
      const result = await transport.download(posix.join(record.remote_dir, path), join(options.runDir, ...path.split('/')));
      const file: FetchedFile = { path, bytes: result.bytes, skipped: result.skipped };
      if (result.resumedFrom !== undefined) file.resumedFrom = result.resumedFrom;
      files.push(file);
      options.onFile?.(file);
    }
  }
  return {
    files,
    bytes: files.reduce((s, f) => s + f.bytes, 0),
    skipped: files.filter((f) => f.skipped).length,
    empty: false,
    accounting,
  };
}
