/**
 * Reads what a report needs from a run directory: metrics.json (required) and, for the
 * reproduction bundle, manifest.json, run.json, the rendered scripts, the config and sacct
 * output. Everything but metrics.json is optional: a missing piece is listed, never fatal.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { InputError } from '../errors.js';
import type { MetricsDocument } from '../profile/metrics-document.js';
import { readMetricsDocument, validateMetricsDocument } from '../contracts/metrics.js';
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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks a metrics document against the metrics.json contract (src/contracts/metrics.ts), which report sections rely on. */
export { validateMetricsDocument };

/** Loads metrics.json and the reproduction bundle of one run directory. */
export function loadRun(runDir: string): LoadedRun {
  const metricsFile = join(runDir, 'metrics.json');
  if (!existsSync(metricsFile)) {
    throw new InputError('no metrics.json in this run directory: the run has not been profiled', {
      file: runDir,
      hint: 'run `hpcbench profile <run-id>` first (after `hpcbench fetch` for a cluster run), then report again',
    });
  }
  const doc = readMetricsDocument(metricsFile);
  return { doc, bundle: loadBundle(runDir) };
}

/**
 * A run argument as report and compare take it: a metrics.json file (from `profile <files>
 * --out`), whose folder then stands for the run, or a run directory.
 */
export function loadRunOrMetricsFile(path: string, resolveRunDir: (arg: string) => string): LoadedRun & { runDir: string } {
  if (existsSync(path) && statSync(path).isFile()) {
    const doc = readMetricsDocument(path);
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
  else if (isRecord(manifestValue)) manifest = manifestValue;
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
