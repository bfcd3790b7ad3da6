/**
 * Bringing a run's outputs home: everything under the remote out/ tree (job stdout/stderr,
 * nvidia-smi CSV, inference/training logs, metadata, exit.json, checkpoints.jsonl) into
 * results/<run-id>/out/. Checkpoints themselves live outside out/ and stay on the cluster.
 * Resumable: the transport skips files whose local copy is complete and continues partial ones.
 *
 * What the server lists is data, not paths: a name that is not one plain path component, a
 * symbolic link (never followed: it may point at ~/.ssh or at itself), a file over the size cap,
 * or a local path that is not a plain file or directory is refused and reported, and the fetch
 * goes on with the other files.
 */
import { DownloadRefusedError, type DownloadRefusalReason } from '../errors.js';
import { join, posix } from 'node:path';
import { writeFileAtomically } from '../fs-atomic.js';
import { buildSacctArgs, readSacctOutput } from '../slurm/sacct.js';
import { formatMiB } from '../transport/download-refusal.js';
import type { RemoteDirEntry, Transport } from '../transport/transport.js';
import { checkRemoteName, confineLocalPath, prepareLocalDirectory, showName } from './fetch-safety.js';
import { toSlurmOutput } from './query.js';
import { currentJobIds, type RunRecord } from './run-record.js';

export interface FetchedFile {
  /** Path relative to the run directory, e.g. out/lora/main/job.out. */
  path: string;
  bytes: number;
  skipped: boolean;
  resumedFrom?: number;
}

/** The config key of the per-file cap, named in the refusal message. */
export const FETCH_MAX_FILE_KEY = 'fetch.max_file_mb';
export const DEFAULT_FETCH_MAX_FILE_MB = 2048;
/** Deeper than any output layout hpcbench writes (out/<experiment>/<task>/…); a server that nests forever is cut here. */
const FETCH_MAX_DEPTH = 32;

type FetchRefusalReason = DownloadRefusalReason | 'unsafe-name' | 'too-deep';

/** A remote entry that was not fetched, and why. */
export interface FetchRefusal {
  /** Path relative to the run directory, the server's names joined by "/" as they came (they may hold anything). */
  path: string;
  reason: FetchRefusalReason;
  /** One line for the user, the names escaped. */
  message: string;
  /** Size the server reported, for 'too-large'. */
  size?: number;
}

export interface FetchRunResult {
  files: FetchedFile[];
  /**
   * Entries not fetched: unsafe names, symbolic links (reported, never followed), files over the
   * size cap, local paths that are not plain files or directories.
   */
  refused: FetchRefusal[];
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
  onRefused?: (refusal: FetchRefusal) => void;
  /** Per-file cap in bytes; default {@link DEFAULT_FETCH_MAX_FILE_MB} MiB. */
  maxFileBytes?: number;
}

/**
 * Files being written atomically (`x.tmp-…` by hpcbench, `exit.json.tmp` by the job script) are
 * not outputs yet, and the job script's hidden scratch files (`.requeue-error.<pid>`,
 * `.checkpoint-fingerprint.<pid>`) never are: they may be gone by the time they are downloaded.
 */
function isFetchedName(name: string): boolean {
  return !name.includes('.tmp-') && !name.endsWith('.tmp') && !name.startsWith('.');
}

interface RemoteFile {
  /** The server's names below out/, each checked by checkRemoteName. */
  parts: string[];
  size: number;
}

interface Walk {
  transport: Transport;
  wanted: readonly string[] | undefined;
  files: RemoteFile[];
  refuse: (refusal: FetchRefusal) => void;
}

/** The server's names joined as they came (posix.join would resolve a `..` away). */
function shownPath(parts: readonly string[]): string {
  return ['out', ...parts].join('/');
}

/** Whether an entry may be used at all; refusals are reported, the walk goes on. */
function admitEntry(walk: Walk, parts: readonly string[], entry: RemoteDirEntry): boolean {
  const path = shownPath([...parts, entry.name]);
  const unsafe = checkRemoteName(entry.name);
  if (unsafe !== undefined) {
    walk.refuse({ path, reason: 'unsafe-name', message: `refused the remote name ${showName(entry.name)} in ${showName(shownPath(parts))}: ${unsafe}` });
    return false;
  }
  if (entry.isSymbolicLink === true) {
    // A hidden or temporary name would not be fetched as a file either: no word about it.
    if (!isFetchedName(entry.name)) return false;
    walk.refuse({ path, reason: 'symlink', message: `skipped ${showName(path)}: a symbolic link on the cluster (links are not followed)` });
    return false;
  }
  return true;
}

