import { open } from 'node:fs/promises';
import { emptyFileError, unrecognisedFileError, type ReadProgress } from '../lines.js';
import { GpuLogAccumulator } from './log-accumulator.js';
import type { GpuMetrics } from './metrics.js';
import { parseQueryGpuFiles } from './nvidia-smi-query-files.js';
import { parseDmonFiles } from './nvidia-smi-dmon.js';
import { summarizeComputeApps, type ComputeAppsSummary } from './nvidia-smi-apps.js';
import { INVALID_FIELD_LINE, parseHeaderLine } from './nvidia-smi-fields.js';
import { RejectedLines } from '../lines.js';
import { sniffGpuLines } from './log-sniff.js';
import { InputError } from '../../errors.js';
import { addProfileWarning } from '../../report/i18n/profile-warnings.js';

export type NvidiaSmiFormat = 'query-gpu' | 'dmon' | 'compute-apps';

/**
 * Which nvidia-smi output a file holds, from its first non-blank lines (reads at most 64 KiB):
 * `#` column lines → dmon; a header naming `pid` → compute-apps; anything else is taken as a
 * --query-gpu log (with or without header) and validated by its parser.
 */
async function detectNvidiaSmiFormat(file: string): Promise<NvidiaSmiFormat> {
  let text: string;
  try {
    const handle = await open(file, 'r');
    try {
      const buffer = Buffer.alloc(64 * 1024);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      text = buffer.subarray(0, bytesRead).toString('utf8');
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw new InputError(`cannot read the file: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { file, cause: error });
  }
  const lines = text.replace(/^\uFEFF/, '').split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
  const first = lines[0];
  if (first === undefined) throw emptyFileError(file, 'nvidia-smi output');
  // The table printed before the CSV, a headerless compute-apps snapshot: decided by content.
  const sniffed = sniffGpuLines(lines);
  if (sniffed === 'compute-apps') return 'compute-apps';
  if (sniffed === 'dmon') return 'dmon';
  if (INVALID_FIELD_LINE.test(first)) return 'query-gpu'; // its parser reports the refusal
  if (first.startsWith('#')) {
    if (/\bgpu\b/i.test(first)) return 'dmon';
    throw unrecognisedFileError(file, 'nvidia-smi dmon, --query-gpu or --query-compute-apps output', `"${first.slice(0, 60)}"`);
  }
  const header = parseHeaderLine(first, () => true);
  if (header?.some((f) => f.name === 'pid')) return 'compute-apps';
  return 'query-gpu';
}

export interface NvidiaSmiSummary {
  /** From --query-gpu logs, or from dmon logs when there is no query log. */
  gpu: GpuMetrics | null;
  computeApps: ComputeAppsSummary | null;
  formats: Record<string, NvidiaSmiFormat>;
}

export interface NvidiaSmiOptions {
  /** Field list for headerless --query-gpu logs (default DEFAULT_GPU_QUERY_FIELDS). */
  fields?: readonly string[];
  /** A sample is busy when its utilization is above this percent (default 0). */
  busyThresholdPct?: number;
  onProgress?: (progress: ReadProgress) => void;
  signal?: AbortSignal;
  rejected?: RejectedLines;
}

/**
 * Summarises any mix of nvidia-smi logs. Query logs and dmon logs describe the same GPUs, so
 * when both are present the query logs win (finer timestamps, memory totals) and a warning says
 * the dmon files were not used.
 */
export async function summarizeNvidiaSmiLogs(files: readonly string[], options: NvidiaSmiOptions = {}): Promise<NvidiaSmiSummary> {
  const formats: Record<string, NvidiaSmiFormat> = {};
  for (const file of files) formats[file] = await detectNvidiaSmiFormat(file);
  const of = (format: NvidiaSmiFormat): string[] => files.filter((f) => formats[f] === format);
  const rejected = options.rejected ?? new RejectedLines();
  const acc = new GpuLogAccumulator(rejected);
  let gpu: GpuMetrics | null = null;
  const query = of('query-gpu');
  const dmon = of('dmon');
  if (query.length > 0) {
    await parseQueryGpuFiles(query, options, acc);
    if (dmon.length > 0) addProfileWarning(acc, 'dmon-not-used', { files: dmon.join(', ') });
    gpu = acc.toMetrics('query-gpu', options.busyThresholdPct);
  } else if (dmon.length > 0) {
    await parseDmonFiles(dmon, options, acc);
    gpu = acc.toMetrics('dmon', options.busyThresholdPct);
  }
  const apps = of('compute-apps');
  const computeApps = apps.length > 0 ? await summarizeComputeApps(apps, { rejected }) : null;
  return { gpu, computeApps, formats };
}
