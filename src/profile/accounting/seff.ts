/**
 * seff's report (`seff JOBID`, saved to a file; several reports may follow each other) read into
 * the same per-job figures as sacct output, so `hpcbench profile seff.txt` works. The figures are
 * seff's rounded ones (memory to two decimals of its unit), so efficiencies recomputed from them
 * agree with what seff printed to its two decimals.
 */
import { InputError } from '../../errors.js';
import { computeEfficiencies, readSacctSeconds, type SacctJobFigures } from './sacct.js';

const UNIT: Readonly<Record<string, number>> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4, PB: 1024 ** 5, EB: 1024 ** 6 };

/** True when the text starts like a seff report. */
export function looksLikeSeff(text: string): boolean {
  const head = text.replace(/^\uFEFF/, '').trimStart().slice(0, 4096);
  return /^Job ID: \d+/.test(head) && /\n(CPU Efficiency|State|Cores)/.test(head);
}

function bytesOf(text: string | undefined): number | null {
  const match = /^(\d+(?:\.\d+)?)\s*([KMGTPE]?B)\b/.exec(text?.trim() ?? '');
  if (match?.[1] === undefined || match[2] === undefined) return null;
  const unit = UNIT[match[2]];
  return unit === undefined ? null : Number(match[1]) * unit;
}

function readReport(lines: readonly { key: string; value: string }[]): SacctJobFigures {
  const get = (key: string): string | undefined => lines.find((l) => l.key === key)?.value;
  const rawId = get('Job ID') ?? '?';
  const arrayId = get('Array Job ID');
  const stateText = get('State') ?? '';
  const state = /^(.*?)(?:\s+\(exit code (\d+)\))?$/.exec(stateText);
  const cores = Number(get('Cores') ?? NaN);
  const nodes = get('Nodes') === undefined ? (Number.isFinite(cores) ? 1 : null) : Number(get('Nodes'));
  const perNode = Number(get('Cores per node') ?? NaN);
  const ncpus = Number.isFinite(cores) ? cores : Number.isFinite(perNode) && nodes !== null ? perNode * nodes : null;
  const memEff = /of\s+(\S+\s*[KMGTPE]?B)/.exec(get('Memory Efficiency') ?? '');
  const figures: SacctJobFigures = {
    jobId: arrayId ?? rawId,
    jobIdRaw: arrayId === undefined ? null : rawId,
    hasJobRow: true,
    name: null,
    partition: null,
    state: state?.[1] === undefined || state[1] === '' ? null : state[1],
    // seff prints the exit status only; the signal is not known, so no "code:signal" is made up.
    exitCode: null,
    submit: null,
    start: null,
    end: null,
    elapsedSeconds: readSacctSeconds(get('Job Wall-clock time')),
    totalCpuSeconds: readSacctSeconds(get('CPU Utilized')),
    ncpus,
    ncpusFrom: ncpus === null ? null : 'seff cores',
    nodes,
    gpus: null,
    maxRssBytes: bytesOf(get('Memory Utilized')),
    reqMem: memEff?.[1] ?? null,
    reqMemBytes: bytesOf(memEff?.[1]),
    allocMemBytes: null,
    cpuEfficiency: null,
    memoryEfficiency: null,
    steps: [],
  };
  return { ...figures, ...computeEfficiencies(figures) };
}

export function readSeff(text: string, file?: string): SacctJobFigures[] {
  const reports: { key: string; value: string }[][] = [];
  for (const raw of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    const at = raw.indexOf(':');
    if (at <= 0) continue;
    const key = raw.slice(0, at).trim();
    if (key === 'Job ID') reports.push([]);
    reports[reports.length - 1]?.push({ key, value: raw.slice(at + 1).trim() });
  }
  if (reports.length === 0) throw new InputError('expected a seff report starting with "Job ID:"', { file, hint: 'save the output of `seff JOBID`' });
  return reports.map(readReport);
}
