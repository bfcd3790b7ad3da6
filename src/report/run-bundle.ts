/**
 * Reads what a report needs from a run directory: metrics.json (required) and, for the
 * reproduction bundle, manifest.json, run.json, the rendered scripts, the config and sacct
 * output. Everything but metrics.json is optional: a missing piece is listed, never fatal.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { METRICS_SCHEMA, type MetricsDocument } from '../profile/metrics-document.js';

/** The parts of manifest.json a report shows (see src/render/manifest.ts for the full type). */
export interface ManifestSummary {
  run_id?: string;
  created_at?: string;
  config_file?: string;
  experiments?: string[];
  jobs?: {
    experiment: string;
    cluster?: string;
    partition?: string;
    template?: string;
    script?: string;
    sha256?: string;
    job_name?: string;
    depends_on?: string[];
    array?: { size: number; spec?: string };
    parameters?: Record<string, string | number | boolean>;
    gpu_fields?: string[];
  }[];
}

export type BundleGap = 'manifest' | 'manifest-invalid' | 'run-record' | 'scripts' | 'config' | 'sacct';

export interface BundleFile {
  /** Relative to the run directory (or the config file name). */
  path: string;
  sha256: string;
  bytes: number;
  /** The text, when it is small enough to embed (scripts and configs are). */
  text: string | undefined;
}

export interface RunBundle {
  runDir: string;
  manifest: ManifestSummary | undefined;
  /** run.json as written by the run registry; shown as job ids and states. */
  runRecord: Record<string, unknown> | undefined;
  scripts: BundleFile[];
  config: BundleFile | undefined;
  sacct: BundleFile | undefined;
  /** What the run directory lacks (worded per language by the report: see describeBundleGap). */
  missing: BundleGap[];
}

export interface LoadedRun {
  doc: MetricsDocument;
  bundle: RunBundle;
}

const EMBED_LIMIT = 256 * 1024;

function sha256(buffer: Buffer): string {
  return createHash('sha256').update(buffer).digest('hex');
}

function readBundleFile(file: string, shownAs: string): BundleFile {
  const buffer = readFileSync(file);
  return {
    path: shownAs,
    sha256: sha256(buffer),
    bytes: buffer.length,
    text: buffer.length <= EMBED_LIMIT ? buffer.toString('utf8') : undefined,
  };
}

function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new InputError(`cannot read: ${(error as Error).message}`, { file });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new InputError(`not valid JSON (${(error as Error).message})`, { file, hint: 'the file may be truncated; rerun the command that wrote it' });
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks the parts of a metrics document every report section relies on. */
export function validateMetricsDocument(value: unknown, file: string): MetricsDocument {
  if (!isRecord(value)) throw new InputError('expected a JSON object (a metrics document)', { file });
  if (value.schema !== METRICS_SCHEMA) {
    throw new InputError(`field \`schema\` is ${JSON.stringify(value.schema)}; expected "${METRICS_SCHEMA}"`, {
      file,
      hint: 'regenerate it with `hpcbench profile` from this version of hpcbench',
    });
  }
  for (const field of ['tasks', 'sweep', 'sources', 'warnings'] as const) {
    if (!Array.isArray(value[field])) throw new InputError(`field \`${field}\` is missing or not an array`, { file, hint: 'regenerate it with `hpcbench profile`' });
  }
  for (const field of ['run', 'method'] as const) {
    if (!isRecord(value[field])) throw new InputError(`field \`${field}\` is missing or not an object`, { file, hint: 'regenerate it with `hpcbench profile`' });
  }
  const run = value.run as Record<string, unknown>;
  if (!Array.isArray(run.experiments) || !run.experiments.every((e) => typeof e === 'string')) {
    throw new InputError('field `run.experiments` is missing or not a list of names', { file, hint: 'regenerate it with `hpcbench profile`' });
  }
  (value.tasks as unknown[]).forEach((task, i) => {
    if (!isRecord(task) || typeof task.experiment !== 'string' || typeof task.task !== 'string') {
      throw new InputError(`tasks[${i}] lacks \`experiment\`/\`task\` names`, { file });
    }
    for (const list of ['latency_samples_s', 'throughput_samples', 'gpu_series', 'missing'] as const) {
      if (!Array.isArray(task[list])) throw new InputError(`tasks[${i}].${list} is missing or not an array`, { file });
    }
  });
  return value as unknown as MetricsDocument;
}

function readScripts(runDir: string): BundleFile[] {
  const dir = join(runDir, 'scripts');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .filter((name) => statSync(join(dir, name)).isFile())
    .map((name) => readBundleFile(join(dir, name), `scripts/${name}`));
}

function findConfig(runDir: string, manifest: ManifestSummary | undefined): BundleFile | undefined {
  // A copy inside the run directory wins: it is what was rendered, even if the original changed since.
  for (const name of ['hpcbench.yaml', 'config.yaml', 'hpcbench.yml']) {
    const file = join(runDir, name);
    if (existsSync(file)) return readBundleFile(file, name);
  }
  const configured = manifest?.config_file;
  if (configured !== undefined) {
    const file = isAbsolute(configured) ? configured : resolve(runDir, '..', '..', configured);
    if (existsSync(file) && statSync(file).isFile()) return readBundleFile(file, configured);
  }
  return undefined;
}

/** Loads metrics.json and the reproduction bundle of one run directory. */
export function loadRun(runDir: string): LoadedRun {
  const metricsFile = join(runDir, 'metrics.json');
  if (!existsSync(metricsFile)) {
    throw new InputError('no metrics.json in this run directory: the run has not been profiled', {
      file: runDir,
      hint: 'run `hpcbench profile <run-id>` first (after `hpcbench fetch` for a cluster run), then report again',
    });
  }
  const doc = validateMetricsDocument(readJsonFile(metricsFile), metricsFile);
  return { doc, bundle: loadBundle(runDir) };
}

/**
 * A run argument as report and compare take it: a metrics.json file (from `profile <files>
 * --out`), whose folder then stands for the run, or a run directory.
 */
export function loadRunOrMetricsFile(path: string, resolveRunDir: (arg: string) => string): LoadedRun & { runDir: string } {
  if (existsSync(path) && statSync(path).isFile()) {
    const doc = validateMetricsDocument(readJsonFile(path), path);
    const runDir = dirname(resolve(path));
    return { runDir, doc, bundle: loadBundle(runDir) };
  }
  const runDir = resolveRunDir(path);
  return { runDir, ...loadRun(runDir) };
}

export function loadBundle(runDir: string): RunBundle {
  const missing: BundleGap[] = [];
  const manifestFile = join(runDir, 'manifest.json');
  let manifest: ManifestSummary | undefined;
  if (existsSync(manifestFile)) {
    const value = readJsonFile(manifestFile);
    if (isRecord(value)) manifest = value as ManifestSummary;
    else missing.push('manifest-invalid');
  } else missing.push('manifest');
  const runFile = join(runDir, 'run.json');
  let runRecord: Record<string, unknown> | undefined;
  if (existsSync(runFile)) {
    const value = readJsonFile(runFile);
    if (isRecord(value)) runRecord = value;
  } else missing.push('run-record');
  const scripts = readScripts(runDir);
  if (scripts.length === 0) missing.push('scripts');
  const config = findConfig(runDir, manifest);
  if (config === undefined) missing.push('config');
  const sacctFile = join(runDir, 'sacct.txt');
  const sacct = existsSync(sacctFile) ? readBundleFile(sacctFile, 'sacct.txt') : undefined;
  if (sacct === undefined) missing.push('sacct');
  return { runDir, manifest, runRecord, scripts, config, sacct, missing };
}
