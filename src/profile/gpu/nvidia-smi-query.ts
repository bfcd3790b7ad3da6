import { InputError } from '../../errors.js';
import { unrecognisedFileError, type ReadProgress } from '../lines.js';
import { GpuLogAccumulator } from './log-accumulator.js';
import type { GpuAccumulator } from './metrics.js';
import {
  DEFAULT_GPU_QUERY_FIELDS,
  fieldsFromList,
  INVALID_FIELD_LINE,
  NVIDIA_SMI_FAILURE,
  parseHeaderLine,
  type QueryField,
} from './nvidia-smi-fields.js';
import { cell, CellStatus, parseNumberBytes, parseTimestampBytes } from './nvidia-smi-values.js';
import { parseUserTimestamp, TIMESTAMP_FORMATS } from './timestamps.js';
import { expectedUnitBytes, missingMarker, mismatchedUnit, outsideRange, physicalBounds } from './cell-checks.js';
import { addRestartWarning, addTruncatedWarning, describeRejection, TABLE_DATE_BANNER, TABLE_LINE_REASON, tableOnlyError } from './nvidia-smi-messages.js';


export interface QueryGpuOptions {
  /** Field list of a headerless log (default DEFAULT_GPU_QUERY_FIELDS). A header overrides it. */
  fields?: readonly string[];
  /** An opaque column that identifies the GPU instead of uuid/bus/index (see chooseKeyColumn). */
  keyField?: string;
  /**
   * Parse large files on several threads (default true). Each thread takes a byte range; the
   * results are merged exactly (counts add up; integrals are stitched at the range borders).
   */
  parallel?: boolean;
  onProgress?: (progress: ReadProgress) => void;
  signal?: AbortSignal;
}

/** Where a range parser starts: the file's first header line (null if none), and whether it is range 0. */
export interface RangeStart {
  header: string | null;
  first: boolean;
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
  private readonly keyField: string | undefined;
  /** The key column is an opaque one (keyField): its value is the GPU's index in the identity. */
  private keyIsOpaque = false;
  private roles = new Uint8Array(0);
  private metricIds = new Int8Array(0);
  /** Columns holding metrics, so committing a row skips the others. */
  private metricColumns = new Int32Array(0);
  /** Per column: the unit its cells must carry (if any), and its physical bounds. */
  private units: (Buffer | null)[] = [];
  private lower = new Float64Array(0);
  private upper = new Float64Array(0);
  /** Columns hpcbench does not summarise: only their missing markers are counted. */
  private opaqueColumns = new Int32Array(0);
  /** Columns with a finite upper bound (utilisation): the only ones checked on every row. */
  private boundedColumns = new Int32Array(0);
  private keyColumn = -1;
  private mantissas = new Float64Array(0);
  private digits = new Uint8Array(0);
  private status = new Uint8Array(0);
  private reasons: string[] = [];
  private starts = new Int32Array(0);
  private ends = new Int32Array(0);
  /** Devices of this file by key text; a short list scanned without allocating a key string. */
  private localKeys: Buffer[] = [];
  private localDevices: GpuAccumulator[] = [];
  private lastFound = 0;
  /** The line being parsed, for errors raised while creating a device. */
  private lineNumber = 0;
  private headerText: string | null = null;
  restarts = 0;
  accepted = 0;
  /** Lines of nvidia-smi's human-readable table, skipped (and counted as rejected). */
  tableLines = 0;
  /** Line of a last line without a line end, dropped with a warning. */
  truncatedLine: number | null = null;
  /** A range parser met a header other than the file's first: ranges after it need a re-parse. */
  fieldsChanged = false;
  private readonly range: RangeStart | undefined;

