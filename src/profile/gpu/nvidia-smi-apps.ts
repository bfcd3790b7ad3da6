import { InputError } from '../../errors.js';
import { addProfileWarning, type ProfileWarning, type WarningSink } from '../../report/i18n/profile-warnings.js';
import { RejectedLines, scanLines, unrecognisedFileError } from '../lines.js';
import { INVALID_FIELD_LINE, parseFieldName, parseHeaderLine, type QueryField } from './nvidia-smi-fields.js';
import { APPS_ROW, refuseUtf16 } from './log-sniff.js';
import { parseUserTimestamp } from './timestamps.js';
import { cell, CellStatus, formatQueryTimestamp, parseNumberCell, parseQueryTimestamp } from './nvidia-smi-values.js';
import { MAX_GPUS_PER_FILE, tooManyGpusError } from './log-accumulator.js';

/** (GPU, process) pairs kept per summary: far more than a job starts, and a bound on memory. */
const MAX_COMPUTE_APPS = 100_000;

/** Default field list of a headerless `--query-compute-apps` log written by hpcbench's templates. */
const DEFAULT_COMPUTE_APPS_FIELDS = ['timestamp', 'gpu_uuid', 'gpu_bus_id', 'pid', 'process_name', 'used_memory'] as const;

const SHAPED_APPS_FIELDS = ['pid', 'process_name', 'gpu_uuid', 'used_memory'] as const;

const APP_FIELDS = new Set(['timestamp', 'gpu_uuid', 'gpu_bus_id', 'gpu_name', 'gpu_serial', 'pid', 'process_name', 'name', 'used_memory', 'used_gpu_memory']);

/** One process on one GPU, over every sample it appeared in. */
export interface ComputeAppUsage {
  pid: number;
  processName: string | null;
  gpuUuid: string | null;
  gpuBusId: string | null;
  samples: number;
  /** Peak and mean used GPU memory over samples with a value; null if always [N/A]. */
  peakUsedMiB: number | null;
  meanUsedMiB: number | null;
  firstSeen: string | null;
  lastSeen: string | null;
}

/** The processes seen on one GPU. */
export interface ComputeAppsGpu {
  /** gpu_uuid, else gpu_bus_id; null when the log names neither. */
  gpu: string | null;
  processes: number;
  /**
   * Sum over its processes of each one's peak used memory (MiB): the total when the log holds one
   * sample (the usual `nvidia-smi --query-compute-apps` snapshot), an upper bound of it otherwise.
   */
  usedMiBSumOfPeaks: number | null;
}

export interface ComputeAppsSummary {
  files: string[];
  processes: ComputeAppUsage[];
  gpus: ComputeAppsGpu[];
  /** Pids seen on more than one GPU (one process driving several GPUs). */
  pidsOnSeveralGpus: number[];
  rejected: ReturnType<RejectedLines['toJSON']>;
  warnings: string[];
  /** The same warnings as codes and values (absent in documents from before them). */
  warningCodes?: ProfileWarning[];
}

interface Usage {
  usage: ComputeAppUsage;
  sum: number;
  valued: number;
  firstMs: number;
  lastMs: number;
}

/**
 * Summarises `nvidia-smi --query-compute-apps=… --format=csv[,noheader][,nounits]` logs: one
 * entry per (GPU, pid). Memory is per process, so it grows with processes, not with file size.
 */
