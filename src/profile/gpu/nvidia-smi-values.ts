/**
 * Character-level parsing of nvidia-smi cells, allocation-free on the hot path: a 2 GB log has
 * over 100 million cells, so numbers are read from char codes instead of split/parseFloat.
 * Results go to the module-level `cell` scratch record.
 */

export const CellStatus = { Value: 0, Missing: 1, Invalid: 2 } as const;
export type CellStatus = (typeof CellStatus)[keyof typeof CellStatus];

export const cell = { mantissa: 0, digits: 0, reason: '' };

const MAX_SAFE = Number.MAX_SAFE_INTEGER / 10;

/**
 * A number with an optional unit (`45`, `45 %`, `250.13 W`, `1234 MiB`), or a missing marker:
 * `[N/A]`, `[Not Supported]`, `[Unknown Error]`, `[Insufficient Permissions]`, bare `N/A`, and
 * `-` (dmon). Reads line[start, end) with surrounding spaces already trimmed.
 */
export function parseNumberCell(line: string, start: number, end: number): CellStatus {
  if (start >= end) {
    cell.reason = 'empty';
    return CellStatus.Missing;
  }
  let i = start;
  let negative = false;
  let c = line.charCodeAt(i);
  if (c === 45 /* - */) {
    if (end - start === 1) {
      cell.reason = '-';
      return CellStatus.Missing;
    }
    negative = true;
    i++;
  }
  let mantissa = 0;
  let digits = 0;
  let seenDigit = false;
  let dot = false;
  for (; i < end; i++) {
    c = line.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (mantissa > MAX_SAFE) return CellStatus.Invalid;
      mantissa = mantissa * 10 + (c - 48);
      seenDigit = true;
      if (dot) digits++;
    } else if (c === 46 /* . */ && !dot) {
      dot = true;
    } else break;
  }
  if (!seenDigit) {
    const first = line.charCodeAt(start);
    if (first === 91 /* [ */ && line.charCodeAt(end - 1) === 93 /* ] */) {
      cell.reason = line.slice(start + 1, end - 1).trim() || 'empty';
      return CellStatus.Missing;
    }
    if (end - start === 3 && line.startsWith('N/A', start)) {
      cell.reason = 'N/A';
      return CellStatus.Missing;
    }
    return CellStatus.Invalid;
  }
  if (i < end) {
    // Only a space and a unit may follow the number: " %", " MiB", " W", " MHz", " C".
    if (line.charCodeAt(i) !== 32) return CellStatus.Invalid;
    for (i++; i < end; i++) {
      c = line.charCodeAt(i);
      const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 37 /* % */ || c === 47 /* / */;
      if (!letter) return CellStatus.Invalid;
    }
  }
  cell.mantissa = negative ? -mantissa : mantissa;
  cell.digits = digits;
  return CellStatus.Value;
}

function digitsAt(line: string, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const c = line.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    value = value * 10 + (c - 48);
  }
  return value;
}

let cachedDayKey = -1;
let cachedDayMs = 0;

/** Midnight of a calendar date in ms (NaN if no such date); cached, logs stay on one day for long. */
function dayMs(year: number, month: number, day: number): number {
  const key = year * 10000 + month * 100 + day;
  if (key !== cachedDayKey) {
    const valid = year >= 0 && month >= 1 && month <= 12 && day >= 1 && day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
    cachedDayKey = key;
    cachedDayMs = valid ? Date.UTC(year, month - 1, day) : Number.NaN;
  }
  return cachedDayMs;
}

/** The inverse of parseQueryTimestamp for metrics.json: ISO 8601 with no zone, as nvidia-smi gave none; null for NaN. */
export function formatQueryTimestamp(ms: number): string | null {
  return Number.isFinite(ms) ? new Date(ms).toISOString().slice(0, -1) : null;
}

/**
 * `YYYY/MM/DD HH:MM:SS[.fff]` (nvidia-smi's timestamp) → milliseconds, read as UTC: only
 * differences matter, and the node's zone is unknown. NaN when malformed.
 */
export function parseQueryTimestamp(line: string, start: number, end: number): number {
  if (end - start < 19) return Number.NaN;
  if (line.charCodeAt(start + 4) !== 47 || line.charCodeAt(start + 7) !== 47 || line.charCodeAt(start + 10) !== 32) return Number.NaN;
  if (line.charCodeAt(start + 13) !== 58 || line.charCodeAt(start + 16) !== 58) return Number.NaN;
  const year = digitsAt(line, start, 4);
  const month = digitsAt(line, start + 5, 2);
  const day = digitsAt(line, start + 8, 2);
  return combine(line, start + 11, end, year, month, day);
}

