/**
 * `hpcbench demo`: the quick start. With no cluster and no network it shows the whole path on the
 * shipped sample: render the GPU pipeline (LoRA → inference sweep) with its Hugging Face prefetch
 * script, run the CPU experiment here, profile both that run and the bundled GPU run, and write
 * the reports.
 */
import { existsSync } from 'node:fs';
import { writeFileAtomically } from '../fs-atomic.js';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, type ResolvedConfig } from '../config/index.js';
import { createRunId } from '../render/manifest.js';
import { renderRun, writeRun } from '../render/render-run.js';
import type { MetricsDocument } from '../profile/metrics-document.js';
import { serializeMetricsDocument } from '../contracts/metrics.js';
import { profileRun } from '../profile/profile-run.js';
import { reportOptionsFromConfig, restrictToExperiments } from '../report/config-options.js';
import { loadBundle } from '../report/run-bundle.js';
import { renderReportFiles, writeReportFiles } from '../report/write-report.js';
import { profileOptionsFromConfig } from '../profile/config-options.js';
import { runLocal, type LocalRunEvent, type LocalRunResult } from './run-local.js';

/** The package's own directory (dist/local/ or src/local/ → two levels up). */
const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DEMO_CONFIG = join(PACKAGE_ROOT, 'data_sample', 'hpcbench.yaml');
const DEMO_GPU_RUN = join(PACKAGE_ROOT, 'data_sample', 'run-example');
const GPU_EXPERIMENT = 'infer';
const CPU_EXPERIMENT = 'cpu-baseline';

export interface DemoOptions {
  /** Where results/ and report/demo/ are written (default: the working directory). */
  outDir?: string;
  toolVersion: string;
  signal?: AbortSignal;
  onEvent?: (event: LocalRunEvent | { kind: 'step'; message: string }) => void;
  now?: () => Date;
}

export interface DemoResult {
  rendered: { runDir: string; scripts: string[] };
  cpu: { run: LocalRunResult; metrics: MetricsDocument; reportDir: string; reportFiles: string[] };
  gpu: { metrics: MetricsDocument; reportDir: string; reportFiles: string[] };
}

async function writeReports(config: ResolvedConfig, doc: MetricsDocument, runDir: string, targets: readonly string[], toolVersion: string): Promise<string[]> {
  const fromConfig = reportOptionsFromConfig(config);
  const experiments = doc.run.experiments;
  const files = await renderReportFiles(doc, loadBundle(runDir), {
    formats: ['md', 'csv', 'html'],
    langs: ['en', 'pt-BR'],
    toolVersion,
    sloMs: restrictToExperiments((fromConfig.sloMs ?? {}) as Record<string, number>, experiments),
    references: restrictToExperiments(fromConfig.references ?? {}, experiments),
    descriptions: restrictToExperiments(fromConfig.descriptions ?? {}, experiments),
  });
  files.set('metrics.json', serializeMetricsDocument(doc));
  return targets.flatMap((dir) => writeReportFiles(dir, files));
}

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const outDir = options.outDir ?? process.cwd();
  const now = options.now ?? (() => new Date());
  const step = (message: string): void => options.onEvent?.({ kind: 'step', message });
  const config = loadConfig(DEMO_CONFIG);
  const resultsDir = join(outDir, 'results');
  const reportRoot = join(outDir, 'report', 'demo');

  step(`rendering '${GPU_EXPERIMENT}' (and '${config.experiments[GPU_EXPERIMENT]?.depends_on.join("', '")}') for ${config.experiments[GPU_EXPERIMENT]?.cluster}`);
  const rendered = renderRun(config, GPU_EXPERIMENT, { runId: createRunId(`demo-${GPU_EXPERIMENT}`, now()) });
  const renderDir = join(resultsDir, rendered.runId);
  writeRun(renderDir, rendered, { copyFilesFrom: false });
  const scripts = [...rendered.files.keys()].filter((f) => f.startsWith('scripts/')).map((f) => join(renderDir, f));

  step(`running '${CPU_EXPERIMENT}' here with bash, as SLURM would`);
  const run = await runLocal({
    config,
    experiment: CPU_EXPERIMENT,
    resultsDir,
    runId: createRunId(`demo-${CPU_EXPERIMENT}`, now()),
    signal: options.signal,
    onEvent: options.onEvent,
    now,
  });
  const cpuMetrics = await profileRun(run.runDir, { toolVersion: options.toolVersion, experiments: profileOptionsFromConfig(config) });
  writeFileAtomically(join(run.runDir, 'metrics.json'), serializeMetricsDocument(cpuMetrics));
  const cpuReportDir = join(reportRoot, 'cpu-local');
  const cpuFiles = await writeReports(config, cpuMetrics, run.runDir, [join(run.runDir, 'report'), cpuReportDir], options.toolVersion);

  step(`profiling the bundled GPU run (${relative(PACKAGE_ROOT, DEMO_GPU_RUN)}: generated sample logs, see its README)`);
  if (!existsSync(DEMO_GPU_RUN)) throw new Error(`the sample GPU run is missing from the package: ${DEMO_GPU_RUN}`);
  const gpuConfig = loadConfig(join(DEMO_GPU_RUN, 'hpcbench.yaml'));
  const gpuMetrics = await profileRun(DEMO_GPU_RUN, { toolVersion: options.toolVersion, experiments: profileOptionsFromConfig(gpuConfig) });
  const gpuReportDir = join(reportRoot, 'gpu-example');
  const gpuResultsDir = join(resultsDir, createRunId('demo-gpu-example', now()));
  const gpuFiles = await writeReports(gpuConfig, gpuMetrics, DEMO_GPU_RUN, [join(gpuResultsDir, 'report'), gpuReportDir], options.toolVersion);

  return {
    rendered: { runDir: renderDir, scripts },
    cpu: { run, metrics: cpuMetrics, reportDir: cpuReportDir, reportFiles: cpuFiles },
    gpu: { metrics: gpuMetrics, reportDir: gpuReportDir, reportFiles: gpuFiles },
  };
}