  /**
   * `range` starts a parser in the middle of a file (parallel parsing): with the header in force
   * there (the file's first one, or null for a headerless file) and line numbers left relative.
   */
  constructor(file: string, acc: GpuLogAccumulator, options: QueryGpuOptions = {}, range?: RangeStart) {
    this.file = file;
    this.acc = acc;
    this.fallbackFields = options.fields ?? DEFAULT_GPU_QUERY_FIELDS;
    this.keyField = options.keyField;
    this.range = range;
    if (range?.header != null && !range.first) {
      const header = parseHeaderLine(range.header);
      if (header !== null) {
        this.headerText = range.header;
        this.useFields(header);
      }
    }
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
    const chosen = this.keyField === undefined ? -1 : fields.findIndex((f) => f.name === this.keyField);
    this.keyIsOpaque = chosen >= 0 && this.roles[chosen] === ROLE_OTHER;
    if (chosen >= 0) this.keyColumn = chosen;
    this.metricColumns = Int32Array.from(fields.flatMap((field, i) => (field.role.kind === 'metric' ? [i] : [])));
    this.units = fields.map(expectedUnitBytes);
    this.opaqueColumns = Int32Array.from(fields.flatMap((field, i) => (this.roles[i] === ROLE_OTHER && i !== this.keyColumn ? [i] : [])));
    this.lower = Float64Array.from(fields.map((f) => physicalBounds(f)[0]));
    this.upper = Float64Array.from(fields.map((f) => physicalBounds(f)[1]));
    this.boundedColumns = Int32Array.from(fields.flatMap((_, i) => ((this.upper[i] as number) < Infinity ? [i] : [])));
    this.localKeys = [];
    this.localDevices = [];
  }

  /** One line as text (tests, small inputs); the file path goes through `lineBytes`. */
  line(text: string, lineNumber: number, terminated: boolean): void {
    const bytes = Buffer.from(text, 'utf8');
    this.lineBytes(bytes, 0, bytes.length, lineNumber, terminated);
  }

  /** One line, as bytes [start, end) of `buffer`; `terminated` is false for a last line without a line end. */
  lineBytes(buffer: Buffer, start: number, end: number, lineNumber: number, terminated: boolean): void {
    this.lineNumber = lineNumber;
    // A UTF-8 byte-order mark (Windows editors, PowerShell redirections) before the header.
    if (lineNumber === 1 && this.range?.first !== false && buffer[start] === 0xef && buffer[start + 1] === 0xbb && buffer[start + 2] === 0xbf) start += 3;
    const lead = buffer[start];
    if (lead === undefined || start >= end) return;
    let first = lead;
    if (first === 32 || first === 9) {
      let i = start;
      while (i < end && (buffer[i] === 32 || buffer[i] === 9)) i++;
      if (i === end) return;
      first = buffer[i] as number;
    }
    // Data rows start with a digit (timestamp, index) unless the first field is textual, so
    // only lines starting with a letter are checked for headers and nvidia-smi messages.
    if ((first >= 97 && first <= 122) || (first >= 65 && first <= 90)) {
      if (this.handleSpecialLine(buffer.toString('utf8', start, end), lineNumber)) return;
    } else if (first === 43 || first === 124) {
      // `+----+` and `| … |`: the human-readable `nvidia-smi` table job scripts print first.
      this.rejectTableLine(lineNumber);
      return;
    }
    if (!terminated) {
      this.truncatedLine = lineNumber;
      if (this.range === undefined) addTruncatedWarning(this.acc, this.file, lineNumber);
      return;
    }
    if (this.fields === null) {
      const result = fieldsFromList(this.fallbackFields);
      if ('bad' in result) throw new InputError(`"${result.bad}" is not an nvidia-smi field name`, { file: this.file });
      let cells = 1;
      for (let i = start; i < end; i++) if (buffer[i] === 44) cells++;
      if (cells !== result.fields.length) {
        throw new InputError(
          `no header line and ${cells} fields per row, but the field list has ${result.fields.length} (${this.fallbackFields.join(',')})`,
          { file: this.file, line: lineNumber, hint: 'pass the --query-gpu field list the log was written with (`hpcbench profile --gpu-fields timestamp,index,… <file>`, or profiling.gpu_fields in hpcbench.yaml), or log with a header (--format=csv)' },
        );
      }
      this.useFields(result.fields);
    }
    const reason = this.parseRow(buffer, start, end);
    if (reason !== null) this.acc.rejected.add(this.file, lineNumber, describeRejection(buffer, start, end, reason));
  }

  private rejectTableLine(lineNumber: number): void {
    this.tableLines++;
    this.acc.rejected.add(this.file, lineNumber, TABLE_LINE_REASON);
  }

