import { join } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { displayPath } from '../config/load.js';
import { renderExperiment } from '../render/render-experiment.js';
import type { GlobalOptions } from './global-options.js';
import { createOutput } from './output.js';

interface RenderArgs extends GlobalOptions {
  experiment: string;
  out: string | undefined;
  set: string[];
  'run-id': string | undefined;
  force: boolean;
}

function renderHandler(argv: RenderArgs): void {
  const out = createOutput(argv);
  const { dir, rendered } = renderExperiment({
    configOption: argv.config,
    experiment: argv.experiment,
    set: argv.set,
    ...(argv['run-id'] === undefined ? {} : { runId: argv['run-id'] }),
    ...(argv.out === undefined ? {} : { out: argv.out }),
    force: argv.force,
    onWarning: (w) => out.warn(w),
  });
  if (argv.json) {
    out.json({ run_id: rendered.runId, dir, manifest: rendered.manifest });
    return;
  }
  out.info(`rendered run ${rendered.runId} into ${displayPath(dir)}`);
  for (const job of rendered.manifest.jobs) {
    const array = job.array ? ` (array ${job.array.spec}, ${job.array.size} tasks)` : '';
    const deps = job.depends_on.length > 0 ? ` after ${job.depends_on.join(', ')}` : '';
    out.data(`${join(displayPath(dir), job.script)}  ${job.template} on ${job.cluster}/${job.partition}${array}${deps}`);
  }
  if (rendered.manifest.prefetch_script) {
    out.info(`models/datasets: run ${rendered.manifest.prefetch_script} on a login node with internet before submitting`);
  }
}

export const renderCommand: CommandModule<GlobalOptions, RenderArgs> = {
  command: 'render <experiment>',
  describe: 'Write the job scripts and manifest of an experiment (and the experiments it depends on) into a run directory',
  builder: (y: Argv<GlobalOptions>) =>
    y
      .positional('experiment', { type: 'string', demandOption: true, describe: 'Experiment name from hpcbench.yaml' })
      .option('out', { type: 'string', describe: 'Run directory (default: results/<run-id> in the project directory: the config\'s root:, else its folder)' })
      .option('set', {
        type: 'string',
        array: true,
        default: [] as string[],
        describe: 'Override for this render: a parameter (batch_size=8; a swept one becomes a single value) or a dotted experiment path (resources.time=02:00:00)',
      })
      .option('run-id', { type: 'string', describe: 'Run id (default: YYYYMMDD-HHMMSS-<experiment>-<hex>); same input and id give byte-identical scripts' })
      .option('force', { type: 'boolean', default: false, describe: 'Overwrite a run directory that already has a manifest' }),
  handler: renderHandler,
};
