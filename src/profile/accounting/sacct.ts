/**
 * Per-job accounting figures from sacct output in any saved shape (see src/slurm/sacct-table.ts
 * and sacct-json.ts), computed as `seff` does:
 *   CPU efficiency    = TotalCPU in whole seconds (rounded, as seff does) / (Elapsed × NCPUS),
 *                       TotalCPU summed over the steps when the job row lacks it (or says 0
 *                       while its steps carry the usage);
 *   memory efficiency = the memory used / the memory requested: ReqMem `c` × CPUs, `n` × nodes,
 *                       and since Slurm 21.08 (no suffix) the total. The memory used is seff's:
 *                       the largest step's TRESUsageInTot `mem=` (the sum of its tasks' peaks)
 *                       when the table has that column, else the largest MaxRSS (one task's peak,
 *                       the same figure for one-task steps, less for several tasks).
 * A figure the file does not hold is null ("unknown"), never 0.
 */
import { parseSlurmDurationValue } from '../../slurm/time.js';
import type { SacctTable, SacctTableRow } from '../../slurm/sacct-table.js';

export interface SacctJobFigures {
  /** As printed (`123`, `123_4`); `row-N` or `(no JobID column)` when the file has no JobID. */
  jobId: string;
  /** The numeric id under an array task id, when known (sacct --json's job_id). */
  jobIdRaw: string | null;
  hasJobRow: boolean;
  name: string | null;
  partition: string | null;
  /** As printed: `COMPLETED`, `CANCELLED by 0`, `CANCELLED+` (cut). */
  state: string | null;
  exitCode: string | null;
  submit: string | null;
  start: string | null;
  end: string | null;
  elapsedSeconds: number | null;
  totalCpuSeconds: number | null;
  ncpus: number | null;
  /** Which field NCPUS came from: NCPUS, AllocCPUS, AllocTRES, CPUTime/Elapsed, required.CPUs. */
  ncpusFrom: string | null;
  nodes: number | null;
  gpus: number | null;
  maxRssBytes: number | null;
  /**
   * seff's "Memory Utilized": the largest step's TRESUsageInTot `mem=`, the sum of the peaks of
   * its tasks (seff reads tres_usage_in_tot). Absent or null when the table has no such column;
   * the efficiency then uses maxRssBytes.
   */
  memoryUsedBytes?: number | null;
  /** ReqMem as printed (`16G`, `100Mc`, `10000Mn`); JSON: `memory_per_cpu=3840`. */
  reqMem: string | null;
  reqMemBytes: number | null;
  /** AllocTRES `mem=`: the memory the job was given, which newer seff divides by when ReqMem is not there. */
  allocMemBytes: number | null;
  cpuEfficiency: number | null;
  memoryEfficiency: number | null;
  /** Step ids as printed (`123.batch`, `123.ba+`). */
  steps: string[];
}

const POW: Readonly<Record<string, number>> = { K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4, P: 1024 ** 5 };

/** Seconds for `1-22:57:04`, `05:53.557`, `00:00.004`; null when empty or not a duration. */
export function readSacctSeconds(text: string | undefined): number | null {
  if (text === undefined || text.trim() === '') return null;
  const value = parseSlurmDurationValue(text);
  return value?.kind === 'seconds' ? value.seconds : null;
}

/** Bytes for a MaxRSS (`12573272K`, `488.50M`, `0`); a bare number is bytes, as sacct prints it. */
function readSacctBytes(text: string | undefined): number | null {
  const match = /^(\d+(?:\.\d+)?)([KMGTP]?)$/i.exec(text?.trim() ?? '');
  if (match?.[1] === undefined) return null;
  const unit = (match[2] ?? '').toUpperCase();
  return Number(match[1]) * (unit === '' ? 1 : (POW[unit] ?? 1));
}

/** ReqMem → bytes for the whole job, or null when the multiplier it needs is unknown. */
function readRequestedMemoryBytes(text: string | undefined, cpus: number | null, nodes: number | null): number | null {
  const match = /^(\d+(?:\.\d+)?)([KMGTP]?)([cn]?)$/i.exec(text?.trim() ?? '');
  if (match?.[1] === undefined) return null;
  // A bare ReqMem is MiB, SLURM's unit for memory requests.
  const bytes = Number(match[1]) * (POW[(match[2] || 'M').toUpperCase()] ?? POW.M ?? 0);
  const per = (match[3] ?? '').toLowerCase();
  if (per === 'c') return cpus === null ? null : bytes * cpus;
  // seff assumes one node when the count is not there; so do we (nau's file has no node column).
  if (per === 'n') return bytes * (nodes ?? 1);
  return bytes;
}

