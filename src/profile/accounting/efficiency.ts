/**
 * `hpcbench efficiency`: seff's CPU and memory efficiency for any jobs, hpcbench's or not, from
 * ONE sacct call for all of them (seff runs one per job), plus GPU-hours, service units and cost
 * from the cluster's `rates:`.
 */
import type { Transport } from '../../transport/transport.js';
import { checkControllerReachable } from '../../slurm/errors.js';
import { tryParseJobId } from '../../slurm/job-id.js';
import { readSacctTable } from '../../slurm/sacct-table.js';
import { UsageError, AccountingUnavailableError, SlurmCommandError } from '../../errors.js';
import { computeCharge, type AccountingRates } from './accounting.js';
import { summariseSacctTable, type SacctJobFigures } from './sacct.js';

/** What the report needs; read by column name, so a site's extra columns do no harm. */
const EFFICIENCY_FIELDS = [
  'JobID', 'JobIDRaw', 'JobName', 'Partition', 'State', 'ExitCode', 'Elapsed', 'TotalCPU', 'NCPUS', 'NNodes', 'AllocTRES', 'ReqMem', 'MaxRSS', 'TRESUsageInTot', 'Submit', 'Start', 'End',
] as const;

const UNIT_SEPARATOR = '\u001f';

export interface JobEfficiency extends SacctJobFigures {
  cpuHours: number | null;
  gpuHours: number | null;
  serviceUnits: number | null;
  cost: number | null;
  currency: string | null;
}

export interface EfficiencyReport {
  jobs: JobEfficiency[];
  /** Ids asked for that sacct did not return (wrong id, or older than the database keeps). */
  notFound: string[];
}

/** Checks the ids before anything runs: a step (`123.batch`) or a typo is refused here. */
export function validateJobIds(ids: readonly string[]): string[] {
  if (ids.length === 0) throw new UsageError('name at least one job id', 'e.g. `hpcbench efficiency 123456 123457 --cluster sdumont`');
  for (const id of ids) {
    const parts = tryParseJobId(id);
    if (parts === undefined || parts.step !== undefined) {
      throw new UsageError(`${JSON.stringify(id)} is not a SLURM job id`, 'give job ids as sacct prints them: 123456, 123456_7 (an array task) or 123456+0');
    }
  }
  return [...new Set(ids.map((id) => id.trim()))];
}

/** One sacct call for every job: header kept (columns by name), steps kept (MaxRSS is on them). */
function buildEfficiencySacctArgs(jobIds: readonly string[]): string[] {
  return ['sacct', '--parsable2', `--delimiter=${UNIT_SEPARATOR}`, `--format=${EFFICIENCY_FIELDS.join(',')}`, `--jobs=${jobIds.join(',')}`];
}

/** GPU-hours, CPU-hours and the charge; each null when a figure it needs is unknown. */
export function chargeJob(job: SacctJobFigures, rates: AccountingRates | undefined): JobEfficiency {
  const elapsed = job.elapsedSeconds;
  const cpuHours = elapsed !== null && job.ncpus !== null ? (job.ncpus * elapsed) / 3600 : null;
  const gpuHours = elapsed !== null && job.gpus !== null ? (job.gpus * elapsed) / 3600 : null;
  let serviceUnits: number | null = null;
  let cost: number | null = null;
  if (rates !== undefined) {
    // A rate applied to an unknown figure gives an unknown charge, not a smaller one.
    const usesSu = rates.suPerGpuHour !== undefined || rates.suPerCpuHour !== undefined;
    const suKnown = usesSu && (!rates.suPerCpuHour || cpuHours !== null) && (!rates.suPerGpuHour || gpuHours !== null);
    if (suKnown) {
      const charge = computeCharge(cpuHours ?? 0, gpuHours ?? 0, rates);
      serviceUnits = charge.serviceUnits ?? null;
      cost = charge.cost ?? null;
    }
    if (cost === null && rates.costPerGpuHour !== undefined && gpuHours !== null) cost = computeCharge(0, gpuHours, { costPerGpuHour: rates.costPerGpuHour }).cost ?? null;
  }
  return { ...job, cpuHours, gpuHours, serviceUnits, cost, currency: rates?.currency ?? null };
}

export interface QueryEfficiencyOptions {
  transport: Transport;
  jobIds: readonly string[];
  rates?: AccountingRates;
  timeoutMs?: number;
}

export async function queryJobEfficiency(options: QueryEfficiencyOptions): Promise<EfficiencyReport> {
  const ids = validateJobIds(options.jobIds);
  const result = await options.transport.exec(buildEfficiencySacctArgs(ids), options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs });
  const output = { stdout: result.stdout, stderr: result.stderr, exitCode: result.code };
  const condition = checkControllerReachable(output);
  if (condition?.kind === 'accounting-disabled' || condition?.kind === 'database-unreachable') throw new AccountingUnavailableError(condition.kind, condition.message);
  if (output.exitCode !== 0) throw new SlurmCommandError('sacct', output, condition);
  const figures = output.stdout.trim() === '' ? [] : summariseSacctTable(readSacctTable(output.stdout, { file: 'sacct output' }));
  const jobs = figures.map((f) => chargeJob(f, options.rates));
  // An array job id (`123`) comes back as its tasks (`123_1`, ...), found all the same.
  const found = (id: string): boolean => jobs.some((j) => j.jobId === id || j.jobIdRaw === id || j.jobId.startsWith(`${id}_`));
  return { jobs, notFound: ids.filter((id) => !found(id)) };
}
