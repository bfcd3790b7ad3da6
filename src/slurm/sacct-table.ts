/**
 * sacct output as people save it, read into named columns: `-P`/`--parsable2` and `-p` (trailing
 * `|`) with their header line, the default fixed-width table (the dash line under the header gives
 * the column spans), and either of them headerless (`-n`/`--noheader`) when the field list is
 * given. Columns are matched by name, so any order and any field set is read. The shape is found
 * from the content, never the file name. hpcbench's own 26-field layout is read by sacct.ts.
 */
import { InputError } from '../errors.js';

const UNIT_SEPARATOR = '\u001f';

export interface SacctTableRow {
  /** 1-based line in the file. */
  line: number;
  /** Canonical field name (`JobID`, `MaxRSS`, ...) → value as printed, trimmed. */
  values: Record<string, string>;
}

export interface SacctTable {
  format: 'pipe' | 'fixed';
  headerInFile: boolean;
  /** Canonical names, in file order. */
  columns: string[];
  rows: SacctTableRow[];
  /** Lines that are not rows (job names echoed between sacct calls in a job log), 1-based. */
  skippedLines: number[];
}

export interface ReadSacctTableOptions {
  /** Named in errors. */
  file?: string;
  /**
   * The `--format` list of headerless output, e.g. `JobID,JobName%12,MaxRSS`. A `%N` width is
   * needed for fixed-width columns whose width is not sacct's default.
   */
  fields?: string;
}

/** sacct's field names, for matching headers case-insensitively and expanding cut ones (`ExitCo`). */
const KNOWN_FIELDS = [
  'JobID', 'JobIDRaw', 'JobName', 'Partition', 'Account', 'User', 'Group', 'UID', 'GID', 'AllocCPUS', 'NCPUS',
  'ReqCPUS', 'AllocNodes', 'NNodes', 'ReqNodes', 'State', 'ExitCode', 'DerivedExitCode', 'Elapsed', 'ElapsedRaw',
  'TotalCPU', 'UserCPU', 'SystemCPU', 'CPUTime', 'CPUTimeRAW', 'MaxRSS', 'AveRSS', 'MaxVMSize', 'AveVMSize',
  'ReqMem', 'AllocTRES', 'ReqTRES', 'TRESUsageInMax', 'TRESUsageInTot', 'NodeList', 'Submit', 'Start', 'End', 'Eligible',
  'Timelimit', 'TimelimitRaw', 'ConsumedEnergy', 'ConsumedEnergyRaw', 'ResvCPU', 'ResvCPURAW', 'Priority', 'QOS',
  'Reason', 'Comment', 'WorkDir', 'Cluster', 'NTasks', 'MaxDiskRead', 'MaxDiskWrite', 'AveCPU', 'Suspended',
] as const;

const BY_LOWER = new Map<string, string>(KNOWN_FIELDS.map((f) => [f.toLowerCase(), f]));

/** sacct's default column widths (`--format=Name%N` overrides them); 10 for the rest. */
const DEFAULT_WIDTH: Readonly<Record<string, number>> = {
  JobID: 12, JobIDRaw: 12, ExitCode: 8, DerivedExitCode: 11, NodeList: 15, Submit: 19, Start: 19, End: 19,
  Eligible: 19, AllocTRES: 10, ReqTRES: 10, WorkDir: 10, Comment: 10,
};

/**
 * The canonical spelling of a header cell: exact (any case), else the one field it is a cut prefix of.
 */
function canonicalSacctField(name: string): string {
  const plain = name.trim().replace(/\+$/, '');
  const exact = BY_LOWER.get(plain.toLowerCase());
  if (exact !== undefined) return exact;
  const lower = plain.toLowerCase();
  const prefixed = KNOWN_FIELDS.filter((f) => f.toLowerCase().startsWith(lower));
  return prefixed.length === 1 && prefixed[0] !== undefined && lower.length >= 3 ? prefixed[0] : plain;
}

const DASH_LINE = /^\s*-{2,}(?:\s+-+)*\s*$/;
const JOB_ID_START = /^\d+(?:[_+.[]|$)/;

function splitLines(text: string): string[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n|\r/);
  while (lines.length > 0 && lines[lines.length - 1]?.trim() === '') lines.pop();
  return lines;
}