/** dmon's `YYYYMMDD` date and `HH:MM:SS` time cells → milliseconds (UTC reading). */
export function parseDmonDateTime(date: string | null, time: string): number {
  let year = 1970;
  let month = 1;
  let day = 1;
  if (date !== null) {
    if (date.length !== 8) return Number.NaN;
    year = digitsAt(date, 0, 4);
    month = digitsAt(date, 4, 2);
    day = digitsAt(date, 6, 2);
  }
  if (time.length < 8 || time.charCodeAt(2) !== 58 || time.charCodeAt(5) !== 58) return Number.NaN;
  return combine(time, 0, time.length, year, month, day);
}

function combine(text: string, at: number, end: number, year: number, month: number, day: number): number {
  const hour = digitsAt(text, at, 2);
  const minute = digitsAt(text, at + 3, 2);
  const second = digitsAt(text, at + 6, 2);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) return Number.NaN;
  if (year < 0 || month < 0 || day < 0) return Number.NaN;
  let ms = 0;
  let i = at + 8;
  if (i < end) {
    if (text.charCodeAt(i) !== 46) return Number.NaN;
    let scale = 100;
    let any = false;
    for (i++; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) return Number.NaN;
      ms += (c - 48) * scale;
      scale /= 10;
      any = true;
    }
    if (!any) return Number.NaN;
  }
  return dayMs(year, month, day) + ((hour * 60 + minute) * 60 + second) * 1000 + ms;
}

/** parseNumberCell over bytes: the --query-gpu hot path reads the file's buffer directly. */
export function parseNumberBytes(buffer: Uint8Array, start: number, end: number): CellStatus {
  if (start >= end) {
    cell.reason = 'empty';
    return CellStatus.Missing;
  }
  let i = start;
  let negative = false;
  let c = buffer[i] as number;
  if (c === 45) {
    if (end - start === 1) {
      cell.reason = '-';
      return CellStatus.Missing;
    }
    negative = true;
    i++;
  }
  let mantissa = 0;
  let digits = 0;
  let seenDigit = false;
  let dot = false;
  for (; i < end; i++) {
    c = buffer[i] as number;
    if (c >= 48 && c <= 57) {
      if (mantissa > MAX_SAFE) return CellStatus.Invalid;
      mantissa = mantissa * 10 + (c - 48);
      seenDigit = true;
      if (dot) digits++;
    } else if (c === 46 && !dot) {
      dot = true;
    } else break;
  }
  if (!seenDigit) {
    if (buffer[start] === 91 && buffer[end - 1] === 93) {
      cell.reason = Buffer.from(buffer.buffer, buffer.byteOffset + start + 1, end - start - 2).toString('utf8').trim() || 'empty';
      return CellStatus.Missing;
    }
    if (end - start === 3 && buffer[start] === 78 && buffer[start + 1] === 47 && buffer[start + 2] === 65) {
      cell.reason = 'N/A';
      return CellStatus.Missing;
    }
    return CellStatus.Invalid;
  }
  if (i < end) {
    if (buffer[i] !== 32) return CellStatus.Invalid;
    for (i++; i < end; i++) {
      c = buffer[i] as number;
      const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 37 || c === 47;
      if (!letter) return CellStatus.Invalid;
    }
  }
  cell.mantissa = negative ? -mantissa : mantissa;
  cell.digits = digits;
  return CellStatus.Value;
}

function byteDigits(buffer: Uint8Array, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const c = buffer[i] as number;
    if (c < 48 || c > 57) return -1;
    value = value * 10 + (c - 48);
  }
  return value;
}

/** parseQueryTimestamp over bytes. */
export function parseTimestampBytes(buffer: Uint8Array, start: number, end: number): number {
  if (end - start < 19) return Number.NaN;
  if (buffer[start + 4] !== 47 || buffer[start + 7] !== 47 || buffer[start + 10] !== 32) return Number.NaN;
  if (buffer[start + 13] !== 58 || buffer[start + 16] !== 58) return Number.NaN;
  const year = byteDigits(buffer, start, 4);
  const month = byteDigits(buffer, start + 5, 2);
  const day = byteDigits(buffer, start + 8, 2);
  const hour = byteDigits(buffer, start + 11, 2);
  const minute = byteDigits(buffer, start + 14, 2);
  const second = byteDigits(buffer, start + 17, 2);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) return Number.NaN;
  if (year < 0 || month < 0 || day < 0) return Number.NaN;
  let ms = 0;
  let i = start + 19;
  if (i < end) {
    if (buffer[i] !== 46) return Number.NaN;
    let scale = 100;
    for (i++; i < end; i++) {
      const c = buffer[i] as number;
      if (c < 48 || c > 57) return Number.NaN;
      ms += (c - 48) * scale;
      scale /= 10;
    }
    if (end === start + 20) return Number.NaN;
  }
  return dayMs(year, month, day) + ((hour * 60 + minute) * 60 + second) * 1000 + ms;
}
