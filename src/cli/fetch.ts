/** `hpcbench fetch [run]`: the run's out/ tree into results/<run-id>/, resumably. */
import type { Argv, CommandModule } from 'yargs';
import { fetchRun } from '../runs/fetch.js';
import { runDirectory } from '../runs/registry.js';
import type { GlobalOptions } from './global-options.js';
import { createOutput } from './output.js';
import { addExperimentFilter, addRunTarget, experimentFilterOf, withOpenRun, type RunTargetArgs } from './runs.js';

interface FetchArgs extends RunTargetArgs {
  experiment: string[] | undefined;
}

async function fetchHandler(argv: FetchArgs): Promise<void> {
  const out = createOutput(argv);
  await withOpenRun(argv, out, async (run) => {
    const runDir = runDirectory(run.resultsDir, run.runId);
    const result = await fetchRun({
      transport: run.transport,
      record: run.record,
      runDir,
      ...experimentFilterOf(argv),
      onFile: (f) => out.debug(`${f.skipped ? 'complete ' : 'fetched  '} ${f.path}${f.resumedFrom !== undefined ? ` (resumed at ${f.resumedFrom} B)` : ''}`),
    });
    if (argv.json) {
      out.json({ run_id: run.runId, dir: runDir, ...result });
      return;
    }
    if (result.empty) {
      out.info(`run ${run.runId}: nothing to fetch yet (${run.record.remote_dir}/out does not exist: no job has started)`);
      return;
    }
    out.data(`run ${run.runId}: ${result.files.length} file(s), ${result.bytes} bytes fetched, ${result.skipped} already complete, into ${runDir}`);
    if (result.accounting.status === 'saved') out.info(`accounting records saved to ${runDir}/sacct.txt; next: hpcbench profile ${run.runId}`);
    else if (result.accounting.status === 'partial') {
      out.warn(`accounting has ${result.accounting.recorded} of ${result.accounting.expected} job records so far (slurmdbd records jobs a few seconds after they end): run fetch again shortly`);
    } else if (result.accounting.status === 'unavailable') out.warn(`no accounting records (${result.accounting.message}): the report will lack queue wait and CPU/memory efficiency`);
  });
}

export const fetchCommand: CommandModule<GlobalOptions, FetchArgs> = {
  command: 'fetch [run]',
  describe: 'Download job logs, nvidia-smi CSV, inference/training logs and metadata (resumable; complete files are skipped)',
  builder: (y: Argv<GlobalOptions>) =>
    addExperimentFilter(addRunTarget(y)),
  handler: fetchHandler,
};
