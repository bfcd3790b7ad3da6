/**
 * Recognises nvidia-smi logs by their content where the first line alone does not tell: the
 * human-readable `nvidia-smi` table printed before the CSV (a common job-script pattern), a
 * headerless `--format=csv,noheader` capture, a UTF-8 BOM, or a UTF-16 file (PowerShell's `>`).
 */
import { open } from 'node:fs/promises';
import { InputError } from '../../errors.js';
import { parseHeaderLine } from './nvidia-smi-fields.js';
import type { LogKind } from '../detect-kind.js';

export type SniffedGpuKind = 'nvidia-smi' | 'compute-apps' | 'dmon';

/** `Fri Dec  3 13:29:07 2021`, `+----+`, `| NVIDIA-SMI … |`, `|====|`: lines of the table. */
function isTableLine(line: string): boolean {
  return /^[+|]/.test(line) || /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d\d:\d\d:\d\d \d{4}$/.test(line);
}

const GPU_UUID_CELL = /(^|,)\s*(GPU|MIG)-[0-9a-f]{8}-[0-9a-f]{4}-/;
/** `--query-compute-apps=pid,process_name,gpu_uuid,used_memory --format=csv,noheader[,nounits]`. */
export const APPS_ROW = /^\d+\s*,[^,]*,\s*GPU-[0-9a-f-]+\s*,\s*(\d+(\s*MiB)?|\[N\/A\]|N\/A)$/;
const APPS_HEADER = (line: string): boolean => /\bpid\b/.test(line) && /used_(gpu_)?memory/.test(line);

/** The text encoding a file's first bytes show: UTF-16 has a BOM or a NUL in every other byte. */
function detectUtf16(head: Buffer): 'UTF-16LE' | 'UTF-16BE' | null {
  if (head[0] === 0xff && head[1] === 0xfe) return 'UTF-16LE';
  if (head[0] === 0xfe && head[1] === 0xff) return 'UTF-16BE';
  const n = Math.min(head.length, 64) & ~1;
  if (n < 8) return null;
  let oddNul = 0;
  let evenNul = 0;
  for (let i = 0; i < n; i += 2) {
    if (head[i] === 0) evenNul++;
    if (head[i + 1] === 0) oddNul++;
  }
  if (oddNul >= (n / 2) * 0.9 && evenNul === 0) return 'UTF-16LE';
  if (evenNul >= (n / 2) * 0.9 && oddNul === 0) return 'UTF-16BE';
  return null;
}

/** The refusal for a UTF-16 log: hpcbench reads logs as UTF-8 bytes, so say how to convert. */
function utf16Error(file: string, encoding: string): InputError {
  return new InputError(`the file is ${encoding} text; nvidia-smi logs are read as UTF-8`, {
    file,
    hint: `convert it first: iconv -f UTF-16 -t UTF-8 '${file}' > converted.csv (PowerShell's \`>\` writes UTF-16; use \`| Out-File -Encoding utf8\`)`,
  });
}

async function readHead(file: string, bytes: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Classifies the lines of a head (already decoded), or null when they are not an nvidia-smi log this module recognises. */
export function sniffGpuLines(lines: readonly string[]): SniffedGpuKind | null {
  const content = lines.map((l) => l.trim()).filter((l) => l.length > 0);
  const first = content[0];
  if (first === undefined) return null;
  if (isTableLine(first) && content.some((l) => /NVIDIA-SMI \d/.test(l))) {
    // The table, then (perhaps) the CSV: the first line that is not the table decides.
    const after = content.find((l) => !isTableLine(l));
    return after !== undefined && APPS_HEADER(after) ? 'compute-apps' : 'nvidia-smi';
  }
  if (/^#\s*(Date\s+Time\s+)?gpu\b/i.test(first)) return 'dmon';
  if (APPS_ROW.test(first)) return 'compute-apps';
  if (GPU_UUID_CELL.test(first) && first.includes(',')) return 'nvidia-smi';
  const header = parseHeaderLine(first);
  if (header !== null && header.length >= 2 && !APPS_HEADER(first)) return 'nvidia-smi';
  return null;
}

/**
 * Reads the head of a file and classifies it as above; a UTF-16 file is decoded first (its
 * parser then refuses it with the conversion command). Null: let the other detectors decide.
 */
export async function sniffGpuLogFile(file: string): Promise<SniffedGpuKind | null> {
  let head: Buffer;
  try {
    head = await readHead(file, 64 * 1024);
  } catch {
    return null; // the caller's own read reports the error
  }
  const utf16 = detectUtf16(head);
  let text: string;
  if (utf16 === 'UTF-16LE') text = head.toString('utf16le');
  else if (utf16 === 'UTF-16BE') text = Buffer.from(head).swap16().toString('utf16le');
  else text = head.toString('utf8');
  text = text.replace(/^\uFEFF/, '');
  const lines = text.split(/\r?\n/);
  // Only whole lines: the last may have been cut by the head's size.
  if (head.length === 64 * 1024) lines.pop();
  return sniffGpuLines(lines);
}

/** Refuses a UTF-16 file before parsing (its rows would all be rejected for their NUL bytes). */
export async function refuseUtf16(file: string): Promise<void> {
  let head: Buffer;
  try {
    head = await readHead(file, 64);
  } catch {
    return; // the parser reports unreadable files
  }
  const encoding = detectUtf16(head);
  if (encoding !== null) throw utf16Error(file, encoding);
}

/**
 * Corrects the kind a GPU log's name suggested when its content says otherwise (dmon output or a
 * compute-apps snapshot saved as `nvidia-smi.csv`): the content wins. Entries are changed in place.
 */
export async function reclassifyGpuLogs(files: { file: string; kind: LogKind }[]): Promise<void> {
  for (const entry of files) {
    if (entry.kind !== 'nvidia-smi' && entry.kind !== 'dmon' && entry.kind !== 'compute-apps') continue;
    const sniffed = await sniffGpuLogFile(entry.file);
    if (sniffed !== null) entry.kind = sniffed;
  }
}

/**
 * True when the file's first data lines have as many cells as the given --query-gpu field list:
 * a headerless log (e.g. `$(date +%s),$(nvidia-smi … --format=csv,noheader,nounits)`) that
 * nothing else recognises, once the user has said which fields it holds.
 */
export async function matchesGpuFields(file: string, fields: readonly string[]): Promise<boolean> {
  let head: Buffer;
  try {
    head = await readHead(file, 16 * 1024);
  } catch {
    return false;
  }
  const lines = head.toString('utf8').replace(/^\uFEFF/, '').split(/\r?\n/);
  if (head.length === 16 * 1024) lines.pop();
  const rows = lines.map((l) => l.trim()).filter((l) => l.length > 0 && !isTableLine(l)).slice(0, 5);
  return rows.length > 0 && rows.every((l) => l.split(',').length === fields.length);
}
