import { InputError } from '../../errors.js';
import { addProfileWarning } from '../../report/i18n/profile-warnings.js';
import { refuseUtf16 } from './log-sniff.js';
import { scanLines, unrecognisedFileError, type ReadProgress } from '../lines.js';
import { GpuLogAccumulator } from './log-accumulator.js';
import { METRIC_ID, type GpuAccumulator, type GpuMetricName, type GpuMetrics } from './metrics.js';
import { cell, CellStatus, parseDmonDateTime, parseNumberCell } from './nvidia-smi-values.js';

/**
 * dmon column → the query metric it measures. Columns not listed (mtemp, enc, dec, jpg, ofa,
 * bar1, ccpm, rxpci, txpci, violations, ECC counters, …) are read past: the set varies with the
 * driver and with `-s`, so the parser goes by the names in the header, never by position.
 */
const DMON_METRICS: Readonly<Record<string, GpuMetricName>> = {
  sm: 'utilization.gpu',
  mem: 'utilization.memory',
  pwr: 'power.draw',
  gtemp: 'temperature.gpu',
  mclk: 'clocks.mem',
  pclk: 'clocks.gr',
  gclk: 'clocks.gr',
  fb: 'memory.used',
};

const DAY_MS = 86_400_000;

export interface DmonOptions {
  onProgress?: (progress: ReadProgress) => void;
  signal?: AbortSignal;
}

/** Streaming parser of `nvidia-smi dmon [-s …] [-o D|T|DT]` output. */
class DmonParser {
  private readonly file: string;
  private readonly acc: GpuLogAccumulator;
  private names: string[] | null = null;
  private metricIds: number[] = [];
  private gpuColumn = -1;
  private dateColumn = -1;
  private timeColumn = -1;
  private readonly local = new Map<string, GpuAccumulator>();
  /** The line being parsed, for errors raised while creating a device. */
  private lineNumber = 0;
  private dayOffset = 0;
  private lastMs = Number.NaN;
  accepted = 0;

  constructor(file: string, acc: GpuLogAccumulator) {
    this.file = file;
    this.acc = acc;
  }

  line(text: string, lineNumber: number, terminated: boolean): void {
    this.lineNumber = lineNumber;
    const trimmed = (lineNumber === 1 ? text.replace(/^\uFEFF/, '') : text).trim();
    if (trimmed.length === 0) return;
    if (trimmed.includes('\0')) {
      this.acc.rejected.add(this.file, lineNumber, 'binary garbage (NUL bytes) in the line, not dmon output');
      return;
    }
    if (trimmed.startsWith('#')) {
      this.header(trimmed.slice(1).trim().split(/\s+/), lineNumber);
      return;
    }
    if (!terminated) {
      addProfileWarning(this.acc, 'dmon-last-line-truncated', { file: this.file, line: lineNumber });
      return;
    }
    if (this.names === null) {
      if (this.accepted === 0 && this.acc.rejected.countIn(this.file) === 0 && /^\d/.test(trimmed)) {
        throw new InputError('dmon output without its "# gpu …" header line', {
          file: this.file,
          line: lineNumber,
          hint: 'keep the two "#" header lines dmon prints; they say which column is which',
        });
      }
      this.acc.rejected.add(this.file, lineNumber, `not dmon output: "${trimmed.slice(0, 60)}"`);
      return;
    }
    const reason = this.row(trimmed.split(/\s+/));
    if (reason !== null) this.acc.rejected.add(this.file, lineNumber, reason);
  }

