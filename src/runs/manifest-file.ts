/**
 * Reads the manifest.json that render writes, against the one manifest contract
 * (src/contracts/manifest.ts), and checks what submission needs besides (dependency order).
 */
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { InputError } from '../errors.js';
import { parseJsonDocument } from '../contracts/json-file.js';
import { MANIFEST_INFO, manifestSchema, type Manifest } from '../contracts/manifest.js';
import { expandArraySpec } from '../slurm/array-spec.js';

export type SubmitManifest = Manifest;
export type SubmitManifestJob = SubmitManifest['jobs'][number];

export const MANIFEST_FILE = 'manifest.json';

export function parseSubmitManifest(text: string, file: string): SubmitManifest {
  const manifest = parseJsonDocument(manifestSchema, text, file, MANIFEST_INFO);
  const known = new Set<string>();
  for (const job of manifest.jobs) {
    for (const dep of job.depends_on) {
      if (!known.has(dep)) {
        throw new InputError(`job ${job.experiment} depends on ${dep}, which is not listed before it`, {
          file,
          hint: 'jobs must be in topological order; render the run again',
        });
      }
    }
    known.add(job.experiment);
  }
  return manifest;
}

export async function readSubmitManifest(runDir: string): Promise<SubmitManifest> {
  const file = join(runDir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new InputError('the run directory has no manifest.json', { file, hint: 'render the run first' });
    }
    throw new InputError(`cannot read manifest.json: ${(error as Error).message}`, { file });
  }
  const manifest = parseSubmitManifest(text, file);
  // Submit writes under results/<run_id>: a copied or renamed run directory must not redirect that.
  const dirName = basename(runDir);
  if (manifest.run_id !== dirName) {
    throw new InputError(`run_id: expected "${dirName}" (the name of its directory), got "${manifest.run_id}"`, {
      file,
      hint: 'a run directory that was copied or renamed keeps its old run_id; render the run again',
    });
  }
  return manifest;
}

/** Task directory names of a job: `main`, or one per array index. */
export function taskNames(job: Pick<SubmitManifestJob, 'array'>): string[] {
  if (!job.array) return ['main'];
  return expandArraySpec(job.array.spec, MANIFEST_FILE);
}