export async function summarizeComputeApps(
  files: readonly string[],
  options: { fields?: readonly string[]; rejected?: RejectedLines } = {},
): Promise<ComputeAppsSummary> {
  const rejected = options.rejected ?? new RejectedLines();
  const sink: WarningSink = { warnings: [], warningCodes: [] };
  const usages = new Map<string, Usage>();
  for (const file of files) {
    await refuseUtf16(file);
    let fields: QueryField[] | null = null;
    let accepted = 0;
    let headerSeen = false;
    const gpusInFile = new Set<string>();
    const column = (name: string): number => (fields ?? []).findIndex((f) => f.name === name);
    await scanLines(file, (raw, lineNumber, terminated) => {
      const text = lineNumber === 1 ? raw.replace(/^\uFEFF/, '') : raw;
      const trimmed = text.trim();
      if (trimmed.includes('\0')) {
        rejected.add(file, lineNumber, 'binary garbage (NUL bytes) in the line, not a CSV row');
        return;
      }
      if (trimmed.length === 0) return;
      const invalid = INVALID_FIELD_LINE.exec(trimmed);
      if (invalid !== null) {
        throw new InputError(`nvidia-smi refused the query: field "${invalid[1]}" is not a valid field to query`, {
          file,
          line: lineNumber,
          hint: 'fix the --query-compute-apps field list (see `nvidia-smi --help-query-compute-apps`)',
        });
      }
      const header = parseHeaderLine(trimmed, (name) => APP_FIELDS.has(name));
      if (header !== null) {
        fields = header;
        headerSeen = true;
        return;
      }
      if (!terminated) {
        addProfileWarning(sink, 'apps-last-line-truncated', { file, line: lineNumber });
        return;
      }
      if (fields === null && options.fields === undefined && APPS_ROW.test(trimmed)) {
        // `--query-compute-apps=pid,process_name,gpu_uuid,used_memory --format=csv,noheader`: the
        // most common list in job scripts, recognised by its shape (a pid, a name, a GPU uuid, MiB).
        fields = SHAPED_APPS_FIELDS.map((name) => parseFieldName(name) as QueryField);
        addProfileWarning(sink, 'apps-no-header', { file, fields: SHAPED_APPS_FIELDS.join(',') });
      }
      if (fields === null) {
        fields = (options.fields ?? DEFAULT_COMPUTE_APPS_FIELDS).map(
          (name) => parseFieldName(name) ?? { name, unit: null, role: { kind: 'other' } },
        );
      }
      const cells = text.split(',').map((c) => c.trim());
      if (cells.length !== fields.length) {
        rejected.add(file, lineNumber, `expected ${fields.length} fields, found ${cells.length}`);
        return;
      }
      const get = (...names: string[]): string | null => {
        for (const name of names) {
          const i = column(name);
          if (i >= 0) {
            const value = cells[i] as string;
            return value === '' || value === 'N/A' || value.startsWith('[') ? null : value;
          }
        }
        return null;
      };
      const pidText = get('pid');
      if (pidText === null || !/^\d+$/.test(pidText)) {
        rejected.add(file, lineNumber, `field "pid": expected a process id, found "${(pidText ?? '').slice(0, 30)}"`);
        return;
      }
      let ms = Number.NaN;
      const stamp = get('timestamp');
      if (stamp !== null) {
        ms = parseQueryTimestamp(stamp, 0, stamp.length);
        if (ms !== ms) ms = parseUserTimestamp(stamp);
        if (ms !== ms) {
          rejected.add(file, lineNumber, `field "timestamp": expected YYYY/MM/DD HH:MM:SS.mmm, found "${stamp.slice(0, 40)}"`);
          return;
        }
      }
      const memIndex = Math.max(column('used_memory'), column('used_gpu_memory'));
      let used: number | null = null;
      if (memIndex >= 0) {
        const raw = cells[memIndex] as string;
        const status = parseNumberCell(raw, 0, raw.length);
        if (status === CellStatus.Invalid) {
          rejected.add(file, lineNumber, `field "used_memory": expected MiB or [N/A], found "${raw.slice(0, 30)}"`);
          return;
        }
        if (status === CellStatus.Value) used = cell.mantissa / 10 ** cell.digits;
      }
      const gpuUuid = get('gpu_uuid');
      const gpuBusId = get('gpu_bus_id');
      const key = `${gpuUuid ?? gpuBusId ?? file}\u0000${pidText}`;
      let entry = usages.get(key);
      if (entry === undefined) {
        // Memory grows with (GPU, process) pairs: a file of endless distinct ids is not a job's log.
        const gpu = gpuUuid ?? gpuBusId ?? '';
        if (!gpusInFile.has(gpu) && gpusInFile.size >= MAX_GPUS_PER_FILE) throw tooManyGpusError(file, lineNumber);
        gpusInFile.add(gpu);
        if (usages.size >= MAX_COMPUTE_APPS) {
          throw new InputError(`more than ${MAX_COMPUTE_APPS} distinct (GPU, process) pairs; expected the processes of one job`, { file, line: lineNumber, hint: 'check that this is a --query-compute-apps log of one job' });
        }
        entry = {
          usage: {
            pid: Number(pidText),
            processName: get('process_name', 'name'),
            gpuUuid,
            gpuBusId,
            samples: 0,
            peakUsedMiB: null,
            meanUsedMiB: null,
            firstSeen: null,
            lastSeen: null,
          },
          sum: 0,
          valued: 0,
          firstMs: Number.NaN,
          lastMs: Number.NaN,
        };
        usages.set(key, entry);
      }
      entry.usage.samples++;
      if (used !== null) {
        entry.sum += used;
        entry.valued++;
        entry.usage.peakUsedMiB = Math.max(entry.usage.peakUsedMiB ?? used, used);
      }
      if (ms === ms) {
        if (!(entry.firstMs <= ms)) entry.firstMs = ms;
        if (!(entry.lastMs >= ms)) entry.lastMs = ms;
      }
      accepted++;
    });
    // A header alone is a valid capture of "no compute process ran"; other content is not.
    if (accepted === 0 && !headerSeen) {
      const first = rejected.examples.find((r) => r.file === file);
      throw unrecognisedFileError(file, 'nvidia-smi --query-compute-apps CSV', first ? `line ${first.line}: ${first.reason}` : undefined);
    }
  }
  const processes = [...usages.values()].map(({ usage, sum, valued, firstMs, lastMs }) => ({
    ...usage,
    meanUsedMiB: valued > 0 ? sum / valued : null,
    firstSeen: formatQueryTimestamp(firstMs),
    lastSeen: formatQueryTimestamp(lastMs),
  }));
  return { files: [...files], processes, ...summarizeAppsByGpu(processes), rejected: rejected.toJSON(), ...sink };
}

function summarizeAppsByGpu(processes: readonly ComputeAppUsage[]): Pick<ComputeAppsSummary, 'gpus' | 'pidsOnSeveralGpus'> {
  const gpus = new Map<string | null, ComputeAppsGpu>();
  const gpusOfPid = new Map<number, Set<string | null>>();
  for (const p of processes) {
    const id = p.gpuUuid ?? p.gpuBusId;
    let gpu = gpus.get(id);
    if (gpu === undefined) {
      gpu = { gpu: id, processes: 0, usedMiBSumOfPeaks: null };
      gpus.set(id, gpu);
    }
    gpu.processes++;
    if (p.peakUsedMiB !== null) gpu.usedMiBSumOfPeaks = (gpu.usedMiBSumOfPeaks ?? 0) + p.peakUsedMiB;
    const seen = gpusOfPid.get(p.pid) ?? new Set();
    seen.add(id);
    gpusOfPid.set(p.pid, seen);
  }
  const pidsOnSeveralGpus = [...gpusOfPid].filter(([, set]) => set.size > 1).map(([pid]) => pid);
  return { gpus: [...gpus.values()], pidsOnSeveralGpus };
}