  /** Headers, repeated headers and nvidia-smi messages. True when the line was consumed. */
  private handleSpecialLine(text: string, lineNumber: number): boolean {
    if (text === this.headerText) {
      this.restarts++;
      for (const device of this.localDevices) device.breakSegments();
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
    if (TABLE_DATE_BANNER.test(text)) {
      this.rejectTableLine(lineNumber);
      return true;
    }
    if (NVIDIA_SMI_FAILURE.test(text)) {
      this.acc.rejected.add(this.file, lineNumber, `nvidia-smi message, not data: ${text.slice(0, 120)}`);
      return true;
    }
    const header = parseHeaderLine(text);
    if (header === null) return false;
    if (this.range !== undefined && text !== this.range.header) this.fieldsChanged = true;
    if (this.headerText !== null || this.accepted > 0) {
      this.restarts++;
      for (const device of this.localDevices) device.breakSegments();
    }
    this.headerText = text;
    this.useFields(header);
    return true;
  }

  /** Parses and commits one data row; returns the rejection reason or null. */
  private parseRow(buffer: Buffer, start: number, end: number): string | null {
    const fields = this.fields as QueryField[];
    const n = fields.length;
    const excerpt = (s: number, e: number): string => buffer.toString('utf8', s, Math.min(e, s + 40));
    let pos = start;
    let ms = Number.NaN;
    for (let f = 0; f < n; f++) {
      const role = this.roles[f];
      // Fast paths touch each byte once: a bare number (nounits) or a 23-byte timestamp followed
      // directly by the separator. Anything else takes the general path below.
      if (role === ROLE_METRIC) {
        let i = pos;
        while (i < end && buffer[i] === 32) i++;
        let mantissa = 0;
        let digits = 0;
        let count = 0;
        let dot = false;
        for (; i < end; i++) {
          const c = buffer[i] as number;
          if (c >= 48 && c <= 57) {
            mantissa = mantissa * 10 + (c - 48);
            count++;
            if (dot) digits++;
          } else if (c === 46 && !dot) dot = true;
          else break;
        }
        if (count > 0 && count <= 15 && (i === end || buffer[i] === 44) && (f === n - 1) === (i === end)) {
          this.status[f] = CellStatus.Value;
          this.mantissas[f] = mantissa;
          this.digits[f] = digits;
          pos = i + 1;
          continue;
        }
      } else if (role === ROLE_TIMESTAMP && pos + 23 <= end && (pos + 23 === end || buffer[pos + 23] === 44)) {
        ms = parseTimestampBytes(buffer, pos, pos + 23);
        if (ms === ms && (f === n - 1) === (pos + 23 === end)) {
          pos += 24;
          continue;
        }
      }
      // A JS loop, not buffer.indexOf: cells are a few bytes, and a native call per cell costs more.
      let cellEnd = pos;
      while (cellEnd < end && buffer[cellEnd] !== 44) cellEnd++;
      if (cellEnd === end && f < n - 1) return `expected ${n} fields, found ${f + 1}`;
      let s = pos;
      while (s < cellEnd && buffer[s] === 32) s++;
      let e = cellEnd;
      while (e > s && buffer[e - 1] === 32) e--;
      pos = cellEnd + 1;
      if (role === ROLE_METRIC) {
        const status = parseNumberBytes(buffer, s, e);
        this.status[f] = status;
        if (status === CellStatus.Value) {
          const unit = mismatchedUnit(buffer, s, e, this.units[f] ?? null);
          if (unit !== null) return `field "${fields[f]?.name}": unit "${unit}" differs from the column's "${this.units[f]?.toString('latin1')}"`;
          // Only this path reads a sign, so only here can a value fall below its lower bound.
          if (cell.mantissa < 0 && (this.lower[f] as number) >= 0) return outsideRange(fields[f], cell.mantissa / 10 ** cell.digits, this.lower[f] as number, this.upper[f] as number);
          this.mantissas[f] = cell.mantissa;
          this.digits[f] = cell.digits;
        } else if (status === CellStatus.Missing) {
          this.reasons[f] = cell.reason;
        } else {
          return `field "${fields[f]?.name}": expected a number (optionally with a unit) or [N/A], found "${excerpt(s, e)}"`;
        }
      } else if (role === ROLE_TIMESTAMP) {
        ms = parseTimestampBytes(buffer, s, e);
        if (ms !== ms) ms = parseUserTimestamp(buffer.toString('latin1', s, e));
        if (ms !== ms) return `field "timestamp": expected ${TIMESTAMP_FORMATS}, found "${excerpt(s, e)}"`;
      } else {
        this.starts[f] = s;
        this.ends[f] = e;
      }
    }
    if (pos <= end) return `expected ${n} fields, found more`;
    const outside = this.checkBounds();
    if (outside !== null) return outside;
    const device = this.findDevice(buffer);
    if (typeof device === 'string') return device;
    device.noteRow(ms);
    const metricColumns = this.metricColumns;
    for (let k = 0; k < metricColumns.length; k++) {
      const f = metricColumns[k] as number;
      const id = this.metricIds[f] as number;
      if (this.status[f] === CellStatus.Value) device.addValue(id, ms, this.mantissas[f] as number, this.digits[f] as number);
      else device.addMissing(id, this.reasons[f] as string);
    }
    const opaque = this.opaqueColumns;
    for (let k = 0; k < opaque.length; k++) {
      const f = opaque[k] as number;
      const reason = missingMarker(buffer, this.starts[f] as number, this.ends[f] as number);
      if (reason !== null) device.addOtherMissing(fields[f]?.name as string, reason);
    }
    this.accepted++;
    return null;
  }

  /** A value above its metric's physical maximum, as a rejection reason; null when all are plausible. */
  private checkBounds(): string | null {
    const columns = this.boundedColumns;
    for (let k = 0; k < columns.length; k++) {
      const f = columns[k] as number;
      if (this.status[f] !== CellStatus.Value) continue;
      const digits = this.digits[f] as number;
      const value = (this.mantissas[f] as number) / (digits === 0 ? 1 : 10 ** digits);
      if (value > (this.upper[f] as number)) return outsideRange(this.fields?.[f], value, this.lower[f] as number, this.upper[f] as number);
    }
    return null;
  }

  /**
   * The row's device, matched on the key cell in place: interleaved GPUs come round-robin, so
   * the search starts after the last match. Returns a rejection reason for an empty key.
   */
  private findDevice(buffer: Buffer): GpuAccumulator | string {
    if (this.keyColumn < 0) {
      return this.localDevices[0] ?? this.createDevice(buffer, Buffer.alloc(0));
    }
    const s = this.starts[this.keyColumn] as number;
    const e = this.ends[this.keyColumn] as number;
    const length = e - s;
    const keys = this.localKeys;
    const n = keys.length;
    for (let k = 0, i = this.lastFound + 1; k < n; k++, i++) {
      if (i >= n) i = 0;
      const key = keys[i] as Buffer;
      if (key.length !== length) continue;
      let j = 0;
      while (j < length && key[j] === buffer[s + j]) j++;
      if (j === length) {
        this.lastFound = i;
        return this.localDevices[i] as GpuAccumulator;
      }
    }
    const key = Buffer.from(buffer.subarray(s, e));
    const text = key.toString('utf8');
    if (key.some((b) => b < 32)) return `field "${this.fields?.[this.keyColumn]?.name}": control bytes in the GPU identifier`;
    if (text.length === 0 || text.startsWith('[') || text === 'N/A') {
      return `field "${this.fields?.[this.keyColumn]?.name}": no GPU identifier ("${text.slice(0, 40)}")`;
    }
    return this.createDevice(buffer, key);
  }

  private createDevice(buffer: Buffer, key: Buffer): GpuAccumulator {
    const pick = (role: number): string | null => {
      const f = this.roles.indexOf(role);
      if (f < 0) return null;
      const value = buffer.toString('utf8', this.starts[f], this.ends[f]);
      return value.length === 0 || value.startsWith('[') || value === 'N/A' ? null : value;
    };
    const device = this.acc.device(
      this.file,
      {
        index: this.keyIsOpaque ? key.toString('utf8') : pick(ROLE_INDEX),
        uuid: pick(ROLE_UUID),
        busId: pick(ROLE_BUS),
        name: pick(ROLE_NAME),
        driverVersion: pick(ROLE_DRIVER),
      },
      this.lineNumber,
    );
    if (pick(ROLE_MIG) === 'Enabled') device.migEnabled = true;
    // Met first after a restart: nothing before it in this file may be joined to it.
    if (this.restarts > 0) device.breakSegments();
    this.localKeys.push(key);
    this.localDevices.push(device);
    this.lastFound = this.localKeys.length - 1;
    return device;
  }

  /** The devices of this file (or range), in the order met. */
  get devices(): readonly GpuAccumulator[] {
    return this.localDevices;
  }

  /** Ends the file: an InputError when it held no usable row. */
  finish(): void {
    if (this.restarts > 0) addRestartWarning(this.acc, this.file, this.restarts);
    if (this.accepted > 0) return;
    if (this.tableLines > 0 && this.tableLines === this.acc.rejected.countIn(this.file)) throw tableOnlyError(this.file, this.tableLines);
    const first = this.acc.rejected.examples.find((r) => r.file === this.file);
    throw unrecognisedFileError(
      this.file,
      'nvidia-smi --query-gpu CSV rows',
      first ? `no usable row; line ${first.line}: ${first.reason}` : 'no data rows',
    );
  }
}
