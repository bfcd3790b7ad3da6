import { basename } from 'node:path';
import type { ReadProgress } from '../profile/lines.js';

/** A one-line progress display on a TTY (stderr); nothing otherwise, so logs and pipes stay clean. */
export function progressReporter(stream: NodeJS.WriteStream = process.stderr): ((file: string, p: ReadProgress) => void) | undefined {
  if (!stream.isTTY) return undefined;
  let lastDraw = 0;
  return (file, p) => {
    const now = Date.now();
    const done = p.totalBytes > 0 && p.bytesRead >= p.totalBytes;
    if (!done && now - lastDraw < 200) return;
    lastDraw = now;
    const pct = p.totalBytes > 0 ? ((p.bytesRead / p.totalBytes) * 100).toFixed(0) : '?';
    stream.write(`\r\u001b[2K${basename(file)}: ${pct} % (${(p.bytesRead / 1048576).toFixed(0)} MiB)${done ? '\n' : ''}`);
  };
}
