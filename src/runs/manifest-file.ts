/**
 * Reads the manifest.json that render writes, against the one manifest contract
 * (src/contracts/manifest.ts), and checks what submission needs besides (dependency order).
 */
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { InputError } from '../errors.js';
import { parseJsonDocument } from '../contracts/json-file.js';
import { MANIFEST_INFO, MAX_ARRAY_TASKS, manifestSchema, type Manifest } from '../contracts/manifest.js';

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
  return expandArraySpec(job.array.spec);
}

/** `0-5%2`, `1,3,7-9`, `0-10:2` → the indices as strings. */
export function expandArraySpec(spec: string): string[] {
  const body = spec.split('%')[0] ?? '';
  const out: string[] = [];
  for (const part of body.split(',')) {
    const m = /^(\d+)(?:-(\d+)(?::(\d+))?)?$/.exec(part.trim());
    if (!m?.[1]) throw new InputError(`array spec ${JSON.stringify(spec)} is not valid`, { file: MANIFEST_FILE, hint: 'expected e.g. 0-5%2' });
    const start = Number(m[1]);
    const end = m[2] === undefined ? start : Number(m[2]);
    const step = m[3] === undefined ? 1 : Math.max(1, Number(m[3]));
    // A hand-edited 0-99999999999 would otherwise fill memory before anything else is checked.
    if (out.length + Math.floor((end - start) / step) + 1 > MAX_ARRAY_TASKS) {
      throw new InputError(`array spec ${JSON.stringify(spec)} has more than ${MAX_ARRAY_TASKS} tasks`, { file: MANIFEST_FILE, hint: 'render the run again' });
    }
    for (let i = start; i <= end; i += step) out.push(String(i));
  }
  return out;
}
