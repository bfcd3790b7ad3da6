/**
 * The templates a project can use: shipped ones, and those in the project's own templates/
 * directory, which win over a shipped template of the same name (a partial can be overridden
 * alone, e.g. templates/sbatch/partials/setup.njk).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { UsageError } from '../errors.js';
import { SHIPPED_TEMPLATES_DIR } from './environment.js';
import { closest } from '../config/suggest.js';

export type TemplateKind = 'job' | 'layout' | 'partial' | 'script';

export interface TemplateEntry {
  /** What `templates show` and an experiment's `template:` take: gpu, partials/sidecar, prefetch-hf. */
  name: string;
  kind: TemplateKind;
  source: 'shipped' | 'project';
  /** Absolute path of the file used. */
  file: string;
  /** A project template that replaces a shipped one. */
  overrides: boolean;
}

export interface CatalogOptions {
  projectDir?: string | undefined;
  shippedDir?: string;
}

const SUFFIXES = ['.sbatch.njk', '.sh.njk', '.njk'] as const;

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(path));
    else if (entry.isFile() && entry.name.endsWith('.njk')) out.push(path);
  }
  return out;
}

function describe(root: string, file: string): { name: string; kind: TemplateKind } {
  const rel = relative(join(root, 'sbatch'), file).split(sep).join('/');
  const suffix = SUFFIXES.find((s) => rel.endsWith(s)) ?? '';
  const name = rel.slice(0, rel.length - suffix.length);
  let kind: TemplateKind;
  if (name.startsWith('partials/')) kind = 'partial';
  else if (name === 'base') kind = 'layout';
  else if (suffix === '.sbatch.njk') kind = 'job';
  else kind = 'script';
  return { name, kind };
}

/** Every template, project ones first where they override, sorted by kind then name. */
export function listTemplates(options: CatalogOptions = {}): TemplateEntry[] {
  const shippedRoot = options.shippedDir ?? SHIPPED_TEMPLATES_DIR;
  const entries = new Map<string, TemplateEntry>();
  for (const file of walk(join(shippedRoot, 'sbatch'))) {
    const { name, kind } = describe(shippedRoot, file);
    entries.set(name, { name, kind, source: 'shipped', file, overrides: false });
  }
  if (options.projectDir !== undefined && resolve(options.projectDir) !== resolve(shippedRoot)) {
    for (const file of walk(join(options.projectDir, 'sbatch'))) {
      const { name, kind } = describe(options.projectDir, file);
      entries.set(name, { name, kind, source: 'project', file, overrides: entries.has(name) });
    }
  }
  const order: TemplateKind[] = ['job', 'script', 'layout', 'partial'];
  return [...entries.values()].sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || a.name.localeCompare(b.name));
}

/** Names an experiment's `template:` may take. */
export function listJobTemplateNames(options: CatalogOptions = {}): string[] {
  return listTemplates(options)
    .filter((t) => t.kind === 'job')
    .map((t) => t.name);
}

export function findTemplate(name: string, options: CatalogOptions = {}): TemplateEntry {
  const all = listTemplates(options);
  const found = all.find((t) => t.name === name);
  if (!found) {
    const names = all.map((t) => t.name);
    const guess = closest(name, names);
    throw new UsageError(`unknown template '${name}'${guess ? ` — did you mean '${guess}'?` : ''}`, `Known templates: ${names.join(', ')}.`);
  }
  return found;
}

export function readTemplate(name: string, options: CatalogOptions = {}): TemplateEntry & { text: string } {
  const entry = findTemplate(name, options);
  return { ...entry, text: readFileSync(entry.file, 'utf8') };
}
