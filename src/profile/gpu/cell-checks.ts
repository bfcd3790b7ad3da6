/**
 * Plausibility checks of --query-gpu cells: a unit other than the column's (a `KiB` cell under
 * `memory.used [MiB]` would be read 1024× too small) and values outside the physical range
 * (utilization above 100 %, negative power or memory) are rejected with a reason, never summed.
 */
import type { QueryField } from './nvidia-smi-fields.js';

/** The unit nvidia-smi prints for each summarised metric (temperature cells carry none). */
const METRIC_UNITS: Readonly<Record<string, string | null>> = {
  'utilization.gpu': '%',
  'utilization.memory': '%',
  'memory.used': 'MiB',
  'memory.total': 'MiB',
  'power.draw': 'W',
  'temperature.gpu': null,
  'clocks.sm': 'MHz',
  'clocks.mem': 'MHz',
  'clocks.gr': 'MHz',
};

/** The unit a metric column's cells must carry when they carry one: the header's, else nvidia-smi's. */
export function expectedUnitBytes(field: QueryField): Buffer | null {
  if (field.role.kind !== 'metric') return null;
  const unit = field.unit ?? METRIC_UNITS[field.role.metric] ?? null;
  return unit === null ? null : Buffer.from(unit, 'latin1');
}

/**
 * The unit of a value cell [start, end) ("45 %" → "%") when it differs from `expected`, else
 * null. A cell without a unit (nounits) is fine; so is any unit when none is expected.
 */
export function mismatchedUnit(buffer: Uint8Array, start: number, end: number, expected: Buffer | null): string | null {
  let i = end - 1;
  while (i > start && buffer[i] !== 32) i--;
  if (i <= start || expected === null) return null;
  const length = end - i - 1;
  if (length === expected.length) {
    let j = 0;
    while (j < length && buffer[i + 1 + j] === expected[j]) j++;
    if (j === length) return null;
  }
  return Buffer.from(buffer.subarray(i + 1, end)).toString('latin1');
}

/** Physical bounds per metric column: [min, max] (±Infinity when unbounded). */
export function physicalBounds(field: QueryField): [number, number] {
  if (field.role.kind !== 'metric') return [-Infinity, Infinity];
  switch (field.role.metric) {
    case 'utilization.gpu':
    case 'utilization.memory':
      return [0, 100];
    case 'temperature.gpu':
      return [-Infinity, Infinity];
    default:
      return [0, Infinity];
  }
}

/** The rejection reason for a value outside [lower, upper]. */
export function outsideRange(field: QueryField | undefined, value: number, lower: number, upper: number): string {
  const range = upper === Infinity ? 'not negative' : `between ${lower} and ${upper}`;
  return `field "${field?.name}": ${value} is outside the physical range (expected ${range})`;
}

/** `N/A` or `[Not Supported]` (any bracketed marker) in a cell [start, end): its reason, else null. */
export function missingMarker(buffer: Uint8Array, start: number, end: number): string | null {
  const first = buffer[start];
  if (first === 78 && end - start === 3 && buffer[start + 1] === 47 && buffer[start + 2] === 65) return 'N/A';
  if (first === 91 && buffer[end - 1] === 93) return Buffer.from(buffer.subarray(start + 1, end - 1)).toString('utf8').trim() || 'empty';
  return null;
}
