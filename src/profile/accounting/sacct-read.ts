/**
 * One entry point for sacct output saved in any shape: `--json`, `-P`/`-p` with a header, the
 * default fixed-width table, or headerless output with its field list. hpcbench's own headerless
 * 26-field layout (status/watch/fetch write it to sacct.txt) is still read by parseSacct.
 */
import { parseJobState } from '../../slurm/job-state.js';
import { parseExitStatus } from '../../slurm/job-record.js';
import { parseSacct, SACCT_FIELDS, type SacctJob } from '../../slurm/sacct.js';
import { looksLikeSacctTable, readSacctTable } from '../../slurm/sacct-table.js';
import { looksLikeSacctJson, readSacctJson } from './sacct-json.js';
import { summariseSacctTable, type SacctJobFigures } from './sacct.js';
import { looksLikeSeff, readSeff } from './seff.js';

export interface ReadSacctOptions {
  file?: string;
  /** The --format list of headerless output (`JobID,JobName%12,...`). */
  fields?: string;
}

/** hpcbench's own sacct.txt: no header, the unit separator or exactly SACCT_FIELDS.length `|` fields. */
function isHpcbenchSacctLayout(text: string): boolean {
  const first = text.split('\n').find((l) => l.trim() !== '') ?? '';
  if (first.includes('\u001f')) return !looksLikeSacctTable(first);
  const cells = first.split('|');
  // A user's own 26-field `-P -n` capture in another order must not be read by position.
  return cells.length === SACCT_FIELDS.length && /^\d/.test(first) && /^\d+$/.test(cells[1] ?? '') && /^[A-Z_]+/.test(cells[4] ?? '');
}

/** True when the content is sacct output in any shape readSacctFigures reads (or a seff report). */
export function looksLikeSacctOutput(text: string): boolean {
  return looksLikeSacctJson(text) || looksLikeSacctTable(text) || looksLikeSeff(text);
}

export function readSacctFigures(text: string, options: ReadSacctOptions = {}): SacctJobFigures[] {
  if (looksLikeSacctJson(text)) return readSacctJson(text, options.file);
  if (looksLikeSeff(text)) return readSeff(text, options.file);
  return summariseSacctTable(readSacctTable(text, options));
}

/**
 * Figures to the SacctJob the run profiler keys tasks by. Unknown figures stay undefined, so the
 * accounting section leaves them out instead of printing 0.
 */
function toSacctJob(f: SacctJobFigures): SacctJob {
  const job: SacctJob = { jobId: f.jobId, name: f.name ?? '', state: parseJobState(f.state ?? 'UNKNOWN'), source: 'sacct', steps: [] };
  const mib = 1024 * 1024;
  if (f.partition !== null) job.partition = f.partition;
  const exit = parseExitStatus(f.exitCode ?? undefined);
  if (exit) job.exitCode = exit;
  if (f.elapsedSeconds !== null) job.elapsedSeconds = f.elapsedSeconds;
  if (f.totalCpuSeconds !== null) job.totalCpuSeconds = f.totalCpuSeconds;
  if (f.ncpus !== null) job.cpus = f.ncpus;
  if (f.nodes !== null) job.nodeCount = f.nodes;
  if (f.maxRssBytes !== null) job.maxRssMiB = f.maxRssBytes / mib;
  // The whole request in one figure: the c/n multiplication is already done.
  if (f.reqMemBytes !== null) job.reqMem = { mib: f.reqMemBytes / mib, per: 'job' };
  if (f.gpus !== null) job.allocTres = { gpus: f.gpus, gres: {}, other: {} };
  if (f.submit !== null) job.submitTime = f.submit;
  if (f.start !== null) job.startTime = f.start;
  if (f.end !== null) job.endTime = f.end;
  return job;
}

/** sacct.txt of a run directory or a loose sacct file, in any shape, as SacctJobs. */
export function readSacctJobs(text: string, options: ReadSacctOptions = {}): SacctJob[] {
  // fetch saves sacct's answer as is: nothing recorded yet is an empty file, not a bad one.
  if (text.trim() === '') return [];
  if (isHpcbenchSacctLayout(text) && options.fields === undefined) return parseSacct(text);
  return readSacctFigures(text, options).map(toSacctJob);
}
