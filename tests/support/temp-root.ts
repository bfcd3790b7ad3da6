/**
 * vitest globalSetup: one temporary root per test run and project, under os.tmpdir(), named
 * hpcbench-test-*. Every test file gets its own directory inside it as TMPDIR (see
 * temp-dir-per-file.ts) and removes it when the file ends; after the run the root must be empty.
 * Anything left there leaked: a file whose cleanup did not run, or a process that outlived its test
 * and kept writing. The teardown fails the run and names what was left, then removes the root.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    hpcbenchTempRoot: string;
  }
}

/** The prefix of the run roots; a root of an earlier run left behind is recognisable by it. */
export const TEMP_ROOT_PREFIX = 'hpcbench-test-';

export default function setupTempRoot(project: TestProject): () => void {
  const root = mkdtempSync(join(tmpdir(), TEMP_ROOT_PREFIX));
  project.provide('hpcbenchTempRoot', root);
  return () => {
    const left = listLeftovers(root);
    rmSync(root, { recursive: true, force: true });
    if (left.length > 0) {
      // vitest prints an error thrown by a global teardown but still exits 0, so the exit code is set here.
      process.exitCode = 1;
      throw new Error(`the tests left ${left.length} temporary entries behind (each test file's directory must be gone when the file ends): ${left.join(', ')}`);
    }
  };
}

/** The entries in the run root and, one level down, in each leftover file directory (they name the test's prefix). */
function listLeftovers(root: string): string[] {
  const left: string[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const inside = entry.isDirectory() ? readdirSync(join(root, entry.name)) : [];
    left.push(inside.length === 0 ? entry.name : `${entry.name}/{${inside.join(', ')}}`);
  }
  return left;
}
