/**
 * Reads what a report needs from a run directory: metrics.json (required) and, for the
 * reproduction bundle, manifest.json, run.json, the rendered scripts, the config and sacct
 * output. Everything but metrics.json is optional: a missing piece is listed, never fatal.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { InputError } from '../errors.js';
import type { MetricsDocument } from '../profile/metrics-document.js';
import { readMetricsDocument } from '../contracts/metrics.js';
import { validateDocument } from '../contracts/json-file.js';
import { MANIFEST_INFO, manifestViewSchema, type ManifestView } from '../contracts/manifest.js';
import { readConfinedFile, readConfinedJson, listConfinedScripts, findRunConfig, type BundleFile, type BundleRefusal } from './bundle-files.js';

export type { BundleFile, BundleRefusal } from './bundle-files.js';

/** manifest.json as a report reads it: the manifest contract's view (every field optional, each typed). */
export type ManifestSummary = ManifestView;

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
  let manifest: ManifestView | undefined;
  if (manifestValue === undefined) missing.push('manifest');
  else if (isRecord(manifestValue)) {
    // A field of the wrong type is refused as profile refuses it, naming the field. The file's own
    // object is kept: the view's defaults (an empty config_file) would change what the bundle looks for.
    validateDocument(manifestViewSchema, manifestValue, join(runDir, 'manifest.json'), MANIFEST_INFO);
    manifest = manifestValue;
  } else missing.push('manifest-invalid');
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
