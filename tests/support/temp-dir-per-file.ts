/**
 * vitest setupFiles: each test file runs with its own TMPDIR inside the run's temporary root
 * (temp-root.ts), removed with everything in it when the file ends. os.tmpdir() reads TMPDIR on
 * every call and child processes inherit it, so the directories tests make with mkdtempSync, and
 * those of the CLI and tools they spawn, are cleaned up without each test tracking them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, inject } from 'vitest';

const previous = process.env.TMPDIR;
const dir = mkdtempSync(join(inject('hpcbenchTempRoot'), 'file-'));
process.env.TMPDIR = dir;

afterAll(() => {
  if (previous === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = previous;
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
});
