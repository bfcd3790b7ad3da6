/**
 * A sweep writes one inference log per task (batch size 1, 4, 16…). This groups the records of
 * several logs by their parameters and computes one InferenceMetrics per sweep point.
 */
import type { InferenceParams, InferenceRecord } from './schema.js';
import type { InferenceLog } from './log.js';
import { computeInferenceMetrics, type InferenceMetrics, type InferenceMetricsOptions } from './metrics.js';

export interface InferenceSweepPoint {
  /** Canonical key of the parameters (sorted JSON), stable across runs. */
  key: string;
  params: InferenceParams;
  files: string[];
  metrics: InferenceMetrics;
}

export type InferenceSweepOptions = Omit<InferenceMetricsOptions, 'reportedDurationS' | 'gpuEnergyJ'> & {
  /** GPU energy measured during each file's run, joules; a point gets the sum over its files. */
  gpuEnergyJByFile?: Record<string, number>;
};

/** Sorted-key JSON of the params: `{b:1,a:2}` and `{a:2,b:1}` are the same point. */
function paramsKey(params: InferenceParams): string {
  const sorted = Object.keys(params)
    .sort()
    .map((k) => [k, params[k]]);
  return JSON.stringify(Object.fromEntries(sorted));
}

/** Records grouped by their params, in the order each group was first met. */
function groupInferenceRecords(records: readonly InferenceRecord[]): Map<string, InferenceRecord[]> {
  const groups = new Map<string, InferenceRecord[]>();
  // Records of one log share one params object: one key per object met, not one per record.
  let lastParams: InferenceParams | undefined;
  let lastKey = '';
  for (const record of records) {
    const params = record.params;
    if (params !== lastParams) {
      lastParams = params;
      lastKey = paramsKey(params);
    }
    const key = lastKey;
    const list = groups.get(key) ?? [];
    list.push(record);
    groups.set(key, list);
  }
  return groups;
}

function compareParams(a: InferenceParams, b: InferenceParams): number {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  for (const key of keys) {
    const x = a[key];
    const y = b[key];
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x ?? '').localeCompare(String(y ?? ''));
  }
  return 0;
}

/**
 * One metrics object per distinct params across all logs, sorted by params (numbers
 * numerically, so batch_size 2 comes before 16). A vLLM file's own duration is used only for a
 * point made of that one file.
 */
export function aggregateInferenceSweep(
  logs: readonly InferenceLog[],
  options: InferenceSweepOptions = {},
): InferenceSweepPoint[] {
  const { gpuEnergyJByFile, ...shared } = options;
  const reportedByFile = new Map<string, number>();
  for (const log of logs) if (log.reported !== undefined) reportedByFile.set(log.file, log.reported.durationS);
  const groups = groupInferenceRecords(logs.flatMap((log) => log.records));
  const points: InferenceSweepPoint[] = [];
  for (const [key, records] of groups) {
    const files = [...new Set(records.map((r) => r.file ?? ''))];
    const only = files.length === 1 ? reportedByFile.get(files[0] as string) : undefined;
    const metricsOptions: InferenceMetricsOptions = { ...shared };
    if (only !== undefined) metricsOptions.reportedDurationS = only;
    const energies = files.map((f) => gpuEnergyJByFile?.[f]);
    if (energies.every((e) => e !== undefined)) {
      metricsOptions.gpuEnergyJ = energies.reduce((a: number, b) => a + b, 0);
    }
    points.push({
      key,
      params: (records[0] as InferenceRecord).params,
      files,
      metrics: computeInferenceMetrics(records, metricsOptions),
    });
  }
  return points.sort((a, b) => compareParams(a.params, b.params));
}
