/**
 * Names a server returns are data, not paths. Before `fetch` turns a remote name into a local
 * path it checks the name on its own (one path component, nothing a file system would read as a
 * separator or a step up), then the whole path (it must resolve under the run's out/), then
 * every directory on the way (an existing one must be a real directory, never a link that would
 * carry the write elsewhere).
 */
import { DownloadRefusedError } from '../errors.js';
import { lstat, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isPathInside } from '../path-inside.js';
import { describeLocalKind } from '../transport/resume.js';

/** Why a remote name cannot become a local path component; undefined when it can. */
export function checkRemoteName(name: string): string | undefined {
  if (name === '') return 'it is empty';
  if (name === '.' || name === '..') return `"${name}" would step out of its directory`;
  if (name.includes('/')) return 'it contains "/"';
  if (name.includes('\\')) return 'it contains "\\" (a separator on Windows)';
  if (name.includes('\0')) return 'it contains a NUL byte';
  return undefined;
}

/**
 * A remote name as shown in messages: quoted and escaped, so a name holding a newline, a NUL or
 * a terminal escape cannot forge or garble the lines around it.
 */
export function showName(name: string): string {
  return JSON.stringify(name).replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * The local path for `parts` under `base`; refuses one that resolves outside it (the names were
 * checked one by one already: this holds even if a check above is ever loosened).
 */
export function confineLocalPath(base: string, parts: readonly string[]): string {
  const root = resolve(base);
  const target = resolve(root, ...parts);
  if (target === root || !isPathInside(root, target)) {
    throw new DownloadRefusedError('unsafe-local-path', `${target} is not inside ${root}; refusing to write it`);
  }
  return target;
}

/**
 * Creates the directories `parts` below `base` one at a time (not `mkdir -p`, which follows
 * links): each that exists must be a directory and not a symbolic link. `base` itself (the run
 * directory) is the registry's business and is taken as it is.
 */
export async function prepareLocalDirectory(base: string, parts: readonly string[]): Promise<string> {
  let current = resolve(base);
  for (const part of parts) {
    current = join(current, part);
    let kind: string | undefined;
    try {
      const s = await lstat(current);
      if (s.isDirectory()) continue;
      kind = describeLocalKind(s);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (kind !== undefined) {
      throw new DownloadRefusedError('unsafe-local-path', `${current} is ${kind}, where fetch needs a directory; nothing is written through it`, {
        hint: 'remove it (it was not made by hpcbench) and fetch again',
      });
    }
    try {
      await mkdir(current);
    } catch (error) {
      // Another fetch may have made it meanwhile; the next lstat round decides.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const s = await lstat(current);
      if (!s.isDirectory()) throw new DownloadRefusedError('unsafe-local-path', `${current} is ${describeLocalKind(s)}, where fetch needs a directory`);
    }
  }
  return current;
}