function readInt(text: string | undefined): number | null {
  return text !== undefined && /^\d+$/.test(text.trim()) ? Number(text.trim()) : null;
}

function tresCount(tres: string | undefined, key: string): number | null {
  if (tres === undefined) return null;
  for (const part of tres.split(',')) {
    const [k, v] = part.split('=');
    if (k?.trim() === key && v !== undefined && /^\d+$/.test(v.trim())) return Number(v.trim());
  }
  return null;
}

/** A TRES size (`mem=64G`) in bytes; a bare number is MiB, as SLURM counts memory. */
function tresBytes(tres: string | undefined, key: string): number | null {
  for (const part of tres?.split(',') ?? []) {
    const [k, v] = part.split('=');
    if (k?.trim() === key && v !== undefined) return readRequestedMemoryBytes(v.trim().replace(/[cn]$/i, ''), null, null);
  }
  return null;
}

/** `gres/gpu:a100=2,gres/gpu:v100=1` → 3, for sites whose AllocTRES lists typed GPUs only. */
function sumTypedGpus(tres: string | undefined): number | null {
  const counts = (tres?.split(',') ?? []).map((p) => /^gres\/gpu:[^=]+=(\d+)$/.exec(p.trim())?.[1]).filter((v): v is string => v !== undefined);
  return counts.length === 0 ? null : counts.reduce((a, b) => a + Number(b), 0);
}

interface JobRows {
  jobId: string;
  job: SacctTableRow | undefined;
  steps: SacctTableRow[];
}

/** `123.ba+` → `123`; `123_4.batch` → `123_4`. */
function baseJobId(id: string): { base: string; step: boolean } {
  const dot = id.indexOf('.');
  return dot < 0 ? { base: id.replace(/\+$/, ''), step: false } : { base: id.slice(0, dot), step: true };
}

/**
 * Without a JobID column, rows are one job and its steps when they look like `sacct -j ID`
 * (the first row, the allocation, has no MaxRSS and every later row has one); otherwise each row
 * is a job of its own.
 */
function groupRows(table: SacctTable): JobRows[] {
  if (table.columns.includes('JobID')) {
    const jobs = new Map<string, JobRows>();
    for (const row of table.rows) {
      const { base, step } = baseJobId(row.values.JobID ?? '');
      let entry = jobs.get(base);
      if (entry === undefined) {
        entry = { jobId: base, job: undefined, steps: [] };
        jobs.set(base, entry);
      }
      if (step) entry.steps.push(row);
      else entry.job = row;
    }
    return [...jobs.values()];
  }
  const [head, ...rest] = table.rows;
  const oneJob =
    head !== undefined && rest.length > 0 && table.columns.includes('MaxRSS') && (head.values.MaxRSS ?? '') === '' && rest.every((r) => (r.values.MaxRSS ?? '') !== '');
  if (oneJob) return [{ jobId: '(no JobID column)', job: head, steps: rest }];
  return table.rows.map((row, i) => ({ jobId: `row-${i + 1}`, job: row, steps: [] }));
}

function pickNcpus(col: (name: string) => string | undefined, elapsed: number | null): { ncpus: number | null; from: string | null } {
  for (const name of ['NCPUS', 'AllocCPUS']) {
    const n = readInt(col(name));
    if (n !== null) return { ncpus: n, from: name };
  }
  const tres = tresCount(col('AllocTRES'), 'cpu');
  if (tres !== null) return { ncpus: tres, from: 'AllocTRES' };
  // CPUTime is Elapsed × NCPUS, so a table without NCPUS still gives it (UZH's layout).
  const cpuTime = readSacctSeconds(col('CPUTime')) ?? readInt(col('CPUTimeRAW'));
  if (cpuTime !== null && elapsed !== null && elapsed > 0) return { ncpus: Math.round(cpuTime / elapsed), from: 'CPUTime/Elapsed' };
  return { ncpus: null, from: null };
}

function sumStepCpu(steps: readonly SacctTableRow[]): number | null {
  const values = steps.map((s) => readSacctSeconds(s.values.TotalCPU)).filter((v): v is number => v !== null);
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0);
}

function text(value: string | undefined): string | null {
  return value === undefined || value.trim() === '' ? null : value.trim();
}

/**
 * seff's CPU efficiency: whole CPU seconds (its steps' seconds, plus their microseconds rounded)
 * over Elapsed × NCPUS. 5.011 s of 42 is 11.90 %, and 0.126 s is 0 % (seff 22.05.8 on this
 * project's test cluster). Null where an input is unknown or the denominator is zero.
 */
export function cpuEfficiencyOf(totalCpuSeconds: number | null, elapsedSeconds: number | null, ncpus: number | null): number | null {
  if (totalCpuSeconds === null || elapsedSeconds === null || ncpus === null || elapsedSeconds <= 0 || ncpus <= 0) return null;
  return Math.floor(totalCpuSeconds + 0.5) / (elapsedSeconds * ncpus);
}

