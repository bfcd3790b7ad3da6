/**
 * The latest GPU sample of a running task from the lines its nvidia-smi sidecar CSV gained, and
 * how long every GPU of the task has been idle. Columns come from the manifest's `gpu_fields`
 * (the sidecar writes no header) or from a header line when the file has one; cells are read
 * with profile's nvidia-smi cell and timestamp parsers.
 *
 * Idle time is measured on the sidecar's own clock (its timestamps), never against this
 * machine's: the node's time zone is unknown, only differences between its rows are meaningful.
 */
import { fieldsFromList, parseHeaderLine, type QueryField } from '../profile/gpu/nvidia-smi-fields.js';
import { cell, CellStatus, parseNumberCell, parseQueryTimestamp } from '../profile/gpu/nvidia-smi-values.js';
import { parseUserTimestamp } from '../profile/gpu/timestamps.js';

export interface GpuLatest {
  /** The GPU as the row names it (uuid, bus id or index). */
  gpu: string;
  utilizationPct?: number;
  memoryUsedMiB?: number;
  memoryTotalMiB?: number;
}

export interface GpuSummary {
  gpus: GpuLatest[];
  /** Mean utilisation of the task's GPUs in their latest rows. */
  utilizationPct?: number;
  memoryUsedMiB?: number;
  memoryTotalMiB?: number;
  /** Seconds every GPU has been at or below the idle threshold (0 when one is busy). */
  idleSeconds: number;
}

interface Columns {
  timestamp: number;
  key: number;
  utilization: number;
  used: number;
  total: number;
  width: number;
}

function columnsOf(fields: readonly QueryField[]): Columns {
  const find = (pred: (f: QueryField) => boolean): number => fields.findIndex(pred);
  const metric = (name: string): number => find((f) => f.role.kind === 'metric' && f.role.metric === name);
  const uuid = find((f) => f.role.kind === 'uuid');
  const bus = find((f) => f.role.kind === 'bus');
  const index = find((f) => f.role.kind === 'index');
  return {
    timestamp: find((f) => f.role.kind === 'timestamp'),
    key: uuid >= 0 ? uuid : bus >= 0 ? bus : index,
    utilization: metric('utilization.gpu'),
    used: metric('memory.used'),
    total: metric('memory.total'),
    width: fields.length,
  };
}

function numberAt(cells: readonly string[], column: number): number | undefined {
  if (column < 0) return undefined;
  const text = (cells[column] ?? '').trim();
  if (parseNumberCell(text, 0, text.length) !== CellStatus.Value) return undefined;
  return cell.mantissa / 10 ** cell.digits;
}

function timestampAt(cells: readonly string[], column: number): number {
  if (column < 0) return Number.NaN;
  const text = (cells[column] ?? '').trim();
  const ms = parseQueryTimestamp(text, 0, text.length);
  return Number.isFinite(ms) ? ms : parseUserTimestamp(text);
}

/** Latest values per GPU of one sidecar log, fed line by line across cycles. */
export class GpuTracker {
  private columns: Columns | undefined;
  private readonly latest = new Map<string, GpuLatest & { atMs: number }>();
  /** Per GPU: the sidecar time its current idle stretch began (absent while busy). */
  private readonly idleSince = new Map<string, number>();

  constructor(
    fields: readonly string[],
    private readonly idleThresholdPct = 0,
  ) {
    const parsed = fields.length > 0 ? fieldsFromList(fields) : undefined;
    if (parsed && 'fields' in parsed) this.columns = columnsOf(parsed.fields);
  }

  /** `fallbackMs`: this machine's time of the cycle, used when the rows carry no timestamp. */
  addLine(text: string, fallbackMs: number): void {
    const header = parseHeaderLine(text);
    if (header !== null) {
      this.columns = columnsOf(header);
      return;
    }
    const columns = this.columns;
    if (!columns) return;
    const cells = text.split(',');
    if (cells.length !== columns.width) return;
    const stamp = timestampAt(cells, columns.timestamp);
    const atMs = Number.isFinite(stamp) ? stamp : fallbackMs;
    const gpu = columns.key >= 0 ? (cells[columns.key] ?? '').trim() : '0';
    const sample: GpuLatest & { atMs: number } = { gpu, atMs };
    const util = numberAt(cells, columns.utilization);
    const used = numberAt(cells, columns.used);
    const total = numberAt(cells, columns.total);
    if (util !== undefined) sample.utilizationPct = util;
    if (used !== undefined) sample.memoryUsedMiB = used;
    if (total !== undefined) sample.memoryTotalMiB = total;
    this.latest.set(gpu, sample);
    if (util === undefined) return;
    if (util <= this.idleThresholdPct) {
      if (!this.idleSince.has(gpu)) this.idleSince.set(gpu, atMs);
    } else this.idleSince.delete(gpu);
  }

  /** The file was replaced (a requeued job starts a new one): forget the old rows. */
  reset(): void {
    this.latest.clear();
    this.idleSince.clear();
  }

  summary(): GpuSummary | undefined {
    if (this.latest.size === 0) return undefined;
    const gpus = [...this.latest.values()];
    const out: GpuSummary = { gpus: gpus.map(({ atMs: _atMs, ...g }) => g), idleSeconds: 0 };
    const utils = gpus.flatMap((g) => (g.utilizationPct === undefined ? [] : [g.utilizationPct]));
    if (utils.length > 0) out.utilizationPct = utils.reduce((a, b) => a + b, 0) / utils.length;
    const used = gpus.flatMap((g) => (g.memoryUsedMiB === undefined ? [] : [g.memoryUsedMiB]));
    const total = gpus.flatMap((g) => (g.memoryTotalMiB === undefined ? [] : [g.memoryTotalMiB]));
    if (used.length > 0) out.memoryUsedMiB = used.reduce((a, b) => a + b, 0);
    if (total.length > 0) out.memoryTotalMiB = total.reduce((a, b) => a + b, 0);
    // Idle only when every GPU is: the stretch is the shortest of theirs.
    if (gpus.every((g) => this.idleSince.has(g.gpu))) {
      out.idleSeconds = Math.min(...gpus.map((g) => (g.atMs - (this.idleSince.get(g.gpu) as number)) / 1000));
    }
    return out;
  }
}
