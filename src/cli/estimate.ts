/**
 * `hpcbench estimate <experiment> [--from <run>] [--work N]`: wall time, --time, checkpoint
 * interval, GPU/CPU-hours, service units and cost of each phase, projected from profiled pilots.
 * Flags are parsed here; the estimate is computed by src/estimate, loaded when the command runs.
 */
import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../errors.js';
import type { PilotArgument } from '../estimate/load-estimate.js';
import type { ReportLang } from '../report/format.js';
import { resolveResultsDir } from '../runs/context.js';
import type { GlobalOptions } from './global-options.js';
import { createOutput } from './output.js';
import { resolveConfigPath } from '../config/load.js';
import { resolveRunDirectory } from './run-argument.js';

interface EstimateArgs extends GlobalOptions {
  experiment: string;
  from: string[];
  work: string[];
  margin: number | undefined;
  lang: string;
  results: string | undefined;
}

const NAMED = /^([^=]+)=(.*)$/;

/** `--work N` (the named experiment) or `--work phase=N`, a whole number > 0. */
export function parseWorkFlags(values: readonly string[], experiment: string): Map<string, number> {
  const work = new Map<string, number>();
  for (const text of values) {
    const named = NAMED.exec(text);
    const name = named?.[1]?.trim() ?? experiment;
    const amountText = (named?.[2] ?? text).trim();
    const amount = Number(amountText);
    if (amountText === '' || !Number.isInteger(amount) || amount <= 0) {
      throw new UsageError(`--work ${JSON.stringify(text)}: expected a whole number of steps or items > 0, or <experiment>=<number>`, 'for example --work 30000 or --work preprocess=30000');
    }
    work.set(name, amount);
  }
  return work;
}

/** `--from run` or `--from phase=run`: a run id, `latest`, or a run directory. */
export function parseFromFlags(values: readonly string[], configPath: string | undefined): PilotArgument[] {
  return values.map((text) => {
    const named = NAMED.exec(text);
    const run = named?.[2] ?? text;
    if (run.trim() === '') throw new UsageError(`--from ${JSON.stringify(text)}: expected a run id, \`latest\` or a run directory, optionally as <experiment>=<run>`);
    return { dir: resolveRunDirectory(run, configPath), experiment: named?.[1]?.trim() };
  });
}

export function parseEstimateLang(text: string): ReportLang {
  const lower = text.trim().toLowerCase();
  if (lower === 'en') return 'en';
  if (lower === 'pt-br' || lower === 'pt') return 'pt-BR';
  throw new UsageError(`--lang ${JSON.stringify(text)}: expected en or pt-BR`);
}

async function handler(argv: EstimateArgs): Promise<void> {
  const out = createOutput(argv);
  const lang = parseEstimateLang(argv.lang);
  const work = parseWorkFlags(argv.work.map(String), argv.experiment);
  if (argv.margin !== undefined && !(Number.isFinite(argv.margin) && argv.margin >= 0 && argv.margin <= 500)) {
    throw new UsageError(`--margin ${String(argv.margin)}: expected a percentage from 0 to 500`);
  }
  const configPath = resolveConfigPath(argv.config);
  const from = parseFromFlags(argv.from.map(String), configPath);
  const { runEstimate } = await import('../estimate/load-estimate.js');
  const { formatEstimateMarkdown, toEstimateJson } = await import('../estimate/format-estimate.js');
  const result = runEstimate({
    configPath,
    experiment: argv.experiment,
    from,
    resultsDir: resolveResultsDir(argv.results, configPath),
    work,
    ...(argv.margin !== undefined ? { marginPct: argv.margin } : {}),
    onUnreadable: (dir, error) => out.warn(`${dir}/metrics.json does not read, so it is not used as a pilot: ${error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error)}`),
  });
  if (argv.json) out.json(toEstimateJson(result));
  else out.data(formatEstimateMarkdown(result, lang));
}

export const estimateCommand: CommandModule<GlobalOptions, EstimateArgs> = {
  command: 'estimate <experiment>',
  describe: 'Project wall time, --time, checkpoint interval, GPU/CPU-hours, service units and cost of each phase from a profiled pilot run',
  builder: (y: Argv<GlobalOptions>) =>
    y
      .positional('experiment', { type: 'string', demandOption: true, description: 'Experiment to estimate, with the experiments it depends on' })
      .option('from', { type: 'string', array: true, default: [] as string[], description: 'Pilot run (id, `latest` or directory), or <experiment>=<run>; default: the newest profiled run of each phase' })
      .option('work', { type: 'string', array: true, default: [] as string[], description: 'Size of the full work in the pilot’s unit (steps or items), or <experiment>=N; default: the experiment’s estimate: block' })
      .option('margin', { type: 'number', description: 'Percent added to the upper end of the wall time for --time (default: estimate.margin_pct, else 20)' })
      .option('lang', { type: 'string', default: 'en', description: 'en or pt-BR' })
      .option('results', { type: 'string', description: 'Results directory (default: results/ next to hpcbench.yaml, else ./results)' })
      .example('$0 estimate lora --work 30000', 'From the newest profiled run of lora: 30 000 steps')
      .example('$0 estimate infer --from prep=20261201-101500-prep --json', 'A pipeline, one pilot per phase, as JSON'),
  handler,
};
