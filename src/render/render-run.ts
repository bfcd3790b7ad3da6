/**
 * A run: one experiment plus those it depends on, rendered in topological order into scripts, sweep
 * files and a manifest. `renderRun` computes everything in memory (it only reads templates and
 * checks that listed files exist); `writeRun` puts it on disk.
 */
import { cpSync, mkdirSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import type nunjucks from 'nunjucks';
import { UsageError, RenderError } from '../errors.js';
import { writeFileAtomically } from '../fs-atomic.js';
import { isScriptPath, RUN_DIR_MODE, RUN_FILE_MODE, SCRIPT_MODE } from './file-modes.js';
import type { Experiment, ResolvedConfig } from '../config/index.js';
import { closest } from '../config/suggest.js';
import { createTemplateEnvironment, templateFileName } from './environment.js';
import { listJobTemplateNames } from './catalog.js';
import { buildJobView, type JobView } from './job-view.js';
import { preflightRun } from './preflight.js';
import { describeWholeNodeBilling } from './preflight-whole-node.js';
import { readProjectGit, type ProjectGit } from './project-git.js';
import { createRunId, MANIFEST_SCHEMA, RUN_ID_PATTERN, serializeManifest, sha256Hex, type ManifestFile, type ManifestJob, type RunManifest } from './manifest.js';
import { expandSweep, formatArraySpec, formatSweepJsonl, formatSweepTsv, type ParamRecord } from './sweep.js';

const PREFETCH_SCRIPT = 'scripts/prefetch-hf.sh';
const PREFETCH_TEMPLATE = 'sbatch/prefetch-hf.sh.njk';

export interface RenderOptions {
  /** Default: a new id from `now` (see createRunId). */
  runId?: string;
  /** Clock for the run id and manifest.created_at. */
  now?: Date;
  /** A project's templates/ directory; default: templates/ next to the config file. */
  projectTemplatesDir?: string;
  /** Reuse one environment across calls (compiled templates are cached in it). */
  environment?: nunjucks.Environment;
  /** Check that experiment `files:` exist (default true). */
  checkFiles?: boolean;
}

export interface RenderedRun {
  runId: string;
  manifest: RunManifest;
  /** Relative path in the run directory → content: scripts, sweep files and manifest.json. */
  files: Map<string, string>;
  /** Directories the jobs' #SBATCH --output needs before they start (relative). */
  directories: string[];
  warnings: string[];
}

/** The experiment and everything it depends on, dependencies first. */
export function orderExperiments(config: ResolvedConfig, name: string): Experiment[] {
  const order: Experiment[] = [];
  const seen = new Set<string>();
  const visit = (n: string): void => {
    if (seen.has(n)) return;
    seen.add(n);
    const exp = config.experiments[n];
    if (!exp) return;
    for (const dep of exp.depends_on) visit(dep);
    order.push(exp);
  };
  if (!config.experiments[name]) {
    const names = Object.keys(config.experiments);
    const guess = closest(name, names);
    throw new UsageError(
      `no experiment '${name}' in ${config.file}${guess ? ` — did you mean '${guess}'?` : ''}`,
      names.length > 0 ? `Experiments: ${names.join(', ')}.` : 'Add one under `experiments:`.',
    );
  }
  visit(name);
  return order;
}

/** Renders one job template; errors name the template and the experiment. */
function renderJobScript(env: nunjucks.Environment, view: JobView): string {
  return renderTemplate(env, templateFileName(view.template), view, `experiment '${view.experiment}'`);
}

function renderTemplate(env: nunjucks.Environment, file: string, context: object, what: string): string {
  try {
    return env.render(file, context);
  } catch (error) {
    if (error instanceof RenderError) throw error;
    throw new RenderError(`rendering ${file} for ${what} failed: ${(error as Error).message}`, 'Check the template (`hpcbench templates show`), or a project override in templates/.');
  }
}

function stripSlash(path: string): string {
  return path.replace(/[\\/]+$/, '');
}

function manifestFile(local: string): ManifestFile {
  const clean = stripSlash(local.replace(/^\.\//, ''));
  return { local: clean, path: `files/${isAbsolute(clean) ? basename(clean) : clean}` };
}

function withProjectGit(root: string): { git?: ProjectGit } {
  const git = readProjectGit(root);
  return git ? { git } : {};
}

export function renderRun(config: ResolvedConfig, experimentName: string, options: RenderOptions = {}): RenderedRun {
  const experiments = orderExperiments(config, experimentName);
  // Named after the experiment asked for (`infer`), not the first of its chain (`lora`).
  const runId = options.runId ?? createRunId(experimentName, options.now);
  if (!RUN_ID_PATTERN.test(runId)) {
    throw new UsageError(`run id ${JSON.stringify(runId)} cannot name a directory and a job comment safely`, "Use letters, digits, '.', '_' and '-' (at most 128).");
  }
  const projectDir = options.projectTemplatesDir ?? join(config.root, 'templates');
  const { warnings } = preflightRun(config, experiments, { templates: listJobTemplateNames({ projectDir }), checkFiles: options.checkFiles ?? true });
  const env = options.environment ?? createTemplateEnvironment({ projectDir });
  const files = new Map<string, string>();
  const directories: string[] = [];
  const jobs: ManifestJob[] = [];
  const copies = new Map<string, ManifestFile>();
  for (const exp of experiments) {
    const cluster = config.clusters[exp.cluster];
    const partition = cluster?.partitions[exp.partition];
    if (!cluster || !partition) throw new RenderError(`experiment '${exp.name}': cluster or partition vanished after validation`);
    const swept = new Set(Object.keys(exp.sweep?.matrix ?? {}));
    const parameters: ParamRecord = Object.fromEntries(Object.entries(exp.parameters).filter(([k]) => !swept.has(k)));
    let array: JobView['array'];
    let points: ParamRecord[] = [];
    if (exp.sweep) {
      points = expandSweep(exp.sweep);
      array = {
        spec: formatArraySpec(points.length, exp.sweep.max_parallel),
        size: points.length,
        sweep_file: `scripts/${exp.name}.sweep.tsv`,
        params_file: `scripts/${exp.name}.sweep.jsonl`,
      };
      files.set(array.sweep_file, formatSweepTsv([...swept], points));
      files.set(array.params_file, formatSweepJsonl(parameters, points));
    }
    const view = buildJobView({ runId, configFile: config.file, cluster, partition, experiment: exp, parameters, array, points });
    const script = renderJobScript(env, view);
    files.set(view.script, script);
    const taskDirs = array ? points.map((_, i) => `${view.out_dir}/${i}`) : [`${view.out_dir}/main`];
    directories.push(...taskDirs);
    for (const local of exp.files) {
      const entry = manifestFile(local);
      copies.set(entry.path, entry);
    }
    jobs.push({
      experiment: exp.name,
      cluster: exp.cluster,
      partition: exp.partition,
      template: exp.template,
      script: view.script,
      sha256: sha256Hex(script),
      job_name: exp.job_name,
      out_dir: view.out_dir,
      depends_on: [...exp.depends_on],
      ...(array
        ? { array: { size: array.size, spec: array.spec, sweep_file: array.sweep_file, params_file: array.params_file, points } }
        : {}),
      parameters,
      gpu_fields: view.gpu.field_list,
      ...(view.gpu.sidecar ? { gpu_interval_ms: view.gpu.interval_ms } : {}),
      inference_log: view.logs.inference,
      training_log: view.logs.training,
      ...(view.checkpoint ? { checkpoint_dir: view.checkpoint.dir, term_grace_s: view.term_grace_seconds } : {}),
      task_dirs: taskDirs,
      ...describeWholeNodeBilling(cluster, partition),
    });
  }
  const models = [...new Set(experiments.flatMap((e) => e.models))];
  const datasets = [...new Set(experiments.flatMap((e) => e.datasets))];
  let prefetch: string | undefined;
  if (models.length > 0 || datasets.length > 0) {
    const cluster = config.clusters[experiments[experiments.length - 1]?.cluster ?? ''];
    files.set(PREFETCH_SCRIPT, renderTemplate(env, PREFETCH_TEMPLATE, { run_id: runId, hf_home: cluster?.hf_cache, models, datasets }, 'the prefetch script'));
    prefetch = PREFETCH_SCRIPT;
  }
  const manifest: RunManifest = {
    schema: MANIFEST_SCHEMA,
    run_id: runId,
    created_at: (options.now ?? new Date()).toISOString(),
    config_file: config.file,
    experiments: experiments.map((e) => e.name),
    jobs,
    files: [...copies.values()],
    ...(prefetch ? { prefetch_script: prefetch } : {}),
    ...withProjectGit(config.root),
  };
  files.set('manifest.json', serializeManifest(manifest));
  return { runId, manifest, files, directories, warnings };
}

export interface WriteOptions {
  /** Copy the experiments' `files:` into <dir>/files/ (default true); their paths are relative to this root. */
  copyFilesFrom?: string | false;
}

/**
 * Writes a rendered run into `dir` (created if needed): every file atomically (temp + rename),
 * the task output directories, and the workload files. Scripts and the manifest can carry the
 * experiments' `env:` (tokens, API keys), so nothing is readable by group or others: scripts
 * 0700, other files 0600, directories created here 0700.
 */
export function writeRun(dir: string, rendered: RenderedRun, options: WriteOptions = {}): void {
  mkdirSync(dir, { recursive: true, mode: RUN_DIR_MODE });
  for (const sub of rendered.directories) mkdirSync(join(dir, sub), { recursive: true, mode: RUN_DIR_MODE });
  for (const [rel, content] of rendered.files) {
    const target = join(dir, rel);
    mkdirSync(dirname(target), { recursive: true, mode: RUN_DIR_MODE });
    writeFileAtomically(target, content, { mode: isScriptPath(rel) ? SCRIPT_MODE : RUN_FILE_MODE });
  }
  if (options.copyFilesFrom !== false && options.copyFilesFrom !== undefined) {
    for (const file of rendered.manifest.files) {
      cpSync(resolve(options.copyFilesFrom, file.local), join(dir, file.path), { recursive: true });
    }
  }
}
