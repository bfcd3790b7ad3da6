/**
 * The fetch use case: the run's outputs downloaded into results/<run-id>/ under the run's lock,
 * with the per-file cap from hpcbench.yaml. Returns what was fetched; printing is the caller's.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_FILE_NAMES, findConfigFile, loadConfigFile } from '../config/load.js';
import { HpcbenchError } from '../errors.js';
import type { ConnectClusterOptions } from './connect.js';
import { DEFAULT_FETCH_MAX_FILE_MB, FETCH_MAX_FILE_KEY, fetchRun, type FetchedFile, type FetchRefusal, type FetchRunResult } from './fetch.js';
import { withLockedRun } from './locked-run.js';
import { runDirectory } from './registry.js';

/**
 * `fetch.max_file_mb` from --config, else the run's copy of hpcbench.yaml, else the project's. Only
 * a config named with --config must load: fetching an existing run never depends on a config.
 */
function readMaxFileMb(runDir: string, explicit: string | undefined, onWarning: (message: string) => void): number {
  const copy = CONFIG_FILE_NAMES.map((n) => join(runDir, n)).find((f) => existsSync(f));
  const file = explicit ?? copy ?? findConfigFile();
  if (file === undefined) return DEFAULT_FETCH_MAX_FILE_MB;
  try {
    return loadConfigFile(file).raw.fetch?.max_file_mb ?? DEFAULT_FETCH_MAX_FILE_MB;
  } catch (error) {
    if (explicit !== undefined || !(error instanceof HpcbenchError)) throw error;
    onWarning(`${file} could not be read, so ${FETCH_MAX_FILE_KEY} is the default ${DEFAULT_FETCH_MAX_FILE_MB}: ${error.message.split('\n')[0] ?? ''}`);
    return DEFAULT_FETCH_MAX_FILE_MB;
  }
}

export interface FetchResultsOptions {
  resultsDir: string;
  /** Run id, a unique prefix of one, or latest. */
  run: string | undefined;
  configOption: string | undefined;
  connect: ConnectClusterOptions;
  /** Only these experiments (default all). */
  experiments?: readonly string[];
  onFile: (file: FetchedFile) => void;
  onRefused: (refusal: FetchRefusal) => void;
  onWarning: (message: string) => void;
}

export interface FetchedResults {
  runId: string;
  runDir: string;
  /** The run's directory on the cluster. */
  remoteDir: string;
  result: FetchRunResult;
}

export async function fetchResults(options: FetchResultsOptions): Promise<FetchedResults> {
  return withLockedRun({ resultsDir: options.resultsDir, run: options.run, connect: options.connect, command: 'hpcbench fetch', onWarning: options.onWarning }, async (run) => {
    const runDir = runDirectory(run.resultsDir, run.runId);
    const maxFileMb = readMaxFileMb(runDir, options.configOption, options.onWarning);
    const result = await fetchRun({
      transport: run.transport,
      record: run.record,
      runDir,
      maxFileBytes: Math.floor(maxFileMb * 1024 * 1024),
      ...(options.experiments === undefined ? {} : { experiments: options.experiments }),
      onFile: options.onFile,
      onRefused: options.onRefused,
    });
    return { runId: run.runId, runDir, remoteDir: run.record.remote_dir, result };
  });
}