/** The efficiency ratios from the figures, null where an input is unknown or zero. */
export function computeEfficiencies(
  f: Pick<SacctJobFigures, 'totalCpuSeconds' | 'elapsedSeconds' | 'ncpus' | 'maxRssBytes' | 'reqMemBytes'> & { allocMemBytes?: number | null; memoryUsedBytes?: number | null },
): {
  cpuEfficiency: number | null;
  memoryEfficiency: number | null;
} {
  const cpu = cpuEfficiencyOf(f.totalCpuSeconds, f.elapsedSeconds, f.ncpus);
  const requested = f.reqMemBytes ?? f.allocMemBytes ?? null;
  const used = f.memoryUsedBytes ?? f.maxRssBytes;
  const mem = used !== null && requested !== null && requested > 0 ? used / requested : null;
  return { cpuEfficiency: cpu, memoryEfficiency: mem };
}

function figuresOf(group: JobRows, columns: readonly string[], allocationsOnly: boolean): SacctJobFigures {
  const job = group.job;
  const col = (name: string): string | undefined => (job !== undefined && columns.includes(name) ? job.values[name] : undefined);
  const elapsed = readSacctSeconds(col('Elapsed')) ?? readInt(col('ElapsedRaw'));
  const { ncpus, from } = pickNcpus(col, elapsed);
  let totalCpu = readSacctSeconds(col('TotalCPU'));
  if (job !== undefined) {
    // seff sums the steps when the allocation row has no usage of its own.
    const steps = sumStepCpu(group.steps);
    if (steps !== null && (totalCpu === null || (totalCpu === 0 && steps > 0))) totalCpu = steps;
    // `sacct -X` loads no steps and prints TotalCPU 00:00:00 on every job row, whatever the job
    // used (seen on Slurm 22.05: 00:00:00 with -X, 00:03.562 without). A 0 with no step row
    // anywhere in the table is that artefact: unknown, not a CPU efficiency of 0.
    if (allocationsOnly && totalCpu === 0) totalCpu = null;
  }
  const nodes = readInt(col('NNodes')) ?? readInt(col('AllocNodes')) ?? readInt(col('ReqNodes')) ?? tresCount(col('AllocTRES'), 'node');
  const rss = columns.includes('MaxRSS')
    ? [job, ...group.steps].map((r) => (r === undefined ? null : readSacctBytes(r.values.MaxRSS))).filter((v): v is number => v !== null)
    : [];
  const reqMem = text(col('ReqMem'));
  const used = columns.includes('TRESUsageInTot')
    ? [job, ...group.steps].map((r) => (r === undefined ? null : tresBytes(r.values.TRESUsageInTot, 'mem'))).filter((v): v is number => v !== null)
    : [];
  const gres = tresCount(col('AllocTRES'), 'gres/gpu') ?? sumTypedGpus(col('AllocTRES'));
  const figures: SacctJobFigures = {
    jobId: group.jobId,
    jobIdRaw: text(col('JobIDRaw')),
    hasJobRow: job !== undefined,
    name: text(col('JobName')),
    partition: text(col('Partition')),
    state: text(col('State')),
    exitCode: text(col('ExitCode')),
    submit: text(col('Submit')),
    start: text(col('Start')),
    end: text(col('End')),
    elapsedSeconds: elapsed,
    totalCpuSeconds: totalCpu,
    ncpus,
    ncpusFrom: from,
    nodes,
    // An AllocTRES without gres/gpu is a job without GPUs; no AllocTRES column says nothing.
    gpus: gres ?? (text(col('AllocTRES')) !== null ? 0 : null),
    maxRssBytes: rss.length === 0 ? null : Math.max(...rss),
    memoryUsedBytes: used.length === 0 ? null : Math.max(...used),
    reqMem,
    reqMemBytes: readRequestedMemoryBytes(reqMem ?? undefined, ncpus ?? readInt(col('ReqCPUS')), nodes),
    allocMemBytes: tresBytes(col('AllocTRES'), 'mem'),
    cpuEfficiency: null,
    memoryEfficiency: null,
    steps: group.steps.map((s) => s.values.JobID ?? ''),
  };
  return { ...figures, ...computeEfficiencies(figures) };
}

/** One entry per job in the table, in file order. */
export function summariseSacctTable(table: SacctTable): SacctJobFigures[] {
  const groups = groupRows(table);
  const allocationsOnly = groups.length > 0 && groups.every((g) => g.job !== undefined && g.steps.length === 0);
  return groups.map((g) => figuresOf(g, table.columns, allocationsOnly));
}
