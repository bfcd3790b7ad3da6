import type { Argv, CommandModule } from 'yargs';
import { relative } from 'node:path';
import { CheckFailedError, InterruptedError } from '../errors.js';
import { runDemo, type DemoResult } from '../local/demo.js';
import type { GlobalOptions } from './global-options.js';
import { createOutput } from './output.js';
import { formatTaskSummaryTable, summarizeTasks } from '../report/task-summary.js';
import { packageVersion } from './version.js';

interface DemoArgs extends GlobalOptions {
  out: string | undefined;
}

function describe(result: DemoResult, cwd: string): string {
  const rel = (p: string) => relative(cwd, p) || '.';
  return [
    `Rendered job scripts (GPU pipeline lora → infer sweep, HF prefetch): ${rel(result.rendered.runDir)}/scripts/`,
    ...result.rendered.scripts.map((s) => `  ${rel(s)}`),
    '',
    `CPU job run here (${result.cpu.run.runId}; infer.py's backend is in its log header):`,
    formatTaskSummaryTable(summarizeTasks(result.cpu.metrics)),
    `  report: ${rel(result.cpu.reportDir)}/report.md, report.html, metrics.csv (also in ${rel(result.cpu.run.runDir)}/report/)`,
    '',
    'Bundled GPU run (generated sample logs, data_sample/run-example):',
    formatTaskSummaryTable(summarizeTasks(result.gpu.metrics)),
    `  report: ${rel(result.gpu.reportDir)}/report.md, report.pt-BR.md, report.html, metrics.csv`,
    '',
    'Next: edit data_sample/hpcbench.yaml (or your own hpcbench.yaml), then `hpcbench submit infer`.',
  ].join('\n');
}

async function handler(argv: DemoArgs): Promise<void> {
  const out = createOutput(argv);
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  try {
    const result = await runDemo({
      outDir: argv.out,
      toolVersion: packageVersion(),
      signal: controller.signal,
      onEvent: (event) => {
        if (event.kind === 'step') out.info(`demo: ${event.message}`);
        else if (event.kind === 'task-end') out.info(`  ${event.result.experiment}/${event.result.task}: ${event.result.state} in ${event.result.elapsed_s.toFixed(1)} s`);
      },
    });
    if (argv.json) out.json({ rendered: result.rendered, cpu: { run: result.cpu.run, reportFiles: result.cpu.reportFiles }, gpu: { reportFiles: result.gpu.reportFiles } });
    else out.data(describe(result, process.cwd()));
    if (result.cpu.run.interrupted) throw new InterruptedError(`the demo was interrupted; partial results are in ${result.cpu.run.runDir}`);
    const failed = result.cpu.run.tasks.filter((t) => t.state !== 'COMPLETED');
    if (failed.length > 0) throw new CheckFailedError(`the demo's CPU job did not complete: ${failed.map((t) => t.state).join(', ')}`, `Read ${result.cpu.run.runDir}/out/*/main/job.err.`);
  } finally {
    process.removeListener('SIGINT', stop);
  }
}

export const demoCommand: CommandModule<GlobalOptions, DemoArgs> = {
  command: 'demo',
  describe: 'Quick start without a cluster: render the sample GPU pipeline, run the CPU job here, profile, report',
  builder: (y: Argv<GlobalOptions>) =>
    y.option('out', { type: 'string', description: 'Where results/ and report/demo/ go (default: the working directory)' }),
  handler,
};
