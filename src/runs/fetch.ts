/**
 * Bringing a run's outputs home: everything under the remote out/ tree (job stdout/stderr,
 * nvidia-smi CSV, inference/training logs, metadata, exit.json) into results/<run-id>/out/.
 * Resumable: the transport skips files whose local copy is complete and continues partial ones.
 */
import { join, posix } from 'node:path';
import type { Transport } from '../transport/transport.js';
import type { RunRecord } from './run-record.js';

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

async function listTree(transport: Transport, dir: string, rel: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await transport.list(dir)) {
    const childRel = rel === '' ? entry.name : posix.join(rel, entry.name);
    if (entry.isDirectory) out.push(...(await listTree(transport, posix.join(dir, entry.name), childRel)));
    // Files being written atomically by someone else are not outputs yet.
    else if (!entry.name.includes('.tmp-')) out.push(childRel);
  }
  return out;
}

export async function fetchRun(options: FetchRunOptions): Promise<FetchRunResult> {
  const { transport, record } = options;
  const remoteOut = posix.join(record.remote_dir, 'out');
  const top = await transport.stat(remoteOut);
  if (!top?.isDirectory) return { files: [], bytes: 0, skipped: 0, empty: true };
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
  };
}
