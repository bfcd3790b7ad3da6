import { METRIC_ID, type GpuMetricName } from './metrics.js';

/**
 * The field list hpcbench's job templates log with
 * (`nvidia-smi --query-gpu=<these joined by ,> --format=csv,noheader,nounits -lms …`).
 * A headerless log is parsed with this list unless the caller passes another.
 */
export const DEFAULT_GPU_QUERY_FIELDS = [
  'timestamp',
  'index',
  'uuid',
  'pci.bus_id',
  'name',
  'driver_version',
  'utilization.gpu',
  'utilization.memory',
  'memory.used',
  'memory.total',
  'power.draw',
  'temperature.gpu',
  'clocks.sm',
  'clocks.mem',
] as const;

/** What a query column is used for. Fields hpcbench does not summarise are `other` (skipped). */
export type QueryFieldRole =
  | { kind: 'timestamp' }
  | { kind: 'index' }
  | { kind: 'uuid' }
  | { kind: 'bus' }
  | { kind: 'name' }
  | { kind: 'driver' }
  | { kind: 'mig' }
  | { kind: 'metric'; metric: GpuMetricName; id: number }
  | { kind: 'other' };

export interface QueryField {
  /** As written, without the unit: `clocks.current.sm`. */
  name: string;
  /** The header's unit (`MiB`, `%`, `W`, `MHz`), kept even with `nounits`; null when none. */
  unit: string | null;
  role: QueryFieldRole;
}

function metric(name: GpuMetricName): QueryFieldRole {
  return { kind: 'metric', metric: name, id: METRIC_ID[name] };
}

/**
 * Every spelling of a field that nvidia-smi accepts in --query-gpu or prints in the header
 * (the header prints the long name: `clocks.sm` comes back as `clocks.current.sm [MHz]`).
 */
const ROLES: Readonly<Record<string, QueryFieldRole>> = {
  timestamp: { kind: 'timestamp' },
  index: { kind: 'index' },
  uuid: { kind: 'uuid' },
  gpu_uuid: { kind: 'uuid' },
  'pci.bus_id': { kind: 'bus' },
  gpu_bus_id: { kind: 'bus' },
  name: { kind: 'name' },
  gpu_name: { kind: 'name' },
  driver_version: { kind: 'driver' },
  'mig.mode.current': { kind: 'mig' },
  'utilization.gpu': metric('utilization.gpu'),
  'utilization.memory': metric('utilization.memory'),
  'memory.used': metric('memory.used'),
  'memory.total': metric('memory.total'),
  'power.draw': metric('power.draw'),
  'power.draw.average': metric('power.draw'),
  'power.draw.instant': metric('power.draw'),
  'temperature.gpu': metric('temperature.gpu'),
  'clocks.sm': metric('clocks.sm'),
  'clocks.current.sm': metric('clocks.sm'),
  'clocks.mem': metric('clocks.mem'),
  'clocks.current.memory': metric('clocks.mem'),
  'clocks.gr': metric('clocks.gr'),
  'clocks.current.graphics': metric('clocks.gr'),
};

// Field names are lower case except a few camel-case ones (`encoder.stats.sessionCount`).
const FIELD_CELL = /^([a-z][a-zA-Z0-9_.]*)(?:\s*\[([^\]]*)\])?$/;

/** `utilization.gpu [%]` → { name: 'utilization.gpu', unit: '%', role }. Null if not a field name. */
export function parseFieldName(cell: string): QueryField | null {
  const match = FIELD_CELL.exec(cell.trim());
  if (match === null) return null;
  const name = match[1] as string;
  return { name, unit: match[2] ?? null, role: ROLES[name] ?? { kind: 'other' } };
}

/** Fields from a caller's list (e.g. DEFAULT_GPU_QUERY_FIELDS); null names the bad entry. */
export function fieldsFromList(names: readonly string[]): { fields: QueryField[] } | { bad: string } {
  const fields: QueryField[] = [];
  for (const name of names) {
    const field = parseFieldName(name);
    if (field === null) return { bad: name };
    fields.push(field);
  }
  return { fields };
}

/**
 * The fields of a --query-gpu / --query-compute-apps header line, or null when the line is not
 * a header: every cell must look like a field name and at least one must be one we know.
 */
export function parseHeaderLine(line: string, known: (name: string) => boolean = (n) => n in ROLES): QueryField[] | null {
  const cells = line.split(',');
  const fields: QueryField[] = [];
  let recognised = 0;
  for (const cell of cells) {
    const field = parseFieldName(cell);
    if (field === null) return null;
    if (known(field.name)) recognised++;
    fields.push(field);
  }
  return recognised > 0 ? fields : null;
}

/** nvidia-smi's answer to an unknown field, e.g. `Field "foo" is not a valid field to query.` */
export const INVALID_FIELD_LINE = /^Field "([^"]*)" is not a valid field to query\.?$/;

/** Lines nvidia-smi prints instead of data when it cannot talk to the driver. */
export const NVIDIA_SMI_FAILURE = /^(NVIDIA-SMI has failed|No devices were found|Failed to initialize NVML|Unable to determine the device handle)/;