async function walkTree(walk: Walk, dir: string, parts: string[]): Promise<void> {
  for (const entry of await walk.transport.list(dir)) {
    // Experiments are the directories directly under out/; --experiment picks some of them.
    if (parts.length === 0 && walk.wanted !== undefined && !walk.wanted.includes(entry.name)) continue;
    if (!admitEntry(walk, parts, entry)) continue;
    const childParts = [...parts, entry.name];
    if (entry.isDirectory) {
      if (childParts.length >= FETCH_MAX_DEPTH) {
        const path = shownPath(childParts);
        walk.refuse({ path, reason: 'too-deep', message: `skipped ${showName(path)}: more than ${FETCH_MAX_DEPTH} directories deep` });
      } else {
        await walkTree(walk, posix.join(dir, entry.name), childParts);
      }
    } else if (parts.length > 0 && isFetchedName(entry.name)) {
      walk.files.push({ parts: childParts, size: entry.size });
    }
  }
}

/** The refusal of one download, in the words of fetch (the size cap is named by its config key). */
function describeRefusal(path: string, error: DownloadRefusedError, maxBytes: number): FetchRefusal {
  if (error.reason === 'too-large') {
    const size = error.size ?? 0;
    return {
      path,
      reason: 'too-large',
      size,
      message: `skipped ${showName(path)}: ${formatMiB(size)}, over ${FETCH_MAX_FILE_KEY} (${formatMiB(maxBytes)}); raise ${FETCH_MAX_FILE_KEY} in hpcbench.yaml to fetch it`,
    };
  }
  return { path, reason: error.reason, message: `skipped ${showName(path)}: ${error.message}` };
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
  const maxBytes = options.maxFileBytes ?? DEFAULT_FETCH_MAX_FILE_MB * 1024 * 1024;
  const accounting = await saveAccounting(transport, record, options.runDir);
  const refused: FetchRefusal[] = [];
  const refuse = (refusal: FetchRefusal): void => {
    refused.push(refusal);
    options.onRefused?.(refusal);
  };
  const remoteOut = posix.join(record.remote_dir, 'out');
  const top = await transport.stat(remoteOut);
  if (!top?.isDirectory) return { files: [], refused, bytes: 0, skipped: 0, empty: true, accounting };
  // stat follows links; an out/ that is itself a link (to $HOME, say) is not walked.
  if ((await transport.list(record.remote_dir)).some((e) => e.name === 'out' && e.isSymbolicLink === true)) {
    refuse({ path: 'out', reason: 'symlink', message: `skipped ${showName(remoteOut)}: a symbolic link on the cluster (links are not followed)` });
    return { files: [], refused, bytes: 0, skipped: 0, empty: false, accounting };
  }
  const walk: Walk = { transport, wanted: options.experiments, files: [], refuse };
  await walkTree(walk, remoteOut, []);
  const files: FetchedFile[] = [];
  for (const remote of walk.files) {
    const path = shownPath(remote.parts);
    try {
      if (remote.size > maxBytes) throw new DownloadRefusedError('too-large', `${path} is too large`, { size: remote.size });
      const local = confineLocalPath(join(options.runDir, 'out'), remote.parts);
      await prepareLocalDirectory(options.runDir, ['out', ...remote.parts.slice(0, -1)]);
      const result = await transport.download(posix.join(remoteOut, ...remote.parts), local, { noFollow: true, maxBytes });
      const file: FetchedFile = { path, bytes: result.bytes, skipped: result.skipped };
      if (result.resumedFrom !== undefined) file.resumedFrom = result.resumedFrom;
      files.push(file);
      options.onFile?.(file);
    } catch (error) {
      if (!(error instanceof DownloadRefusedError)) throw error;
      refuse(describeRefusal(path, error, maxBytes));
    }
  }
  return {
    files,
    refused,
    bytes: files.reduce((s, f) => s + f.bytes, 0),
    skipped: files.filter((f) => f.skipped).length,
    empty: false,
    accounting,
  };
}
