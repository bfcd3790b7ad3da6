import type { Argv, CommandModule } from 'yargs';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { profileFiles, profileRun, type ProfileOptions } from '../profile/profile-run.js';
import type { MetricsDocument } from '../profile/metrics-document.js';
import { serializeMetricsDocument } from '../contracts/metrics.js';
import { UsageError } from '../errors.js';
import { formatTaskSummaryLines, summarizeTasks } from '../report/task-summary.js';
import { writeFileAtomically } from '../fs-atomic.js';
import { profileOptionsFromConfig } from '../profile/config-options.js';
import { resolveRunDirectory } from './run-argument.js';
import { readRunConfigOptions } from './run-config.js';
import type { GlobalOptions } from './global-options.js';
import { createOutput, type Output } from './output.js';
import { packageVersion } from './version.js';
import { progressReporter } from './progress.js';

interface ProfileArgs extends GlobalOptions {
  inputs: string[];
  out: string | undefined;
  strict: boolean;
  warmup: number | undefined;
  'percentile-method': 'linear' | 'nearest-rank';
  seed: number | undefined;
  'gpu-fields': string | undefined;
  'sacct-fields': string | undefined;
  'gpu-busy-threshold': number | undefined;
}

function isRunDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

function printSummary(out: Output, doc: MetricsDocument): void {
  out.data(formatTaskSummaryLines(summarizeTasks(doc)));
  for (const w of doc.warnings) out.warn(w);
}

/**
 * Warm-up, SLOs, extractors and rates from hpcbench.yaml: --config, else the run's own copy,
 * else the project's. A flag given on the command line wins over the config.
 */
function experimentOptions(runDir: string, argv: ProfileArgs, out: Output): ProfileOptions['experiments'] {
  const perExperiment = readRunConfigOptions(runDir, argv.config, out, 'its profiling settings (warm-up, SLOs, extractors) are not applied', profileOptionsFromConfig);
  if (perExperiment === undefined) return undefined;
  if (argv.warmup !== undefined) for (const o of Object.values(perExperiment)) delete o.warmup;
  if (argv['gpu-busy-threshold'] !== undefined) for (const o of Object.values(perExperiment)) delete o.gpuBusyThresholdPct;
  return perExperiment;
}

/** `--gpu-fields timestamp,index,utilization.gpu` (the --query-gpu list of a headerless log). */
function parseGpuFieldsFlag(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const fields = value.split(',').map((f) => f.trim()).filter((f) => f.length > 0);
  if (fields.length === 0) throw new UsageError('--gpu-fields needs the --query-gpu field list, e.g. timestamp,index,utilization.gpu,memory.used');
  return fields;
}

/** `--gpu-busy-threshold 5`: a percent in 0–100 (yargs gives NaN for a non-number). */
function parseBusyThresholdFlag(value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isFinite(value) || value < 0 || value > 100) {
    throw new UsageError(`--gpu-busy-threshold must be a percent from 0 to 100 (a GPU sample is busy when its utilization is above it), got ${String(value)}`);
  }
  return value;
}

/** profiling.gpu_busy_threshold_pct for loose files, when the experiments that set it agree. */
function busyThresholdFromConfig(argv: ProfileArgs, out: Output): number | undefined {
  const values = readRunConfigOptions(process.cwd(), argv.config, out, 'its profiling.gpu_busy_threshold_pct is not applied', (config) =>
    Object.values(config.experiments).flatMap((e) => (e.profiling.gpu_busy_threshold_pct === undefined ? [] : [e.profiling.gpu_busy_threshold_pct])),
  );
  const distinct = [...new Set(values ?? [])];
  if (distinct.length > 1) out.warn(`experiments give different profiling.gpu_busy_threshold_pct (${distinct.join(' | ')}); pass --gpu-busy-threshold for loose files`);
  return distinct.length === 1 ? distinct[0] : undefined;
}

/**
 * The field list of headerless nvidia-smi logs given as loose files, from hpcbench.yaml's
 * profiling.gpu_fields when the experiments that set it agree (else --gpu-fields must say).
 */
function gpuFieldsFromConfig(argv: ProfileArgs, out: Output): string[] | undefined {
  const lists = readRunConfigOptions(process.cwd(), argv.config, out, 'its profiling.gpu_fields is not applied', (config) =>
    Object.values(config.experiments).flatMap((e) => (e.profiling.gpu_fields ? [e.profiling.gpu_fields.join(',')] : [])),
  );
  const distinct = [...new Set(lists ?? [])];
  if (distinct.length > 1) out.warn(`experiments give different profiling.gpu_fields (${distinct.join(' | ')}); pass --gpu-fields for headerless nvidia-smi logs`);
  return distinct.length === 1 ? (distinct[0] as string).split(',') : undefined;
}