/** Parses `JobID,JobName%12` into names and fixed widths. */
function parseFieldList(fields: string, file: string | undefined): { names: string[]; widths: number[] } {
  const names: string[] = [];
  const widths: number[] = [];
  for (const raw of fields.split(/[,\s]+/).filter((f) => f !== '')) {
    const match = /^([A-Za-z]+)(?:%(-?\d+))?$/.exec(raw);
    if (match?.[1] === undefined) {
      throw new InputError(`sacct field list entry ${JSON.stringify(raw)} is not a field name (with an optional %width)`, {
        file,
        hint: 'give the list as sacct --format takes it, e.g. JobID,JobName%20,State,Elapsed,TotalCPU,NCPUS,MaxRSS,ReqMem',
      });
    }
    const name = canonicalSacctField(match[1]);
    names.push(name);
    widths.push(match[2] === undefined ? (DEFAULT_WIDTH[name] ?? 10) : Math.abs(Number(match[2])));
  }
  return { names, widths };
}

/** Column spans [start, end) from a dash line: one per run of dashes. */
function spansFromDashes(dashLine: string): [number, number][] {
  const spans: [number, number][] = [];
  for (const match of dashLine.matchAll(/-+/g)) spans.push([match.index, match.index + match[0].length]);
  return spans;
}

function spansFromWidths(widths: readonly number[]): [number, number][] {
  const spans: [number, number][] = [];
  let pos = 0;
  for (const w of widths) {
    spans.push([pos, pos + w]);
    pos += w + 1;
  }
  return spans;
}

function cut(line: string, spans: readonly [number, number][], last: boolean): string[] {
  // The last column runs to the end of the line: a `%-N` or overflowing value is not cut short.
  return spans.map(([start, end], i) => line.slice(start, last && i === spans.length - 1 ? undefined : end).trim());
}

/** A known field name, or one cut to its column width (`ExitCo`). */
function isHeaderCell(cell: string): boolean {
  return BY_LOWER.has(canonicalSacctField(cell).toLowerCase());
}

function readPipe(lines: string[], first: number, options: ReadSacctTableOptions): SacctTable {
  const file = options.file;
  const head = lines[first] ?? '';
  const delimiter = head.includes(UNIT_SEPARATOR) ? UNIT_SEPARATOR : '|';
  const headCells = head.split(delimiter);
  if (headCells.length > 1 && headCells[headCells.length - 1] === '') headCells.pop();
  const headerInFile = headCells.every((c) => isHeaderCell(c));
  let columns: string[];
  if (headerInFile) columns = headCells.map(canonicalSacctField);
  else if (options.fields !== undefined) columns = parseFieldList(options.fields, file).names;
  else {
    throw new InputError(`sacct output without a header line (${headCells.length} fields); the field list is needed to read it`, {
      file,
      line: first + 1,
      hint: 'save sacct without --noheader/-n, or give the --format field list (profile --sacct-fields, or profiling.sacct_fields in hpcbench.yaml)',
    });
  }
  const rows: SacctTableRow[] = [];
  for (let i = headerInFile ? first + 1 : first; i < lines.length; i++) {
    const text = lines[i] ?? '';
    if (text.trim() === '') continue;
    const cells = text.split(delimiter);
    // `-p` ends every line with the delimiter.
    if (cells.length === columns.length + 1 && cells[cells.length - 1] === '') cells.pop();
    if (cells.length !== columns.length) {
      throw new InputError(`expected ${columns.length} fields separated by "${delimiter === '|' ? '|' : '\\x1f'}" (${columns.join(',')}), found ${cells.length}`, {
        file,
        line: i + 1,
        hint: 'every row of one sacct call has the header\'s fields; was the file cut or were two calls with different --format concatenated?',
      });
    }
    rows.push({ line: i + 1, values: Object.fromEntries(columns.map((c, k) => [c, (cells[k] ?? '').trim()])) });
  }
  return { format: 'pipe', headerInFile, columns, rows, skippedLines: [] };
}

