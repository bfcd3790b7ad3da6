/**
 * SLURM memory sizes and TRES strings. SLURM's units are powers of 1024 and a bare number is
 * MiB (sbatch --mem=4000 is 4000 MiB); everything here is returned in MiB.
 */
import { SlurmFormatError } from '../errors.js';

const UNIT_MIB: Readonly<Record<string, number>> = {
  K: 1 / 1024,
  M: 1,
  G: 1024,
  T: 1024 * 1024,
  P: 1024 * 1024 * 1024,
};

const MEMORY = /^(\d+(?:\.\d+)?)\s*([KMGTP])?(?:i?B)?$/i;
const EXPECTED = 'a size such as 512M, 64G or 1T (a bare number is MiB)';

/** MiB for `64G`, `4000M`, `4000`, `123456K`, `1.50G`; undefined when it is not a size. */
export function tryParseSlurmMemory(text: string): number | undefined {
  const match = MEMORY.exec(text.trim());
  if (!match?.[1]) return undefined;
  const unit = (match[2] ?? 'M').toUpperCase();
  const factor = UNIT_MIB[unit];
  return factor === undefined ? undefined : Number(match[1]) * factor;
}

/** MiB for a SLURM memory size; throws SlurmFormatError (turned into a ConfigIssue by config code). */
export function parseSlurmMemory(text: string): number {
  const mib = tryParseSlurmMemory(text);
  if (mib === undefined) throw new SlurmFormatError('memory', text, EXPECTED);
  return mib;
}

/**
 * Formats MiB for sbatch --mem: whole TiB or GiB when exact, otherwise whole MiB rounded up
 * (asking for less than computed would get the job killed).
 */
export function formatSlurmMemory(mib: number): string {
  if (!Number.isFinite(mib) || mib < 0) {
    throw new SlurmFormatError('memory in MiB', String(mib), 'a finite number ≥ 0');
  }
  const whole = Math.ceil(mib);
  if (whole > 0 && whole % (1024 * 1024) === 0) return `${whole / (1024 * 1024)}T`;
  if (whole > 0 && whole % 1024 === 0) return `${whole / 1024}G`;
  return `${whole}M`;
}

/** ReqMem as sacct prints it: `4000M`, `16G`, or before 21.08 `4000Mn` (per node) / `2000Mc` (per CPU). */
export interface RequestedMemory {
  mib: number;
  per: 'node' | 'cpu' | 'job';
}

export function parseRequestedMemory(text: string): RequestedMemory | undefined {
  const t = text.trim();
  if (t === '' || t === '0') return undefined;
  const suffix = /^(.*?[KMGTP]?)([nc])$/i.exec(t);
  if (suffix?.[1] !== undefined && suffix[2] !== undefined) {
    const mib = tryParseSlurmMemory(suffix[1]);
    if (mib === undefined) return undefined;
    return { mib, per: suffix[2].toLowerCase() === 'c' ? 'cpu' : 'node' };
  }
  const mib = tryParseSlurmMemory(t);
  // Since 21.08 sacct prints the job's total request without a suffix.
  return mib === undefined ? undefined : { mib, per: 'job' };
}

/** A TRES string: `cpu=4,mem=8G,node=1,billing=4,gres/gpu=1,gres/gpu:a100=1`. */
export interface Tres {
  cpus?: number;
  memMiB?: number;
  nodes?: number;
  billing?: number;
  /** Sum of untyped GPU counts (`gres/gpu`); typed entries are in `gres`. */
  gpus?: number;
  /** Every `gres/...` entry by name, e.g. `{ gpu: 1, 'gpu:a100': 1 }`. */
  gres: Record<string, number>;
  /** Everything else, as text (`energy`, `fs/disk`, licenses). */
  other: Record<string, string>;
}

export function parseTres(text: string): Tres {
  const tres: Tres = { gres: {}, other: {} };
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    const count = Number(value);
    if (key === 'cpu' && Number.isFinite(count)) tres.cpus = count;
    else if (key === 'node' && Number.isFinite(count)) tres.nodes = count;
    else if (key === 'billing' && Number.isFinite(count)) tres.billing = count;
    else if (key === 'mem') {
      const mib = tryParseSlurmMemory(value);
      if (mib === undefined) tres.other[key] = value;
      else tres.memMiB = mib;
    } else if (key.startsWith('gres/') && Number.isFinite(count)) {
      const name = key.slice('gres/'.length);
      tres.gres[name] = count;
      if (name === 'gpu') tres.gpus = count;
    } else tres.other[key] = value;
  }
  return tres;
}