  private header(tokens: string[], lineNumber: number): void {
    const lower = tokens.map((t) => t.toLowerCase());
    if (lower.includes('gpu')) {
      const same = this.names !== null && this.names.length === tokens.length && this.names.every((n, i) => n === lower[i]);
      if (same) return; // dmon repeats its header; the columns are unchanged.
      if (this.names !== null) for (const device of this.local.values()) device.breakSegments();
      this.names = lower;
      this.gpuColumn = lower.indexOf('gpu');
      this.dateColumn = lower.indexOf('date');
      this.timeColumn = lower.indexOf('time');
      this.metricIds = lower.map((name) => {
        const metric = DMON_METRICS[name];
        return metric === undefined ? -1 : METRIC_ID[metric];
      });
      return;
    }
    if (tokens.includes('Idx')) {
      if (this.names !== null && tokens.length !== this.names.length) {
        this.acc.rejected.add(this.file, lineNumber, `units line has ${tokens.length} columns, the header ${this.names.length}`);
      }
      return;
    }
    this.acc.rejected.add(this.file, lineNumber, `unrecognised "#" line (expected dmon's column names or units): "${tokens.join(' ').slice(0, 60)}"`);
  }

  private row(tokens: string[]): string | null {
    const names = this.names as string[];
    if (tokens.length !== names.length) return `expected ${names.length} columns (${names.join(' ')}), found ${tokens.length}`;
    let ms = Number.NaN;
    if (this.timeColumn >= 0) {
      const date = this.dateColumn >= 0 ? (tokens[this.dateColumn] as string) : null;
      ms = parseDmonDateTime(date, tokens[this.timeColumn] as string);
      if (ms !== ms) return `date/time "${date ?? ''} ${tokens[this.timeColumn]}": expected YYYYMMDD HH:MM:SS`;
      // With -o T alone there is no date: a time that jumps back by hours crossed midnight.
      if (date === null) {
        ms += this.dayOffset;
        if (this.lastMs === this.lastMs && ms < this.lastMs - DAY_MS / 2) {
          this.dayOffset += DAY_MS;
          ms += DAY_MS;
        }
        this.lastMs = ms;
      }
    }
    const values: { id: number; status: number; mantissa: number; digits: number; reason: string }[] = [];
    for (let i = 0; i < tokens.length; i++) {
      const id = this.metricIds[i] as number;
      if (id < 0) continue;
      const token = tokens[i] as string;
      const status = parseNumberCell(token, 0, token.length);
      if (status === CellStatus.Invalid) return `column "${names[i]}": expected a number or "-", found "${token.slice(0, 40)}"`;
      values.push({ id, status, mantissa: cell.mantissa, digits: cell.digits, reason: cell.reason });
    }
    const key = this.gpuColumn >= 0 ? (tokens[this.gpuColumn] as string) : 'gpu';
    let device = this.local.get(key);
    if (device === undefined) {
      device = this.acc.device(this.file, { index: key, uuid: null, busId: null, name: null, driverVersion: null }, this.lineNumber);
      this.local.set(key, device);
    }
    device.noteRow(ms);
    for (const v of values) {
      if (v.status === CellStatus.Value) device.addValue(v.id, ms, v.mantissa, v.digits);
      else device.addMissing(v.id, v.reason);
    }
    // `-` in a column hpcbench does not summarise (mtemp, jpg, ofa): counted, so nothing is hidden.
    for (let i = 0; i < tokens.length; i++) {
      if ((this.metricIds[i] as number) < 0 && tokens[i] === '-' && i !== this.gpuColumn && i !== this.timeColumn && i !== this.dateColumn) device.addOtherMissing(names[i] as string, '-');
    }
    this.accepted++;
    return null;
  }

  finish(): void {
    if (this.accepted > 0) return;
    const first = this.acc.rejected.examples.find((r) => r.file === this.file);
    throw unrecognisedFileError(this.file, 'nvidia-smi dmon output', first ? `line ${first.line}: ${first.reason}` : 'no data rows');
  }
}

export async function parseDmonFiles(
  files: readonly string[],
  options: DmonOptions = {},
  acc: GpuLogAccumulator = new GpuLogAccumulator(),
): Promise<GpuLogAccumulator> {
  for (const file of files) {
    await refuseUtf16(file);
    const parser = new DmonParser(file, acc);
    acc.files.push(file);
    await scanLines(file, (text, n, terminated) => parser.line(text, n, terminated), options);
    parser.finish();
  }
  return acc;
}

export async function summarizeDmonLogs(files: readonly string[], options: DmonOptions = {}): Promise<GpuMetrics> {
  return (await parseDmonFiles(files, options)).toMetrics('dmon');
}
