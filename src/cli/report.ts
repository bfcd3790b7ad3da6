import type { Argv, CommandModule } from 'yargs';
import { buildReports } from '../report/build-report.js';
import type { GlobalOptions } from './global-options.js';
import { createOutput } from './output.js';
import { packageVersion } from './version.js';

interface ReportArgs extends GlobalOptions {
  runs: string[];
  format: string;
  lang: string;
  out: string | undefined;
  'slo-ms': number | undefined;
}

async function handler(argv: ReportArgs): Promise<void> {
  const out = createOutput(argv);
  const { written } = await buildReports({
    runs: argv.runs,
    configOption: argv.config,
    format: argv.format,
    lang: argv.lang,
    out: argv.out,
    sloMs: argv['slo-ms'],
    toolVersion: packageVersion(),
    onWarning: (message) => out.warn(message),
    onNote: (message) => out.info(message),
  });
  if (argv.json) out.json(written);
  else for (const w of written) out.data(`${w.run}:\n${w.files.map((f) => `  ${f}`).join('\n')}`);
}

export const reportCommand: CommandModule<GlobalOptions, ReportArgs> = {
  command: 'report <runs..>',
  describe: 'Write reports of profiled runs: Markdown (en, pt-BR), tidy CSV, JSON and a self-contained HTML with charts',
  builder: (y: Argv<GlobalOptions>) =>
    y
      .positional('runs', { type: 'string', array: true, demandOption: true, description: 'Run ids, `latest`, run directories (profiled: with metrics.json), or metrics.json files' })
      .option('format', { type: 'string', default: 'md,csv,json,html', description: 'Comma-separated: md, csv, json, html' })
      .option('lang', { type: 'string', default: 'en', description: 'en, pt-BR, or both (en,pt-BR)' })
      .option('out', { type: 'string', description: 'Output folder (default: <run>/report/)' })
      .option('slo-ms', { type: 'number', description: 'p95 latency SLO for choosing the best sweep point (default: profiling.latency_slo_ms)' }),
  handler,
};