function readFixed(lines: string[], headerLine: number | undefined, spans: [number, number][], columns: string[], start: number, file: string | undefined): SacctTable {
  const rows: SacctTableRow[] = [];
  const skippedLines: number[] = [];
  const header = headerLine === undefined ? undefined : lines[headerLine];
  const jobIdColumn = columns.indexOf('JobID');
  for (let i = start; i < lines.length; i++) {
    const text = lines[i] ?? '';
    // A second sacct call in the same log repeats its header and dash line.
    if (text.trim() === '' || DASH_LINE.test(text) || (header !== undefined && text.trimEnd() === header.trimEnd())) continue;
    const values = cut(text, spans, true);
    if (jobIdColumn >= 0 && !JOB_ID_START.test(values[jobIdColumn] ?? '')) {
      // A lone word is a job name the job script echoed before calling sacct, not a row.
      if (!/\s/.test(text.trim())) {
        skippedLines.push(i + 1);
        continue;
      }
      throw new InputError(`expected a sacct row starting with a job id in columns ${(spans[jobIdColumn]?.[0] ?? 0) + 1}-${spans[jobIdColumn]?.[1] ?? 0}, found ${JSON.stringify(text.slice(0, 80))}`, {
        file,
        line: i + 1,
        hint: 'the columns are taken from the dash line (or the field list widths); check that the file is one sacct table',
      });
    }
    rows.push({ line: i + 1, values: Object.fromEntries(columns.map((c, k) => [c, values[k] ?? ''])) });
  }
  return { format: 'fixed', headerInFile: headerLine !== undefined, columns, rows, skippedLines };
}

/** True when the text looks like sacct output in one of the shapes readSacctTable takes. */
export function looksLikeSacctTable(text: string): boolean {
  const lines = splitLines(text.slice(0, 8192)).filter((l) => l.trim() !== '');
  const first = lines[0] ?? '';
  const second = lines[1] ?? '';
  if (DASH_LINE.test(second)) return first.trim().split(/\s+/).every(isHeaderCell);
  const cells = first.split(first.includes(UNIT_SEPARATOR) ? UNIT_SEPARATOR : '|');
  if (cells.length < 2) return false;
  if (cells[cells.length - 1] === '') cells.pop();
  return cells.every(isHeaderCell) && cells.some((c) => c.trim() !== '');
}

export function readSacctTable(text: string, options: ReadSacctTableOptions = {}): SacctTable {
  const lines = splitLines(text);
  const file = options.file;
  const first = lines.findIndex((l) => l.trim() !== '');
  if (first < 0) throw new InputError('empty sacct output', { file, hint: 'sacct printed nothing: check the job ids and --starttime' });
  const dash = lines.findIndex((l, i) => i <= first + 1 && i > first - 1 && DASH_LINE.test(l));
  if (dash > first) {
    const spans = spansFromDashes(lines[dash] ?? '');
    const columns = cut(lines[dash - 1] ?? '', spans, false).map(canonicalSacctField);
    return readFixed(lines, dash - 1, spans, columns, dash + 1, file);
  }
  const firstLine = lines[first] ?? '';
  if (firstLine.includes('|') || firstLine.includes(UNIT_SEPARATOR)) return readPipe(lines, first, options);
  if (options.fields !== undefined) {
    const { names, widths } = parseFieldList(options.fields, file);
    return readFixed(lines, undefined, spansFromWidths(widths), names, first, file);
  }
  const headerless = lines.find((l) => /^\d+(?:_\d+)?(?:\.\S+)?\s+\S/.test(l));
  if (headerless !== undefined) {
    throw new InputError('sacct\'s fixed-width table without its header and dash line (--noheader): the column list and widths are needed to read it', {
      file,
      line: lines.indexOf(headerless) + 1,
      hint: 'give the --format list with widths, e.g. --sacct-fields JobID,JobName%12,ReqMem,MaxRSS,Elapsed,State (or profiling.sacct_fields in hpcbench.yaml)',
    });
  }
  throw new InputError('not sacct output in a shape hpcbench reads: expected a header line with "|" separators (-P/-p) or a header over a dash line (the default table)', {
    file,
    line: first + 1,
    hint: 'for headerless output (--noheader) give the --format field list (profile --sacct-fields, or profiling.sacct_fields in hpcbench.yaml)',
  });
}
