/** `hpcbench fetch [run]`: the run's out/ tree into results/<run-id>/, resumably. */
import type { Argv, CommandModule } from 'yargs';
import { CheckFailedError } from '../errors.js';
import { FETCH_MAX_FILE_KEY, type FetchRefusal } from '../runs/fetch.js';
import { fetchResults } from '../runs/fetch-results.js';
import type { GlobalOptions } from './global-options.js';
import { createOutput } from './output.js';
import { addExperimentFilter, addRunTarget, connectOptionsOf, experimentFilterOf, resultsDirOf, type RunTargetArgs } from './runs.js';

interface FetchArgs extends RunTargetArgs {
  experiment: string[] | undefined;
}

/** Links and special files a job left are skipped with a warning; anything else refused fails the command. */
function isFailure(refusal: FetchRefusal): boolean {
  return refusal.reason !== 'symlink' && refusal.reason !== 'not-a-file';
}

async function fetchHandler(argv: FetchArgs): Promise<void> {
  const out = createOutput(argv);
  const { runId, runDir, remoteDir, result } = await fetchResults({
    resultsDir: resultsDirOf(argv),
    run: argv.run,
    configOption: argv.config,
    connect: connectOptionsOf(argv, out),
    ...experimentFilterOf(argv),
    onFile: (f) => out.debug(`${f.skipped ? 'complete ' : 'fetched  '} ${f.path}${f.resumedFrom !== undefined ? ` (resumed at ${f.resumedFrom} B)` : ''}`),
    onRefused: (r) => out.warn(r.message),
    onWarning: (w) => out.warn(w),
  });
  const failures = result.refused.filter(isFailure);
  if (argv.json) out.json({ run_id: runId, dir: runDir, ...result });
  else if (result.empty) out.info(`run ${runId}: nothing to fetch yet (${remoteDir}/out does not exist: no job has started)`);
  else {
    const notFetched = result.refused.length > 0 ? `, ${result.refused.length} not fetched (see the warnings)` : '';
    out.data(`run ${runId}: ${result.files.length} file(s), ${result.bytes} bytes fetched, ${result.skipped} already complete${notFetched}, into ${runDir}`);
    if (result.accounting.status === 'saved') out.info(`accounting records saved to ${runDir}/sacct.txt; next: hpcbench profile ${runId}`);
    else if (result.accounting.status === 'partial') {
      out.warn(`accounting has ${result.accounting.recorded} of ${result.accounting.expected} job records so far (slurmdbd records jobs a few seconds after they end): run fetch again shortly`);
    } else if (result.accounting.status === 'unavailable') out.warn(`no accounting records (${result.accounting.message}): the report will lack queue wait and CPU/memory efficiency`);
  }
  if (failures.length > 0) {
    throw new CheckFailedError(
      `run ${runId}: ${failures.length} remote entr${failures.length === 1 ? 'y was' : 'ies were'} refused (${[...new Set(failures.map((f) => f.reason))].join(', ')}); the other files were fetched`,
      'names with "/", "\\", NUL, "." or ".." are never turned into local paths; files over the cap need a larger ' +
        `${FETCH_MAX_FILE_KEY}; a local path in the way must be removed by hand`,
    );
  }
}

export const fetchCommand: CommandModule<GlobalOptions, FetchArgs> = {
  command: 'fetch [run]',
  describe: 'Download job logs, nvidia-smi CSV, inference/training logs and metadata (resumable; complete files are skipped)',
  builder: (y: Argv<GlobalOptions>) =>
    addExperimentFilter(addRunTarget(y)),
  handler: fetchHandler,
};
