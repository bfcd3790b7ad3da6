import { InputError } from '../errors.js';
import { scanLines, unrecognisedFileError, type ReadProgress } from './lines.js';
import { GpuLogAccumulator } from './gpu-log-accumulator.js';
import type { GpuAccumulator, GpuMetrics } from './gpu-metrics.js';
import {
  DEFAULT_GPU_QUERY_FIELDS,
  fieldsFromList,
  INVALID_FIELD_LINE,
  NVIDIA_SMI_FAILURE,
  parseHeaderLine,
  type QueryField,
} from './nvidia-smi-fields.js';
import { cell, CellStatus, parseNumberCell, parseQueryTimestamp } from './nvidia-smi-values.js';

export interface QueryGpuOptions {
  /** Field list of a headerless log (default DEFAULT_GPU_QUERY_FIELDS). A header overrides it. */
  fields?: readonly string[];
  onProgress?: (progress: ReadProgress) => void;
  signal?: AbortSignal;
}

const ROLE_TIMESTAMP = 1;
const ROLE_INDEX = 2;
const ROLE_UUID = 3;
const ROLE_BUS = 4;
const ROLE_NAME = 5;
const ROLE_DRIVER = 6;
const ROLE_METRIC = 7;
const ROLE_MIG = 8;
const ROLE_OTHER = 0;

/**
 * Streaming parser of one `nvidia-smi --query-gpu … --format=csv[,noheader][,nounits]` log.
 * Feed it lines with `line()`, then call `finish()`. Rows are grouped by uuid, else PCI bus id,
 * else index (never by row order), so interleaved GPUs and restarts are handled. A row is
 * committed only when every cell parses; otherwise it is rejected with a reason.
 */
export class QueryGpuParser {
  private readonly file: string;
  private readonly acc: GpuLogAccumulator;
  private fields: QueryField[] | null = null;
  private readonly fallbackFields: readonly string[];
  private roles = new Uint8Array(0);
  private metricIds = new Int8Array(0);
  private keyColumn = -1;
  private mantissas = new Float64Array(0);
  private digits = new Uint8Array(0);
  private status = new Uint8Array(0);
  private reasons: string[] = [];
  private starts = new Int32Array(0);
  private ends = new Int32Array(0);
  private readonly local = new Map<string, GpuAccumulator>();
  private headerText: string | null = null;
  private restarts = 0;
  accepted = 0;

  constructor(file: string, acc: GpuLogAccumulator, options: QueryGpuOptions = {}) {
    this.file = file;
    this.acc = acc;
    this.fallbackFields = options.fields ?? DEFAULT_GPU_QUERY_FIELDS;
  }

  private useFields(fields: QueryField[]): void {
    this.fields = fields;
    const n = fields.length;
    this.roles = new Uint8Array(n);
    this.metricIds = new Int8Array(n).fill(-1);
    this.mantissas = new Float64Array(n);
    this.digits = new Uint8Array(n);
    this.status = new Uint8Array(n);
    this.reasons = new Array<string>(n).fill('');
    this.starts = new Int32Array(n);
    this.ends = new Int32Array(n);
    let uuid = -1;
    let bus = -1;
    let index = -1;
    fields.forEach((field, i) => {
      const role = field.role;
      switch (role.kind) {
        case 'timestamp': this.roles[i] = ROLE_TIMESTAMP; break;
        case 'index': this.roles[i] = ROLE_INDEX; index = i; break;
        case 'uuid': this.roles[i] = ROLE_UUID; uuid = i; break;
        case 'bus': this.roles[i] = ROLE_BUS; bus = i; break;
        case 'name': this.roles[i] = ROLE_NAME; break;
        case 'driver': this.roles[i] = ROLE_DRIVER; break;
        case 'mig': this.roles[i] = ROLE_MIG; break;
        case 'metric': this.roles[i] = ROLE_METRIC; this.metricIds[i] = role.id; break;
        case 'other': this.roles[i] = ROLE_OTHER; break;
      }
    });
    this.keyColumn = uuid >= 0 ? uuid : bus >= 0 ? bus : index;
    this.local.clear();
  }

  /** One line of the file; `terminated` is false for a last line without a line end. */
  line(text: string, lineNumber: number, terminated: boolean): void {
    if (text.length === 0 || text.trim().length === 0) return;
    const first = text.charCodeAt(0);
    // Data rows start with a digit (timestamp, index) unless the first field is textual, so
    // only lines starting with a letter are checked for headers and nvidia-smi messages.
    if ((first >= 97 && first <= 122) || (first >= 65 && first <= 90)) {
      if (this.handleSpecialLine(text, lineNumber)) return;
    }
    if (!terminated) {
      this.acc.warnings.push(
        `${this.file}:${lineNumber}: last line has no line end (the logger was probably killed mid-write); dropped`,
      );
      return;
    }
    if (this.fields === null) {
      const result = fieldsFromList(this.fallbackFields);
      if ('bad' in result) throw new InputError(`"${result.bad}" is not an nvidia-smi field name`, { file: this.file });
      const cells = text.split(',').length;
      if (cells !== result.fields.length) {
        throw new InputError(
          `no header line and ${cells} fields per row, but the field list has ${result.fields.length} (${this.fallbackFields.join(',')})`,
          { file: this.file, line: lineNumber, hint: 'pass the --query-gpu field list the log was written with, or log with a header (--format=csv)' },
        );
      }
      this.useFields(result.fields);
    }
    const reason = this.parseRow(text);
    if (reason !== null) this.acc.rejected.add(this.file, lineNumber, reason);
  }

