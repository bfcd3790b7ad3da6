import { readFileSync } from 'node:fs';
import { SACCT_FIELDS } from '../../../src/slurm/sacct.js';

export function fixture(name: string): string {
  return readFileSync(new URL(`../../fixtures/slurm/${name}`, import.meta.url), 'utf8');
}

/**
 * A capture made with all of SACCT_FIELDS as a `fields: 'follow'` call would have printed it: the
 * AllocTRES and ReqTRES columns left out (sacct prints each column on its own; the paired real
 * captures sacct-full/follow-pair-real-22.05.txt show it).
 */
export function asFollowFields(fullOutput: string): string {
  const drop = new Set(['AllocTRES', 'ReqTRES'].map((name) => SACCT_FIELDS.indexOf(name as (typeof SACCT_FIELDS)[number])));
  return fullOutput
    .split('\n')
    .map((line) => {
      if (line.trim() === '') return line;
      const delimiter = line.includes('\u001f') ? '\u001f' : '|';
      return line.split(delimiter).filter((_, i) => !drop.has(i)).join(delimiter);
    })
    .join('\n');
}
