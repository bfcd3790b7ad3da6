/**
 * Reads the files of a run's reproduction bundle without trusting the run directory: a report is
 * shared, and a run directory may come from someone else (a copied run, a hand-edited manifest).
 * Only regular files inside the run directory are read, plus the run's own config (the
 * project's hpcbench.yaml); a symlink, a path that leaves the run, or a device/FIFO is
 * never opened and is listed as refused instead, so the report can say why it is not embedded.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readSync, realpathSync, type Stats } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { isPathInside } from '../path-inside.js';
import { CONFIG_FILE_NAMES } from '../config/load.js';
import { InputError } from '../errors.js';

export interface BundleFile {
  /** Relative to the run directory (or the config file's name). */
  path: string;
  sha256: string;
  bytes: number;
  /** The text, when it is small enough to embed (scripts and configs are). */
  text: string | undefined;
}

/**
 * Why a file was not read: a symbolic link (never followed), a path resolving outside the run
 * directory, not a regular file (device, FIFO, socket), or a manifest `config_file` that is not
 * the run's own config.
 */
export type BundleRefusalReason = 'symlink' | 'outside-run' | 'not-regular' | 'config-elsewhere';

export interface BundleRefusal {
  /** As the run directory names it (relative), or the file name only for paths outside it. */
  path: string;
  reason: BundleRefusalReason;
}

const EMBED_LIMIT = 256 * 1024;
/** manifest.json and run.json are parsed whole; anything larger is not one hpcbench wrote. */
const JSON_LIMIT = 64 * 1024 * 1024;
const CHUNK = 64 * 1024;

/** Runs and configs hpcbench shows by these names, in this order, when the run holds a copy. */
const RUN_CONFIG_NAMES = ['hpcbench.yaml', 'config.yaml', 'hpcbench.yml'] as const;

interface Contents {
  sha256: string;
  bytes: number;
  buffer: Buffer | undefined;
}

/**
 * Opens without following a final link and without blocking on a FIFO, then checks the opened
 * file itself, so a file swapped between the checks is still never read unless it is regular.
 */
function readRegular(file: string, keep: number): Contents | 'not-regular' | 'symlink' {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return 'symlink';
    throw new InputError(`cannot read: ${(error as Error).message}`, { file, hint: 'check the file’s permissions, or remove it from the run directory' });
  }
  try {
    if (!fstatSync(fd).isFile()) return 'not-regular';
    const hash = createHash('sha256');
    const kept: Buffer[] = [];
    let bytes = 0;
    const chunk = Buffer.alloc(CHUNK);
    for (;;) {
      const n = readSync(fd, chunk, 0, CHUNK, null);
      if (n === 0) break;
      hash.update(chunk.subarray(0, n));
      if (bytes + n <= keep) kept.push(Buffer.from(chunk.subarray(0, n)));
      bytes += n;
    }
    return { sha256: hash.digest('hex'), bytes, buffer: bytes <= keep ? Buffer.concat(kept) : undefined };
  } finally {
    closeSync(fd);
  }
}

function lstatOrUndefined(file: string): Stats | undefined {
  try {
    return lstatSync(file);
  } catch {
    return undefined;
  }
}

function realRoot(runDir: string): string {
  // The run directory itself may be reached through a link (the user's choice); what is inside it may not.
  try {
    return realpathSync(runDir);
  } catch {
    return resolve(runDir);
  }
}

/** A file of the run directory, or undefined when absent or refused (the refusal is recorded). */
function readConfined(runDir: string, rel: string, refused: BundleRefusal[], keep: number): Contents | undefined {
  const root = realRoot(runDir);
  const file = join(root, rel);
  const stats = lstatOrUndefined(file);
  if (stats === undefined) return undefined;
  if (stats.isSymbolicLink()) {
    refused.push({ path: rel, reason: 'symlink' });
    return undefined;
  }
  if (!stats.isFile()) {
    refused.push({ path: rel, reason: 'not-regular' });
    return undefined;
  }
  // A parent folder may be a link (scripts/ → elsewhere): the resolved path must stay in the run.
  if (!isPathInside(root, realpathSync(file))) {
    refused.push({ path: rel, reason: 'outside-run' });
    return undefined;
  }
  const contents = readRegular(file, keep);
  if (contents === 'not-regular' || contents === 'symlink') {
    refused.push({ path: rel, reason: contents });
    return undefined;
  }
  return contents;
}

