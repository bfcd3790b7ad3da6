/**
 * Reading the new bytes of many remote files in ONE remote command: the file list travels on the
 * command's stdin (never through a shell word, and the command line stays the same size whatever
 * the number of files), each file is read from the byte offset kept here, and the answer frames
 * every file's bytes between record-separator markers. A file that shrank or has another inode
 * (truncated, rotated) is read again from its start; one that grew by more than the cap is read
 * from its last `capBytes` (a live view needs the latest state, not the backlog).
 *
 * Bytes outside printable ASCII, tab, LF and CR become `?` on the cluster (`tr`), one byte for one
 * byte: the text received has exactly as many characters as the file had bytes, so offsets stay
 * exact whatever the encoding (tqdm's block characters, a NUL from a killed writer).
 */
import type { ExecOptions, Transport } from '../transport/transport.js';

/** Bytes read from one file per cycle at most: enough for minutes of Trainer output. */
const DEFAULT_LIVE_CAP_BYTES = 256 * 1024;

const RS = '\x1e';

/**
 * The remote side, POSIX sh + coreutils. The first stdin line lists job ids for sstat (may be
 * empty); every other line is `key offset inode cap path` (the path is the rest of the line).
 */
const LIVE_READ_SCRIPT = [
  'LC_ALL=C; export LC_ALL',
  'IFS= read -r hpcb_jobs',
  "while IFS=' ' read -r k o i c p; do",
  '  if [ -f "$p" ] && s=$(stat -L -c \'%s %i\' -- "$p" 2>/dev/null); then',
  '    z=${s% *}; n=${s#* }',
  '    if [ "$n" != "$i" ] || [ "$z" -lt "$o" ]; then o=0; fi',
  '    if [ $((z - o)) -gt "$c" ]; then o=$((z - c)); fi',
  "    printf '\\036F %s %s %s %s\\n' \"$k\" \"$z\" \"$n\" \"$o\"",
  "    if [ \"$z\" -gt \"$o\" ]; then tail -c +$((o + 1)) -- \"$p\" | head -c $((z - o)) | tr -c '\\11\\12\\15\\40-\\176' '?'; fi",
  "    printf '\\036E\\n'",
  '  else',
  "    printf '\\036M %s\\n' \"$k\"",
  '  fi',
  'done',
  'if [ -n "$hpcb_jobs" ]; then',
  "  printf '\\036S\\n'",
  '  sstat --noheader --parsable2 --allsteps --format=JobID,MaxRSS --jobs="$hpcb_jobs" 2>/dev/null',
  "  printf '\\036E\\n'",
  'fi',
].join('\n');

export interface LiveFile {
  /** Unique per file in one cycle (letters, digits, `.`, `_`, `-`, `:`, `/`). */
  key: string;
  /** Absolute path on the cluster. */
  path: string;
}

/** What one cycle brought for one file. */
export interface FileChunk {
  key: string;
  /** False when the file does not exist (yet). */
  exists: boolean;
  /** The file's size on the cluster when it was read. */
  size: number;
  /** Complete lines (or `\r`-ended bar updates) read this cycle, in order, terminators removed. */
  segments: string[];
  /** The file was truncated or replaced since the last read: whatever was derived from it is stale. */
  restarted: boolean;
  /** Bytes jumped over because more than the cap had been written since the last read. */
  skippedBytes: number;
  /** The unterminated end of what was read (read again next cycle): for files replaced whole. */
  partial: string;
  /** Bytes received for this file this cycle (including a partial last line read again next time). */
  bytes: number;
}

interface Cursor {
  offset: number;
  inode: string;
  /** The next read starts inside a line (after a skip): drop up to its first terminator. */
  midLine: boolean;
}

export interface LiveReadResult {
  chunks: Map<string, FileChunk>;
  /** `sstat` rows (JobID|MaxRSS), when job ids were given. */
  sstatRows: string[];
  /** Bytes of the command's answer and of its stdin. */
  bytesIn: number;
  bytesOut: number;
}

const KEY = /^[A-Za-z0-9._:/-]+$/;

/** Keeps the byte offset of every file between cycles. */
export class IncrementalReader {
  private readonly cursors = new Map<string, Cursor>();
  constructor(private readonly capBytes = DEFAULT_LIVE_CAP_BYTES) {}

  /** The stdin of one cycle's command. */
  buildRequest(files: readonly LiveFile[], sstatJobIds: readonly string[] = []): string {
    const lines = [sstatJobIds.filter((id) => /^[0-9_]+$/.test(id)).join(',')];
    for (const file of files) {
      if (!KEY.test(file.key)) throw new Error(`live file key ${JSON.stringify(file.key)} is not a plain token`);
      // A newline would end the request line early; such a path cannot come from a manifest.
      if (/[\n\r\0]/.test(file.path)) continue;
      const cursor = this.cursors.get(file.key);
      lines.push(`${file.key} ${cursor?.offset ?? 0} ${cursor?.inode ?? '-'} ${this.capBytes} ${file.path}`);
    }
    return `${lines.join('\n')}\n`;
  }

