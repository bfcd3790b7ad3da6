/**
 * Whether a resolved path lies inside a directory (or is it): the one containment check for
 * everything hpcbench confines to a run (fetched files, embedded report files). Lexical: callers
 * resolve links first where links matter.
 */
import { isAbsolute, relative, sep } from 'node:path';

export function isPathInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!isAbsolute(rel) && rel.split(sep)[0] !== '..');
}