/** The --format list of headerless sacct output given as a loose file, from profiling.sacct_fields when the experiments agree. */
function sacctFieldsFromConfig(argv: ProfileArgs, out: Output): string | undefined {
  const lists = readRunConfigOptions(process.cwd(), argv.config, out, 'its profiling.sacct_fields is not applied', (config) =>
    Object.values(config.experiments).flatMap((e) => (e.profiling.sacct_fields ? [e.profiling.sacct_fields] : [])),
  );
  const distinct = [...new Set(lists ?? [])];
  if (distinct.length > 1) out.warn(`experiments give different profiling.sacct_fields (${distinct.join(' | ')}); pass --sacct-fields for headerless sacct output`);
  return distinct.length === 1 ? distinct[0] : undefined;
}

async function handler(argv: ProfileArgs): Promise<void> {
  const out = createOutput(argv);
  if (argv.inputs.length === 0) throw new UsageError('name a run id, `latest`, a run directory, or log files');
  const options: ProfileOptions = {
    strict: argv.strict,
    warmup: argv.warmup,
    percentileMethod: argv['percentile-method'],
    seed: argv.seed,
    toolVersion: packageVersion(),
    onProgress: progressReporter(),
    gpuFields: parseGpuFieldsFlag(argv['gpu-fields']),
    gpuBusyThresholdPct: parseBusyThresholdFlag(argv['gpu-busy-threshold']),
    ...(argv['sacct-fields'] === undefined ? {} : { sacctFields: argv['sacct-fields'] }),
  };
  let doc: MetricsDocument;
  let defaultOut: string | undefined;
  const single = argv.inputs.length === 1 ? (argv.inputs[0] as string) : undefined;
  const runDir = single !== undefined && !(existsSync(single) && statSync(single).isFile()) ? resolveRunDirectory(single, argv.config) : undefined;
  if (runDir && isRunDirectory(runDir)) {
    options.experiments = experimentOptions(runDir, argv, out);
    doc = await profileRun(runDir, options);
    defaultOut = join(runDir, 'metrics.json');
  } else {
    options.gpuFields ??= gpuFieldsFromConfig(argv, out);
    options.gpuBusyThresholdPct ??= busyThresholdFromConfig(argv, out);
    if (options.sacctFields === undefined) {
      const sacctFields = sacctFieldsFromConfig(argv, out);
      if (sacctFields !== undefined) options.sacctFields = sacctFields;
    }
    doc = await profileFiles(argv.inputs, options);
  }
  const target = argv.out ?? defaultOut;
  const text = serializeMetricsDocument(doc);
  if (target) {
    writeFileAtomically(target, text);
    out.info(`metrics written to ${target}`);
  }
  // --json prints the document as metrics.json holds it.
  if (argv.json) out.data(text);
  else if (!target) out.data(text);
  else printSummary(out, doc);
}

export const profileCommand: CommandModule<GlobalOptions, ProfileArgs> = {
  command: 'profile <inputs..>',
  describe: 'Summarise a run (or log files) into metrics.json: GPU, inference, training, process and accounting',
  builder: (y: Argv<GlobalOptions>) =>
    y
      .positional('inputs', { type: 'string', array: true, demandOption: true, description: 'A run id, `latest`, a run directory, or log files' })
      .option('out', { type: 'string', description: 'Where to write metrics.json (default: <run>/metrics.json; stdout for files)' })
      .option('strict', { type: 'boolean', default: false, description: 'Exit 1 if any log line was rejected' })
      .option('warmup', { type: 'number', description: 'Inference records to drop at the start of each log (besides flagged ones)' })
      .option('percentile-method', { choices: ['linear', 'nearest-rank'] as const, default: 'linear' as const, description: 'linear = numpy default' })
      .option('seed', { type: 'number', description: 'Seed of the bootstrap confidence intervals' })
      .option('gpu-fields', { type: 'string', description: 'Field list of headerless nvidia-smi --query-gpu logs (comma-separated, as given to --query-gpu)' })
      .option('gpu-busy-threshold', { type: 'number', description: 'A GPU sample counts as busy when its utilization is above this percent (default 0; profiling.gpu_busy_threshold_pct)' })
      .option('sacct-fields', { type: 'string', description: 'Field list of headerless sacct output (as given to sacct --format, e.g. JobID,JobName%12,State,Elapsed,TotalCPU)' }),
  handler,
};