  /** Runs the one command of a cycle and applies its answer. */
  async read(transport: Transport, files: readonly LiveFile[], sstatJobIds: readonly string[] = [], options: ExecOptions = {}): Promise<LiveReadResult> {
    const stdin = this.buildRequest(files, sstatJobIds);
    const result = await transport.execShell(LIVE_READ_SCRIPT, { ...options, stdin });
    const parsed = this.apply(result.stdout);
    return { ...parsed, bytesIn: Buffer.byteLength(result.stdout), bytesOut: Buffer.byteLength(stdin) + LIVE_READ_SCRIPT.length };
  }

  /** Parses the framed answer and moves each file's offset past its last complete line. */
  apply(stdout: string): Omit<LiveReadResult, 'bytesIn' | 'bytesOut'> {
    const chunks = new Map<string, FileChunk>();
    const sstatRows: string[] = [];
    let at = 0;
    while (at < stdout.length) {
      const mark = stdout.indexOf(RS, at);
      if (mark < 0) break;
      const eol = stdout.indexOf('\n', mark);
      if (eol < 0) break;
      const head = stdout.slice(mark + 1, eol).split(' ');
      const tag = head[0];
      if (tag === 'M' && head[1] !== undefined) {
        chunks.set(head[1], { key: head[1], exists: false, size: 0, segments: [], partial: '', restarted: false, skippedBytes: 0, bytes: 0 });
        at = eol + 1;
        continue;
      }
      // Data cannot hold RS (tr turned it into '?'), so the next RS is the frame's end.
      const end = stdout.indexOf(RS, eol + 1);
      const body = stdout.slice(eol + 1, end < 0 ? stdout.length : end);
      at = end < 0 ? stdout.length : stdout.indexOf('\n', end) + 1 || stdout.length;
      if (tag === 'S') {
        for (const row of body.split('\n')) if (row.trim() !== '') sstatRows.push(row.trim());
      } else if (tag === 'F' && head.length >= 5) {
        const chunk = this.applyFile(head[1] as string, Number(head[2]), head[3] as string, Number(head[4]), body);
        chunks.set(chunk.key, chunk);
      }
    }
    return { chunks, sstatRows };
  }

  private applyFile(key: string, size: number, inode: string, start: number, text: string): FileChunk {
    const before = this.cursors.get(key);
    const restarted = before !== undefined && (before.inode !== inode || start < before.offset);
    const skippedBytes = before === undefined ? start : start > before.offset ? start - before.offset : 0;
    let midLine = skippedBytes > 0 || (!restarted && (before?.midLine ?? false));
    let body = text;
    let consumed = 0;
    if (midLine) {
      const first = firstTerminator(body);
      if (first < 0) {
        // Still inside the line we jumped into: skip what came, keep looking next time.
        this.cursors.set(key, { offset: start + body.length, inode, midLine: true });
        return { key, exists: true, size, segments: [], partial: '', restarted, skippedBytes, bytes: text.length };
      }
      consumed = first + 1;
      body = body.slice(consumed);
      midLine = false;
    }
    const last = lastTerminator(body);
    let complete = last < 0 ? '' : body.slice(0, last + 1);
    let offset = start + consumed + complete.length;
    if (last < 0 && body.length >= this.capBytes) {
      // One line longer than the cap: take it as read, and skip the rest of it next time.
      complete = body;
      offset = start + consumed + body.length;
      midLine = true;
    }
    this.cursors.set(key, { offset, inode, midLine });
    return { key, exists: true, size, segments: splitSegments(complete), partial: body.slice(complete.length), restarted, skippedBytes, bytes: text.length };
  }

  /** Forget a file (its task ended): the next read starts from its beginning. */
  forget(key: string): void {
    this.cursors.delete(key);
  }

  offsetOf(key: string): number | undefined {
    return this.cursors.get(key)?.offset;
  }
}

function firstTerminator(text: string): number {
  const n = text.indexOf('\n');
  const r = text.indexOf('\r');
  if (n < 0) return r;
  if (r < 0) return n;
  return Math.min(n, r);
}

function lastTerminator(text: string): number {
  return Math.max(text.lastIndexOf('\n'), text.lastIndexOf('\r'));
}

/** Lines split at LF and CR (tqdm rewrites its bar after a bare CR); empty pieces dropped. */
function splitSegments(text: string): string[] {
  return text.split(/\r\n|\n|\r/).filter((s) => s !== '');
}
