/** Reading whole --query-gpu log files: encoding check, key choice, then a parallel or streaming parse. */
import { addProfileWarning } from '../../report/i18n/profile-warnings.js';
import { scanLineBytes } from '../lines.js';
import { GpuLogAccumulator } from './log-accumulator.js';
import type { GpuMetrics } from './metrics.js';
import { chooseKeyColumn } from './key-column.js';
import { refuseUtf16 } from './log-sniff.js';
import { DEFAULT_GPU_QUERY_FIELDS } from './nvidia-smi-fields.js';
import { parseQueryGpuFileParallel } from './nvidia-smi-parallel.js';
import { QueryGpuParser, type QueryGpuOptions } from './nvidia-smi-query.js';

/** Streams one or more --query-gpu logs into `acc` (new accumulator if none given). */
export async function parseQueryGpuFiles(
  files: readonly string[],
  options: QueryGpuOptions = {},
  acc: GpuLogAccumulator = new GpuLogAccumulator(),
): Promise<GpuLogAccumulator> {
  for (const file of files) {
    await refuseUtf16(file);
    const choice = await chooseKeyColumn(file, options.fields ?? DEFAULT_GPU_QUERY_FIELDS);
    if (choice.warning !== undefined) addProfileWarning(acc, choice.warning.code, choice.warning.values);
    options = { ...options, keyField: choice.keyField };
    if (await parseQueryGpuFileParallel(file, options, acc)) continue;
    const parser = new QueryGpuParser(file, acc, options);
    acc.files.push(file);
    await scanLineBytes(file, (buffer, start, end, n, terminated) => parser.lineBytes(buffer, start, end, n, terminated), {
      onProgress: options.onProgress,
      signal: options.signal,
    });
    parser.finish();
  }
  return acc;
}

/** Summarises --query-gpu logs into per-GPU and overall metrics. */
export async function summarizeQueryGpuLogs(files: readonly string[], options: QueryGpuOptions = {}): Promise<GpuMetrics> {
  return (await parseQueryGpuFiles(files, options)).toMetrics('query-gpu');
}
