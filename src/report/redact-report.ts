/**
 * The redaction every report format and bundle goes through: the report model is built from a
 * redacted metrics document and a redacted bundle, and the CSV from redacted documents, so no
 * format can show a secret the others hide.
 */
import type { MetricsDocument, TaskMetrics } from '../profile/metrics-document.js';
import { redactRecord, redactStrings, redactText } from './redact.js';
import { redactYamlText } from './redact-yaml.js';
import type { BundleFile } from './bundle-files.js';
import type { ManifestSummary, RunBundle } from './run-bundle.js';

type Params = TaskMetrics['params'];

/**
 * Job metadata (env snapshots) and parameters are data keyed by the user's names: secret-looking
 * keys lose their values. The rest of the document is keyed by hpcbench's own names (some, like
 * `joulesPerOutputToken`, look like secrets and are not), so only its text is scanned.
 */
export function redactMetricsDocument(doc: MetricsDocument): MetricsDocument {
  const keyed: MetricsDocument = {
    ...doc,
    tasks: doc.tasks.map((t) => ({
      ...t,
      params: redactRecord<Params>(t.params),
      metadata: t.metadata === undefined ? undefined : redactRecord(t.metadata),
    })),
    sweep: doc.sweep.map((p) => ({ ...p, params: redactRecord<Params>(p.params) })),
  };
  return redactStrings(keyed);
}

function redactFile(file: BundleFile | undefined, redact: (text: string) => string): BundleFile | undefined {
  // The checksum stays that of the file on disk: it identifies the file, the text is what may be shown.
  return file === undefined || file.text === undefined ? file : { ...file, text: redact(file.text) };
}

function redactManifest(manifest: ManifestSummary | undefined): ManifestSummary | undefined {
  if (manifest === undefined) return undefined;
  const jobs = Array.isArray(manifest.jobs)
    ? manifest.jobs.map((j) => (typeof j === 'object' && j !== null && typeof j.parameters === 'object' && j.parameters !== null ? { ...j, parameters: redactRecord(j.parameters) } : j))
    : manifest.jobs;
  return redactStrings({ ...manifest, ...(jobs === undefined ? {} : { jobs }) });
}

export function redactBundle(bundle: RunBundle): RunBundle {
  return {
    ...bundle,
    manifest: redactManifest(bundle.manifest),
    runRecord: bundle.runRecord === undefined ? undefined : redactStrings(bundle.runRecord),
    scripts: bundle.scripts.map((s) => redactFile(s, redactText) ?? s),
    config: redactFile(bundle.config, redactYamlText),
    sacct: redactFile(bundle.sacct, redactText),
  };
}
