import { basename } from 'node:path';
import { InputError } from '../../errors.js';
import { RejectedLines } from '../lines.js';
import { describeProfileWarningEn, type ProfileWarning, type WarningSink } from '../../report/i18n/profile-warnings.js';
import { gapWarning, mostlyMissingWarning } from './gaps.js';
import { formatQueryTimestamp } from './nvidia-smi-values.js';
import { BUSY_UTILIZATION_THRESHOLD, computeDeviceMetrics, computeOverallMetrics, GpuAccumulator, type GpuIdentity, type GpuMetrics } from './metrics.js';

/**
 * More GPUs than any node has (8 per node, times a few hundred nodes of a multinode job); a file
 * naming more distinct ids is not a GPU log, and each id costs an accumulator of its own.
 */
export const MAX_GPUS_PER_FILE = 1024;

/** The InputError for a log naming more than MAX_GPUS_PER_FILE distinct GPUs. */
export function tooManyGpusError(file: string, line?: number): InputError {
  return new InputError(`more than ${MAX_GPUS_PER_FILE} distinct GPU ids in one file; expected the GPUs of one job`, {
    file,
    ...(line === undefined ? {} : { line }),
    hint: 'check that the GPU id column is the index, bus id or uuid (pass --gpu-fields with the field list the log was written with)',
  });
}

/**
 * Everything a profile run learns from GPU logs, across files: one GpuAccumulator per device,
 * the rejected lines and the warnings. Parsers feed it; `toMetrics` reads it out.
 */
export class GpuLogAccumulator implements WarningSink {
  readonly devices = new Map<string, GpuAccumulator>();
  readonly rejected: RejectedLines;
  readonly warnings: string[] = [];
  readonly warningCodes: ProfileWarning[] = [];
  readonly files: string[] = [];
  private readonly devicesPerFile = new Map<string, number>();

  constructor(rejected: RejectedLines = new RejectedLines()) {
    this.rejected = rejected;
  }

  /**
   * The accumulator of a device. A uuid identifies a GPU across files; an index or bus id only
   * within one file (two nodes both have a GPU 0), so those are qualified by the file.
   */
  device(file: string, identity: Omit<GpuIdentity, 'id'>, line?: number): GpuAccumulator {
    const local = identity.busId ?? identity.index ?? 'gpu';
    const key = identity.uuid ?? `${file}\u0000${local}`;
    let acc = this.devices.get(key);
    if (acc === undefined) {
      const count = (this.devicesPerFile.get(file) ?? 0) + 1;
      if (count > MAX_GPUS_PER_FILE) throw tooManyGpusError(file, line);
      this.devicesPerFile.set(file, count);
      acc = new GpuAccumulator({ id: identity.uuid ?? local, ...identity });
      this.devices.set(key, acc);
    }
    acc.sources.add(basename(file));
    return acc;
  }

  /** The figures; a sample counts as busy when its utilization is above `busyThresholdPct` (percent). */
  toMetrics(format: GpuMetrics['format'], busyThresholdPct: number = BUSY_UTILIZATION_THRESHOLD): GpuMetrics {
    const accumulators = [...this.devices.values()];
    const gapsAndMissing = accumulators.flatMap(describeGapsAndMissing);
    const gpus = accumulators.map((acc) => computeDeviceMetrics(acc, busyThresholdPct));
    return {
      format,
      files: [...this.files],
      gpus,
      overall: computeOverallMetrics(accumulators, gpus, busyThresholdPct),
      busyThresholdPct,
      rejected: this.rejected.toJSON(),
      warnings: [...this.warnings, ...gapsAndMissing.map(describeProfileWarningEn)],
      warningCodes: [...this.warningCodes, ...gapsAndMissing],
      series: accumulators.map((acc) => acc.series.toSeries(acc.identity.id)),
    };
  }
}

/** Warnings a reader of the figures must see: series split at gaps, metrics almost never present. */
function describeGapsAndMissing(acc: GpuAccumulator): ProfileWarning[] {
  const warnings: ProfileWarning[] = [];
  const gap = gapWarning(acc.identity.id, [...acc.sources], acc.gapDetector, formatQueryTimestamp);
  if (gap !== null) warnings.push(gap);
  for (const [metric, reasons] of acc.missing) {
    const missing = [...reasons.values()].reduce((a, b) => a + b, 0);
    const warning = mostlyMissingWarning(acc.identity.id, metric, missing, acc.rows);
    if (warning !== null) warnings.push(warning);
  }
  return warnings;
}
