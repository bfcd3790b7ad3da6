import type { Argv, CommandModule } from 'yargs';
import { CheckFailedError, UsageError } from '../errors.js';
import { compareRuns, findRegressions } from '../report/compare.js';
import { renderComparisonMarkdown } from '../report/compare-format.js';
import { parseReportLangs } from '../report/write-report.js';
import { loadRunOrMetricsFile } from '../report/run-bundle.js';
import { formatChange } from '../report/format.js';
import type { GlobalOptions } from './global-options.js';
import { createOutput } from './output.js';
import { resolveRunDirectory } from '../runs/run-directory.js';

interface CompareArgs extends GlobalOptions {
  baseline: string;
  candidate: string;
  noise: number;
  'fail-on-regression': number | undefined;
  force: boolean;
  seed: number | undefined;
  iterations: number;
  lang: string;
}

function handler(argv: CompareArgs): void {
  const out = createOutput(argv);
  const lang = parseReportLangs(argv.lang)[0] ?? 'en';
  const threshold = argv['fail-on-regression'];
  if (threshold !== undefined && !(threshold >= 0)) throw new UsageError(`--fail-on-regression must be a percentage ≥ 0, got ${threshold}`);
  if (!Number.isInteger(argv.iterations) || argv.iterations < 1) throw new UsageError(`--iterations must be a positive integer, got ${argv.iterations}`);
  const resolveRun = (arg: string): string => resolveRunDirectory(arg, argv.config);
  const baseline = loadRunOrMetricsFile(argv.baseline, resolveRun).doc;
  const candidate = loadRunOrMetricsFile(argv.candidate, resolveRun).doc;
  const comparison = compareRuns(baseline, candidate, { noisePct: argv.noise, force: argv.force, seed: argv.seed, iterations: argv.iterations });
  if (argv.json) out.json(comparison);
  else out.data(renderComparisonMarkdown(comparison, lang));
  if (threshold !== undefined) {
    const regressions = findRegressions(comparison, threshold);
    if (regressions.length > 0) {
      throw new CheckFailedError(
        `${regressions.length} metric(s) regressed by ${threshold} % or more: ${regressions.map((r) => `${r.experiment}/${r.task} ${r.metric} ${formatChange(r.change, 'en')}`).join(', ')}`,
        'look at the comparison above; raise --fail-on-regression or --noise if this change is expected',
      );
    }
  }
}

export const compareCommand: CommandModule<GlobalOptions, CompareArgs> = {
  command: 'compare <baseline> <candidate>',
  describe: 'Compare two profiled runs metric by metric, with bootstrap intervals and a verdict',
  builder: (y: Argv<GlobalOptions>) =>
    y
      .positional('baseline', { type: 'string', demandOption: true, description: 'Run id, `latest`, run directory or metrics.json of the baseline' })
      .positional('candidate', { type: 'string', demandOption: true, description: 'Run id, `latest`, run directory or metrics.json of the candidate' })
      .option('noise', { type: 'number', default: 5, description: 'Changes within ± this percentage are noise' })
      .option('fail-on-regression', { type: 'number', description: 'Exit 1 when a metric regressed by at least this percentage (for CI)' })
      .option('force', { type: 'boolean', default: false, description: 'Compare runs of different experiments, pairing tasks by name' })
      .option('seed', { type: 'number', description: 'Bootstrap seed (default: the stats default)' })
      .option('iterations', { type: 'number', default: 2000, description: 'Bootstrap resamples' })
      .option('lang', { type: 'string', default: 'en', description: 'en or pt-BR' }),
  handler,
};