  /** Headers, repeated headers and nvidia-smi messages. True when the line was consumed. */
  private handleSpecialLine(text: string, lineNumber: number): boolean {
    if (text === this.headerText) {
      this.restarts++;
      for (const device of this.local.values()) device.breakSegments();
      return true;
    }
    const invalid = INVALID_FIELD_LINE.exec(text.trim());
    if (invalid !== null) {
      throw new InputError(`nvidia-smi refused the query: field "${invalid[1]}" is not a valid field to query`, {
        file: this.file,
        line: lineNumber,
        hint: 'fix the --query-gpu field list (see `nvidia-smi --help-query-gpu`) and rerun the job',
      });
    }
    if (NVIDIA_SMI_FAILURE.test(text)) {
      this.acc.rejected.add(this.file, lineNumber, `nvidia-smi message, not data: ${text.slice(0, 120)}`);
      return true;
    }
    const header = parseHeaderLine(text);
    if (header === null) return false;
    if (this.headerText !== null || this.accepted > 0) {
      this.restarts++;
      for (const device of this.local.values()) device.breakSegments();
    }
    this.headerText = text;
    this.useFields(header);
    return true;
  }

  /** Parses and commits one data row; returns the rejection reason or null. */
  private parseRow(text: string): string | null {
    const fields = this.fields as QueryField[];
    const n = fields.length;
    const len = text.length;
    let pos = 0;
    let ms = Number.NaN;
    for (let f = 0; f < n; f++) {
      let end = text.indexOf(',', pos);
      if (end === -1) {
        if (f < n - 1) return `expected ${n} fields, found ${f + 1}`;
        end = len;
      }
      let s = pos;
      while (s < end && text.charCodeAt(s) === 32) s++;
      let e = end;
      while (e > s && text.charCodeAt(e - 1) === 32) e--;
      pos = end + 1;
      const role = this.roles[f];
      if (role === ROLE_METRIC) {
        const status = parseNumberCell(text, s, e);
        this.status[f] = status;
        if (status === CellStatus.Value) {
          this.mantissas[f] = cell.mantissa;
          this.digits[f] = cell.digits;
        } else if (status === CellStatus.Missing) {
          this.reasons[f] = cell.reason;
        } else {
          return `field "${fields[f]?.name}": expected a number (optionally with a unit) or [N/A], found "${text.slice(s, e).slice(0, 40)}"`;
        }
      } else if (role === ROLE_TIMESTAMP) {
        ms = parseQueryTimestamp(text, s, e);
        if (ms !== ms) return `field "timestamp": expected YYYY/MM/DD HH:MM:SS.mmm, found "${text.slice(s, e).slice(0, 40)}"`;
      } else {
        this.starts[f] = s;
        this.ends[f] = e;
      }
    }
    if (pos <= len) return `expected ${n} fields, found more`;
    let device: GpuAccumulator | undefined;
    let key = 'gpu';
    if (this.keyColumn >= 0) {
      key = text.slice(this.starts[this.keyColumn], this.ends[this.keyColumn]);
      if (key.length === 0 || key.charCodeAt(0) === 91 || key === 'N/A') {
        return `field "${fields[this.keyColumn]?.name}": no GPU identifier ("${key}")`;
      }
    }
    device = this.local.get(key);
    if (device === undefined) device = this.createDevice(text, key);
    device.noteRow(ms);
    for (let f = 0; f < n; f++) {
      if (this.roles[f] !== ROLE_METRIC) continue;
      const id = this.metricIds[f] as number;
      if (this.status[f] === CellStatus.Value) device.addValue(id, ms, this.mantissas[f] as number, this.digits[f] as number);
      else device.addMissing(id, this.reasons[f] as string);
    }
    this.accepted++;
    return null;
  }

  private createDevice(text: string, key: string): GpuAccumulator {
    const pick = (role: number): string | null => {
      const f = this.roles.indexOf(role);
      if (f < 0) return null;
      const value = text.slice(this.starts[f], this.ends[f]);
      return value.length === 0 || value.startsWith('[') || value === 'N/A' ? null : value;
    };
    const device = this.acc.device(this.file, {
      index: pick(ROLE_INDEX),
      uuid: pick(ROLE_UUID),
      busId: pick(ROLE_BUS),
      name: pick(ROLE_NAME),
      driverVersion: pick(ROLE_DRIVER),
    });
    if (pick(ROLE_MIG) === 'Enabled') device.migEnabled = true;
    this.local.set(key, device);
    return device;
  }

  /** Ends the file: an InputError when it held no usable row. */
  finish(): void {
    if (this.restarts > 0) {
      this.acc.warnings.push(`${this.file}: the logger restarted ${this.restarts} time(s) (repeated header); no interval is integrated across a restart`);
    }
    if (this.accepted > 0) return;
    const first = this.acc.rejected.examples.find((r) => r.file === this.file);
    throw unrecognisedFileError(
      this.file,
      'nvidia-smi --query-gpu CSV rows',
      first ? `no usable row; line ${first.line}: ${first.reason}` : 'no data rows',
    );
  }
}

/** Streams one or more --query-gpu logs into `acc` (new accumulator if none given). */
export async function parseQueryGpuFiles(
  files: readonly string[],
  options: QueryGpuOptions = {},
  acc: GpuLogAccumulator = new GpuLogAccumulator(),
): Promise<GpuLogAccumulator> {
  for (const file of files) {
    const parser = new QueryGpuParser(file, acc, options);
    acc.files.push(file);
    await scanLines(file, (text, n, terminated) => parser.line(text, n, terminated), {
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
