/**
 * Reads the manifest.json that render writes (the run-directory contract), checking only the
 * fields submission needs, so this module does not depend on how render builds it.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { InputError } from '../errors.js';

const scalar = z.union([z.string(), z.number(), z.boolean()]);

const manifestJobSchema = z.object({
  experiment: z.string().min(1),
  cluster: z.string().min(1),
  partition: z.string(),
  script: z.string().min(1),
  sha256: z.string(),
  job_name: z.string().min(1),
  out_dir: z.string().min(1),
  depends_on: z.array(z.string()).default([]),
  array: z
    .object({
      size: z.number().int().positive(),
      spec: z.string().min(1),
      sweep_file: z.string().optional(),
      points: z.array(z.record(z.string(), scalar)).optional(),
    })
    .optional(),
  parameters: z.record(z.string(), scalar).default({}),
  gpu_fields: z.array(z.string()).default([]),
  /** Set when the job checkpoints (relative to the run directory, or absolute). */
  checkpoint_dir: z.string().optional(),
  term_grace_s: z.number().int().nonnegative().optional(),
});

const manifestSchema = z.object({
  schema: z.literal('hpcbench.manifest/1'),
  run_id: z.string().regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, dash and underscore only'),
  created_at: z.string(),
  config_file: z.string().default(''),
  experiments: z.array(z.string()).min(1),
  jobs: z.array(manifestJobSchema).min(1),
  files: z.array(z.object({ local: z.string(), path: z.string() })).default([]),
});

export type SubmitManifest = z.infer<typeof manifestSchema>;
export type SubmitManifestJob = SubmitManifest['jobs'][number];

export const MANIFEST_FILE = 'manifest.json';

export function parseSubmitManifest(text: string, file: string): SubmitManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new InputError(`not valid JSON (${(error as Error).message})`, { file, hint: 'render the run again' });
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(`field ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`, {
      file,
      hint: 'expected a hpcbench.manifest/1 document written by hpcbench render',
    });
  }
  const manifest = parsed.data;
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
    throw error;
  }
  return parseSubmitManifest(text, file);
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
    for (let i = start; i <= end; i += step) out.push(String(i));
  }
  return out;
}
