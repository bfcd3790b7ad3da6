/**
 * seff's report layout for each job (so people can compare line by line with what seff prints),
 * followed by GPU-hours, service units and cost. Unknown figures print as "unknown".
 */
import type { EfficiencyReport, JobEfficiency } from './efficiency.js';

const UNKNOWN = 'unknown';

/** seff's time format: `HH:MM:SS`, with `D-` in front from one day on. */
function formatSeffDuration(seconds: number): string {
  const whole = Math.round(seconds);
  const days = Math.floor(whole / 86_400);
  const rest = whole % 86_400;
  const pad = (n: number): string => String(n).padStart(2, '0');
  const hms = `${pad(Math.floor(rest / 3600))}:${pad(Math.floor((rest % 3600) / 60))}:${pad(rest % 60)}`;
  return days > 0 ? `${days}-${hms}` : hms;
}

/** seff's memory format: 1024-based, two decimals, KB to EB (and `0.00 MB` for nothing, as seff prints it). */
function formatSeffMemory(bytes: number): string {
  if (bytes === 0) return '0.00 MB';
  const units = ['KB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(2)} ${units[unit] ?? 'KB'}`;
}

function percent(ratio: number | null): string {
  return ratio === null ? UNKNOWN : `${(ratio * 100).toFixed(2)}%`;
}

function exitCodeOf(text: string | null): string {
  const code = text?.split(':')[0];
  return code === undefined || code === '' ? UNKNOWN : code;
}

function number(value: number | null, digits: number): string {
  return value === null ? UNKNOWN : value.toFixed(digits);
}

function formatJobEfficiency(job: JobEfficiency): string[] {
  const coreWall = job.elapsedSeconds !== null && job.ncpus !== null ? job.elapsedSeconds * job.ncpus : null;
  // seff gives no exit code while the job is pending or running.
  const live = job.state === 'PENDING' || job.state === 'RUNNING';
  const lines = [
    `Job ID: ${job.jobId}${job.jobIdRaw !== null && job.jobIdRaw !== job.jobId ? ` (raw ${job.jobIdRaw})` : ''}`,
    `State: ${job.state ?? UNKNOWN}${job.exitCode !== null && !live ? ` (exit code ${exitCodeOf(job.exitCode)})` : ''}`,
  ];
  // As seff: one line for a one-core job, nodes and cores per node otherwise.
  if (job.ncpus === 1 || job.ncpus === null) lines.push(`Cores: ${job.ncpus ?? UNKNOWN}`);
  else lines.push(`Nodes: ${job.nodes ?? UNKNOWN}`, `Cores per node: ${job.nodes === null || job.nodes === 0 ? UNKNOWN : Math.trunc(job.ncpus / job.nodes)}`);
  const requested = job.reqMemBytes ?? job.allocMemBytes;
  const used = job.memoryUsedBytes ?? job.maxRssBytes;
  const perCore = /c$/i.test(job.reqMem ?? '') || (job.reqMem ?? '').startsWith('memory_per_cpu');
  const share = requested === null ? '' : perCore ? (job.ncpus ? ` (${formatSeffMemory(requested / job.ncpus)}/core)` : '') : job.nodes ? ` (${formatSeffMemory(requested / job.nodes)}/node)` : '';
  if (job.state === 'PENDING') {
    lines.push('Efficiency not available for jobs in the PENDING state.');
    return lines;
  }
  lines.push(
    `CPU Utilized: ${job.totalCpuSeconds === null ? UNKNOWN : formatSeffDuration(job.totalCpuSeconds)}`,
    `CPU Efficiency: ${percent(job.cpuEfficiency)} of ${coreWall === null ? UNKNOWN : formatSeffDuration(coreWall)} core-walltime`,
    `Job Wall-clock time: ${job.elapsedSeconds === null ? UNKNOWN : formatSeffDuration(job.elapsedSeconds)}`,
    `Memory Utilized: ${used === null ? UNKNOWN : formatSeffMemory(used)}`,
    `Memory Efficiency: ${percent(job.memoryEfficiency)} of ${requested === null ? UNKNOWN : formatSeffMemory(requested)}${share}`,
    `GPUs: ${job.gpus ?? UNKNOWN}, GPU-hours: ${number(job.gpuHours, 3)}, CPU-hours: ${number(job.cpuHours, 3)}`,
  );
  if (job.serviceUnits !== null || job.cost !== null) {
    const cost = job.cost === null ? '' : `, cost: ${job.cost.toFixed(2)}${job.currency === null ? '' : ` ${job.currency}`}`;
    lines.push(`Service units: ${number(job.serviceUnits, 2)}${cost}`);
  }
  if (job.state === 'RUNNING') lines.push('WARNING: Efficiency statistics can only be obtained after the job has ended as seff tool is based on the accounting database data.');
  return lines;
}

/** Every job's block, then totals when there is more than one job. */
export function formatEfficiencyReport(report: EfficiencyReport): string {
  const blocks = report.jobs.map((j) => formatJobEfficiency(j).join('\n'));
  if (report.jobs.length > 1) {
    const sum = (pick: (j: JobEfficiency) => number | null): number | null => {
      const values = report.jobs.map(pick);
      return values.some((v) => v === null) ? null : values.reduce<number>((a, b) => a + (b ?? 0), 0);
    };
    const currency = report.jobs[0]?.currency ?? null;
    const totals = [`Total over ${report.jobs.length} jobs: GPU-hours ${number(sum((j) => j.gpuHours), 3)}, CPU-hours ${number(sum((j) => j.cpuHours), 3)}`];
    const su = sum((j) => j.serviceUnits);
    const cost = sum((j) => j.cost);
    if (su !== null || cost !== null) totals.push(`service units ${number(su, 2)}${cost === null ? '' : `, cost ${cost.toFixed(2)}${currency === null ? '' : ` ${currency}`}`}`);
    blocks.push(totals.join(', '));
  }
  return blocks.join('\n\n');
}

/** The --json form: snake_case, nulls for unknown figures, as metrics.json writes them. */
export function toEfficiencyJson(report: EfficiencyReport, cluster: string): unknown {
  return {
    cluster,
    jobs: report.jobs.map((j) => ({
      job_id: j.jobId,
      job_id_raw: j.jobIdRaw,
      name: j.name,
      partition: j.partition,
      state: j.state,
      exit_code: j.exitCode,
      elapsed_s: j.elapsedSeconds,
      total_cpu_s: j.totalCpuSeconds,
      ncpus: j.ncpus,
      nodes: j.nodes,
      gpus: j.gpus,
      max_rss_bytes: j.maxRssBytes,
      // seff's "Memory Utilized" (the steps' TRESUsageInTot); null when sacct did not give it.
      memory_used_bytes: j.memoryUsedBytes ?? null,
      req_mem: j.reqMem,
      req_mem_bytes: j.reqMemBytes,
      alloc_mem_bytes: j.allocMemBytes,
      cpu_efficiency: j.cpuEfficiency,
      memory_efficiency: j.memoryEfficiency,
      cpu_hours: j.cpuHours,
      gpu_hours: j.gpuHours,
      service_units: j.serviceUnits,
      cost: j.cost,
      currency: j.currency,
      steps: j.steps,
    })),
    not_found: report.notFound,
  };
}
