/**
 * Reads what a report needs from a run directory: metrics.json (required) and, for the
 * reproduction bundle, manifest.json, run.json, the rendered scripts, the config and sacct
 * output. Everything but metrics.json is optional: a missing piece is listed, never fatal.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { METRICS_SCHEMA, type MetricsDocument } from '../profile/metrics-document.js';
import { readConfinedFile, readConfinedJson, listConfinedScripts, findRunConfig, type BundleFile, type BundleRefusal } from './bundle-files.js';

export type { BundleFile, BundleRefusal } from './bundle-files.js';

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
  /** Files the bundle would have shown but did not read: links, paths outside the run, devices (see describeBundleRefusal). */
  refused: BundleRefusal[];
}

export interface LoadedRun {
  doc: MetricsDocument;
  bundle: RunBundle;
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
  const refused: BundleRefusal[] = [];
  const manifestValue = readConfinedJson(runDir, 'manifest.json', refused);
  let manifest: ManifestSummary | undefined;
  if (manifestValue === undefined) missing.push('manifest');
  else if (isRecord(manifestValue)) manifest = manifestValue as ManifestSummary;
  else missing.push('manifest-invalid');
  const runValue = readConfinedJson(runDir, 'run.json', refused);
  const runRecord = isRecord(runValue) ? runValue : undefined;
  if (runValue === undefined) missing.push('run-record');
  const scripts = listConfinedScripts(runDir, refused);
  if (scripts.length === 0) missing.push('scripts');
  const configFile = typeof manifest?.config_file === 'string' ? manifest.config_file : undefined;
  const config = findRunConfig(runDir, configFile, refused);
  if (config === undefined) missing.push('config');
  const sacct = readConfinedFile(runDir, 'sacct.txt', refused);
  if (sacct === undefined) missing.push('sacct');
  return { runDir, manifest, runRecord, scripts, config, sacct, missing, refused };
}
