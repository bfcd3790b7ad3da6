/**
 * Local files that other commands (or a later run of this one) read back are written to a
 * sibling temporary file and renamed over the target, so a reader never sees half a file.
 * The `.tmp-` infix is what upload and fetch skip. run.json needs more (fsync before the
 * rename) and has its own writer in src/runs/registry.ts.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';

function temporaryPath(file: string): string {
  return `${file}.tmp-${process.pid}`;
}

/** Writes `text` to `file` through a temporary sibling and a rename. */
export function writeFileAtomically(file: string, text: string): void {
  const temp = temporaryPath(file);
  writeFileSync(temp, text);
  renameSync(temp, file);
}

/** writeFileAtomically for async code that should not block the event loop while writing. */
export async function writeFileAtomicallyAsync(file: string, text: string): Promise<void> {
  const temp = temporaryPath(file);
  await writeFile(temp, text);
  await rename(temp, file);
}
