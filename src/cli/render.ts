import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { resolveConfigPath } from '../config/index.js';
import { displayPath } from '../config/load.js';
import { UsageError } from '../errors.js';
import { applySetOverrides, parseSetArgument, renderRun, writeRun } from '../render/index.js';
import { loadCheckedConfigText } from '../render/check-config.js';
import { acquireRunLock } from '../runs/lock.js';
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
  const configPath = resolveConfigPath(argv.config);
  const root = dirname(configPath);
  const overrides = argv.set.map(parseSetArgument);
  const text = applySetOverrides(readFileSync(configPath, 'utf8'), argv.experiment, overrides);
  // Resolving and preflight report their problems together, as `config check` does.
  const config = loadCheckedConfigText(text, displayPath(configPath), root, argv.experiment);
  const rendered = renderRun(config, argv.experiment, argv['run-id'] !== undefined ? { runId: argv['run-id'] } : {});
  // Results and workload files belong to the project directory (the config's `root:`, by default its folder).
  const dir = argv.out !== undefined ? resolve(argv.out) : join(config.root, 'results', rendered.runId);
  if (existsSync(join(dir, 'manifest.json')) && !argv.force) {
    throw new UsageError(`${displayPath(dir)} already holds a rendered run (manifest.json)`, 'Pick another --out or --run-id, or pass --force to overwrite its scripts.');
  }
  // A --force render must not rewrite the scripts of a run that a submit is uploading.
  const lock = acquireRunLock(dir, { command: 'hpcbench render', runId: rendered.runId, onWarning: (w) => out.warn(w) });
  try {
    writeRun(dir, rendered, { copyFilesFrom: config.root });
  } finally {
    lock.release();
  }
  for (const warning of rendered.warnings) out.warn(warning);
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
      .option('force', { type: 'boolean', default: false, describe: 'Overwrite a run directory that already has a manifest' }) as unknown as Argv<RenderArgs>,
  handler: renderHandler,
};
