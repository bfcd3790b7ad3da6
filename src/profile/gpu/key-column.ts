/**
 * Which column tells the GPUs of a --query-gpu log apart. nvidia-smi's own ids (uuid, bus id,
 * index) are preferred, but users' scripts get them wrong: one real 8-GPU log has `index` 0 on
 * every row and the GPU number in the author's own `gpu` column. Keying by such a column would
 * merge eight GPUs into one, so the head of the file is read first and the key must be one under
 * which no two rows share a timestamp.
 */
import { open } from 'node:fs/promises';
import { InputError } from '../../errors.js';
import type { ProfileWarning } from '../../report/i18n/profile-warnings.js';
import { fieldsFromList, parseHeaderLine, type QueryField } from './nvidia-smi-fields.js';
import { isSecondResolution } from './timestamps.js';

/** Opaque columns that users name for a GPU id. */
const ID_LIKE = /^(gpu|gpu_?(id|index|idx|num|number)|device|device_?id|dev|minor_number)$/i;
const HEAD_BYTES = 256 * 1024;
const MAX_ROWS = 4000;

export interface KeyChoice {
  /** Name of an opaque column to key by instead of uuid/bus/index; undefined: the parser's default. */
  keyField: string | undefined;
  warning: ProfileWarning | undefined;
}

/** The parser's default key: uuid, else bus id, else index (-1: none). */
function defaultKeyColumn(fields: readonly QueryField[]): number {
  for (const kind of ['uuid', 'bus', 'index'] as const) {
    const i = fields.findIndex((f) => f.role.kind === kind);
    if (i >= 0) return i;
  }
  return -1;
}

async function readHead(file: string): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
    const text = buffer.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '');
    return bytesRead === HEAD_BYTES ? text.slice(0, text.lastIndexOf('\n') + 1) : text;
  } finally {
    await handle.close();
  }
}

/** Rows that repeat a (timestamp, key) pair already seen; key -1 means "no key column". */
function countRepeats(rows: readonly string[][], timestamp: number, key: number): { repeats: number; example: string | null } {
  const seen = new Set<string>();
  let repeats = 0;
  let example: string | null = null;
  for (const row of rows) {
    const pair = `${row[timestamp]}\u0000${key >= 0 ? row[key] : ''}`;
    if (seen.has(pair)) {
      repeats++;
      example ??= row[timestamp] ?? null;
    } else seen.add(pair);
  }
  return { repeats, example };
}

/**
 * Reads the head of `file` and chooses the key column; throws an InputError when rows sharing a
 * timestamp cannot be told apart (several GPUs logged without an id).
 */
export async function chooseKeyColumn(file: string, fallbackFields: readonly string[]): Promise<KeyChoice> {
  const none: KeyChoice = { keyField: undefined, warning: undefined };
  let text: string;
  try {
    text = await readHead(file);
  } catch {
    return none; // the parser reports unreadable files
  }
  let fields: QueryField[] | null = null;
  const rows: string[][] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '').trim();
    if (line.length === 0) continue;
    const header = /^[a-zA-Z]/.test(line) ? parseHeaderLine(line) : null;
    if (header !== null) {
      if (fields !== null) break; // a restart: the head up to here is enough
      fields = header;
      continue;
    }
    if (fields === null) {
      const listed = fieldsFromList(fallbackFields);
      if ('bad' in listed || listed.fields.length !== line.split(',').length) continue;
      fields = listed.fields;
    }
    const cells = line.split(',').map((c) => c.trim());
    if (cells.length === fields.length) rows.push(cells);
    if (rows.length >= MAX_ROWS) break;
  }
  if (fields === null || rows.length < 2) return none;
  const timestamp = fields.findIndex((f) => f.role.kind === 'timestamp');
  if (timestamp < 0) return none;
  const key = defaultKeyColumn(fields);
  const current = countRepeats(rows, timestamp, key);
  if (current.repeats === 0) return none;
  const keyColumn = String(fields[key]?.name);
  const keyName = key >= 0 ? `column "${keyColumn}"` : 'no GPU id column';
  const distinct = (c: number): number => new Set(rows.map((r) => r[c])).size;
  const alternative = fields.findIndex(
    (f, i) => i !== key && (f.role.kind === 'uuid' || f.role.kind === 'bus' || f.role.kind === 'index' || ID_LIKE.test(f.name)) && distinct(i) > 1 && countRepeats(rows, timestamp, i).repeats === 0,
  );
  if (alternative >= 0) {
    const name = fields[alternative]?.name as string;
    return {
      keyField: name,
      warning: key >= 0 ? { code: 'gpu-key-not-unique', values: { file, key: keyColumn, column: name } } : { code: 'gpu-no-key-column', values: { file, column: name } },
    };
  }
  // Whole-second timestamps repeat when sampling is faster than 1 s; nvidia-smi's milliseconds do not.
  if (isSecondResolution(current.example ?? '')) {
    return {
      keyField: undefined,
      warning:
        key >= 0
          ? { code: 'gpu-subsecond-sampling', values: { file, count: current.repeats, key: keyColumn } }
          : { code: 'gpu-subsecond-sampling-no-key', values: { file, count: current.repeats } },
    };
  }
  throw new InputError(
    `${current.repeats} row(s) share a timestamp ("${current.example}") with ${keyName === 'no GPU id column' ? 'no GPU id column to tell them apart' : `the same value in ${keyName}`}: several GPUs were logged without an id, and merging them would give wrong figures`,
    { file, hint: 'log a GPU id with the samples: add index or uuid to --query-gpu (e.g. --query-gpu=timestamp,index,uuid,utilization.gpu,...)' },
  );
}