function toBundleFile(contents: Contents, shownAs: string): BundleFile {
  return { path: shownAs, sha256: contents.sha256, bytes: contents.bytes, text: contents.buffer?.toString('utf8') };
}

export function readConfinedFile(runDir: string, rel: string, refused: BundleRefusal[]): BundleFile | undefined {
  const contents = readConfined(runDir, rel, refused, EMBED_LIMIT);
  return contents === undefined ? undefined : toBundleFile(contents, rel);
}

/** manifest.json or run.json parsed; undefined when absent or refused; a file that is not JSON is an input error. */
export function readConfinedJson(runDir: string, rel: string, refused: BundleRefusal[]): unknown {
  const contents = readConfined(runDir, rel, refused, JSON_LIMIT);
  if (contents === undefined) return undefined;
  const file = join(runDir, rel);
  if (contents.buffer === undefined) throw new InputError(`larger than ${JSON_LIMIT / 1024 / 1024} MiB: not a file hpcbench wrote`, { file });
  try {
    return JSON.parse(contents.buffer.toString('utf8')) as unknown;
  } catch (error) {
    throw new InputError(`not valid JSON (${(error as Error).message})`, { file, hint: 'the file may be truncated; rerun the command that wrote it' });
  }
}

/** The rendered job scripts: regular files directly in scripts/ (folders skipped, links and devices refused). */
export function listConfinedScripts(runDir: string, refused: BundleRefusal[]): BundleFile[] {
  const dir = join(realRoot(runDir), 'scripts');
  const stats = lstatOrUndefined(dir);
  if (stats === undefined) return [];
  if (stats.isSymbolicLink()) {
    refused.push({ path: 'scripts/', reason: 'symlink' });
    return [];
  }
  if (!stats.isDirectory()) return [];
  const files: BundleFile[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (lstatOrUndefined(join(dir, name))?.isDirectory() === true) continue;
    const file = readConfinedFile(runDir, `scripts/${name}`, refused);
    if (file !== undefined) files.push(file);
  }
  return files;
}

/**
 * The config the run was rendered from: a copy inside the run directory, else the manifest's
 * `config_file` when it is the project's own: an hpcbench.yaml (or .yml) inside the project
 * that holds the run (`<project>/results/<run>/`; with `root:` the config may sit in a subfolder).
 * Any other path the manifest names (`~/.ssh/…`, `../../x`, another project's config) is refused.
 */
export function findRunConfig(runDir: string, configured: string | undefined, refused: BundleRefusal[]): BundleFile | undefined {
  for (const name of RUN_CONFIG_NAMES) {
    const file = readConfinedFile(runDir, name, refused);
    if (file !== undefined) return file;
  }
  if (configured === undefined || configured === '') return undefined;
  const results = dirname(realRoot(runDir));
  const project = dirname(results);
  const target = isAbsolute(configured) ? configured : resolve(project, configured);
  const name = basename(target);
  const own = basename(results) === 'results' && (CONFIG_FILE_NAMES as readonly string[]).includes(name) && isPathInside(project, realRoot(dirname(target)));
  if (!own) {
    refused.push({ path: name, reason: 'config-elsewhere' });
    return undefined;
  }
  // Shown relative to the project: an absolute path of this machine does not belong in a shared report.
  const rel = relative(project, join(realRoot(dirname(target)), name));
  const contents = readConfined(project, rel, refused, EMBED_LIMIT);
  return contents === undefined ? undefined : toBundleFile(contents, rel);
}
