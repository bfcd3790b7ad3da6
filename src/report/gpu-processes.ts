/**
 * The report's "processes on the GPUs" table, from metrics.json `gpu_processes` (nvidia-smi
 * --query-compute-apps logs): one row per process per GPU, the largest users of GPU memory first.
 */
import type { TaskMetrics } from '../profile/metrics-document.js';

/** Rows shown per task; the rest are counted in `hidden` and stay in metrics.json. */
const GPU_PROCESS_ROWS_PER_TASK = 20;

export interface GpuProcessRow {
  experiment: string;
  task: string;
  /** gpu_uuid, else gpu_bus_id; null when the log names neither. */
  gpu: string | null;
  pid: number;
  processName: string | null;
  samples: number;
  peakUsedMiB: number | null;
  meanUsedMiB: number | null;
}

export interface GpuProcessTable {
  rows: GpuProcessRow[];
  /** Per task ("experiment/task"), the processes left out of `rows`. */
  hidden: { task: string; count: number }[];
  /** Per task, the pids seen on more than one GPU (one process driving several GPUs). */
  pidsOnSeveralGpus: { task: string; pids: number[] }[];
}

/** Peak memory, largest first; a process whose memory was never given ([N/A]) goes last. */
function byPeakDescending(a: GpuProcessRow, b: GpuProcessRow): number {
  return (b.peakUsedMiB ?? -1) - (a.peakUsedMiB ?? -1) || a.pid - b.pid;
}

export function buildGpuProcessTable(tasks: readonly TaskMetrics[]): GpuProcessTable {
  const table: GpuProcessTable = { rows: [], hidden: [], pidsOnSeveralGpus: [] };
  for (const t of tasks) {
    const apps = t.gpu_processes;
    if (apps === undefined) continue;
    const rows = apps.processes
      .map((p) => ({
        experiment: t.experiment,
        task: t.task,
        gpu: p.gpuUuid ?? p.gpuBusId,
        pid: p.pid,
        processName: p.processName,
        samples: p.samples,
        peakUsedMiB: p.peakUsedMiB,
        meanUsedMiB: p.meanUsedMiB,
      }))
      .sort(byPeakDescending);
    table.rows.push(...rows.slice(0, GPU_PROCESS_ROWS_PER_TASK));
    const name = `${t.experiment}/${t.task}`;
    if (rows.length > GPU_PROCESS_ROWS_PER_TASK) table.hidden.push({ task: name, count: rows.length - GPU_PROCESS_ROWS_PER_TASK });
    if (apps.pidsOnSeveralGpus.length > 0) table.pidsOnSeveralGpus.push({ task: name, pids: [...apps.pidsOnSeveralGpus] });
  }
  return table;
}
