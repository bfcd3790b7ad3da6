/**
 * The run manifest: what render wrote, for submit, fetch, run --local, profile and report.
 * The shape is the one contract in src/contracts/manifest.ts (see README "Run directory"); add
 * fields there, never rename them.
 */
import { createHash, randomBytes } from 'node:crypto';
import { manifestSchema, type Manifest, type ManifestJobRecord } from '../contracts/manifest.js';

export { MANIFEST_SCHEMA_ID as MANIFEST_SCHEMA } from '../contracts/manifest.js';

/** manifest.json as render writes it and every reader reads it: the contract's type (src/contracts/manifest.ts documents each field). */
export type RunManifest = Manifest;
export type ManifestJob = ManifestJobRecord;
export type ManifestFile = Manifest['files'][number];

/** The text of manifest.json, checked against the contract submit, profile and report read it with. */
export function serializeManifest(manifest: RunManifest): string {
  const checked = manifestSchema.safeParse(manifest);
  // Render builds it from a validated config; a failure is a bug here, not bad input.
  if (!checked.success) throw new Error(`manifest does not match its contract: ${checked.error.message}`);
  // The object as built (zod's copy would reorder keys).
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

// One definition, shared with the readers that validate run.json and manifest.json.
export { RUN_ID_PATTERN } from '../contracts/run-id.js';

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** `YYYYMMDD-HHMMSS-<experiment>-<4 hex>` in UTC. */
export function createRunId(firstExperiment: string, now: Date = new Date(), random: () => string = () => randomBytes(2).toString('hex')): string {
  const stamp = `${now.getUTCFullYear()}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())}-${pad(now.getUTCHours())}${pad(now.getUTCMinutes())}${pad(now.getUTCSeconds())}`;
  return `${stamp}-${firstExperiment}-${random()}`;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
