/** `hpcbench fetch [run]`: the run's out/ tree into results/<run-id>/, resumably. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { CONFIG_FILE_NAMES, findConfigFile, loadConfigFile } from '../config/load.js';
import { CheckFailedError, HpcbenchError } from '../errors.js';
import { DEFAULT_FETCH_MAX_FILE_MB, FETCH_MAX_FILE_KEY, fetchRun, type FetchRefusal } from '../runs/fetch.js';
import { runDirectory } from '../runs/registry.js';
import type { GlobalOptions } from './global-options.js';
import { createOutput, type Output } from './output.js';
import { withLockedRun } from './locked-run.js';
import { addExperimentFilter, addRunTarget, experimentFilterOf, type RunTargetArgs } from './runs.js';

interface FetchArgs extends RunTargetArgs {
  experiment: string[] | undefined;
}

/**
 * `fetch.max_file_mb` from --config, else the run's copy of hpcbench.yaml, else the project's. Only
 * a config named with --config must load: fetching an existing run never depends on a config.
 */
function readMaxFileMb(runDir: string, explicit: string | undefined, out: Output): number {
  const copy = CONFIG_FILE_NAMES.map((n) => join(runDir, n)).find((f) => existsSync(f));
  const file = explicit ?? copy ?? findConfigFile();
  if (file === undefined) return DEFAULT_FETCH_MAX_FILE_MB;
  try {
    return loadConfigFile(file).raw.fetch?.max_file_mb ?? DEFAULT_FETCH_MAX_FILE_MB;
  } catch (error) {
    if (explicit !== undefined || !(error instanceof HpcbenchError)) throw error;
    out.warn(`${file} could not be read, so ${FETCH_MAX_FILE_KEY} is the default ${DEFAULT_FETCH_MAX_FILE_MB}: ${error.message.split('\n')[0] ?? ''}`);
    return DEFAULT_FETCH_MAX_FILE_MB;
  }
}

/** Links and special files a job left are skipped with a warning; anything else refused fails the command. */
function isFailure(refusal: FetchRefusal): boolean {
  return refusal.reason !== 'symlink' && refusal.reason !== 'not-a-file';
}

async function fetchHandler(argv: FetchArgs): Promise<void> {
  const out = createOutput(argv);
  await withLockedRun(argv, out, 'hpcbench fetch', async (run) => {
    const runDir = runDirectory(run.resultsDir, run.runId);
    const maxFileMb = readMaxFileMb(runDir, argv.config, out);
    const result = await fetchRun({
      transport: run.transport,
      record: run.record,
      runDir,
      maxFileBytes: Math.floor(maxFileMb * 1024 * 1024),
      ...experimentFilterOf(argv),
      onFile: (f) => out.debug(`${f.skipped ? 'complete ' : 'fetched  '} ${f.path}${f.resumedFrom !== undefined ? ` (resumed at ${f.resumedFrom} B)` : ''}`),
      onRefused: (r) => out.warn(r.message),
    });
    const failures = result.refused.filter(isFailure);
    if (argv.json) out.json({ run_id: run.runId, dir: runDir, ...result });
    else if (result.empty) out.info(`run ${run.runId}: nothing to fetch yet (${run.record.remote_dir}/out does not exist: no job has started)`);
    else {
      const notFetched = result.refused.length > 0 ? `, ${result.refused.length} not fetched (see the warnings)` : '';
      out.data(`run ${run.runId}: ${result.files.length} file(s), ${result.bytes} bytes fetched, ${result.skipped} already complete${notFetched}, into ${runDir}`);
      if (result.accounting.status === 'saved') out.info(`accounting records saved to ${runDir}/sacct.txt; next: hpcbench profile ${run.runId}`);
      else if (result.accounting.status === 'partial') {
        out.warn(`accounting has ${result.accounting.recorded} of ${result.accounting.expected} job records so far (slurmdbd records jobs a few seconds after they end): run fetch again shortly`);
      } else if (result.accounting.status === 'unavailable') out.warn(`no accounting records (${result.accounting.message}): the report will lack queue wait and CPU/memory efficiency`);
    }
    if (failures.length > 0) {
      throw new CheckFailedError(
        `run ${run.runId}: ${failures.length} remote entr${failures.length === 1 ? 'y was' : 'ies were'} refused (${[...new Set(failures.map((f) => f.reason))].join(', ')}); the other files were fetched`,
        'names with "/", "\\", NUL, "." or ".." are never turned into local paths; files over the cap need a larger ' +
          `${FETCH_MAX_FILE_KEY}; a local path in the way must be removed by hand`,
      );
    }
  });
}

export const fetchCommand: CommandModule<GlobalOptions, FetchArgs> = {
  command: 'fetch [run]',
  describe: 'Download job logs, nvidia-smi CSV, inference/training logs and metadata (resumable; complete files are skipped)',
  builder: (y: Argv<GlobalOptions>) =>
    addExperimentFilter(addRunTarget(y)),
  handler: fetchHandler,
};
