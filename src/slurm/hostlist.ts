/**
 * SLURM host lists: `node[01-03,07],gpu5` ↔ names. Needed to merge nodes to exclude across
 * retries; sbatch itself accepts either form.
 */
import { InputError } from '../errors.js';

/** Splits at top-level commas (commas inside brackets belong to a range). */
function splitTopLevel(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '[') depth++;
    if (ch === ']') depth--;
    if (ch === ',' && depth === 0) {
      out.push(current);
      current = '';
    } else current += ch;
  }
  out.push(current);
  return out.map((s) => s.trim()).filter((s) => s !== '');
}

/** Expands one bracket group at a time, so `r[1-2]n[1-2]` gives four names. */
function expandOne(pattern: string, limit: number): string[] {
  const open = pattern.indexOf('[');
  if (open < 0) return [pattern];
  const close = pattern.indexOf(']', open);
  if (close < 0) throw new InputError(`host list ${JSON.stringify(pattern)} has an unclosed "["`);
  const head = pattern.slice(0, open);
  const tail = pattern.slice(close + 1);
  const names: string[] = [];
  for (const piece of pattern.slice(open + 1, close).split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(piece.trim());
    if (!m?.[1]) throw new InputError(`host list range ${JSON.stringify(piece)} is not N or N-M`);
    const width = m[1].length;
    const start = Number(m[1]);
    const end = m[2] === undefined ? start : Number(m[2]);
    if (end < start) throw new InputError(`host list range ${JSON.stringify(piece)} ends before it starts`);
    for (let i = start; i <= end; i++) {
      for (const rest of expandOne(tail, limit)) {
        names.push(`${head}${String(i).padStart(width, '0')}${rest}`);
        if (names.length > limit) throw new InputError(`host list ${JSON.stringify(pattern)} expands to more than ${limit} names`);
      }
    }
  }
  return names;
}

export function expandHostList(text: string, limit = 100_000): string[] {
  if (text.trim() === '' || text.trim() === '(null)' || text.trim() === 'None assigned') return [];
  const names = new Set<string>();
  for (const part of splitTopLevel(text)) {
    for (const name of expandOne(part, limit)) names.add(name);
  }
  return [...names];
}
