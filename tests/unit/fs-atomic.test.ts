import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomically, writeFileAtomicallyAsync } from '../../src/fs-atomic.js';

describe('writeFileAtomically', () => {
  it('replaces the file and leaves no temporary sibling behind', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hpcbench-atomic-'));
    const file = join(dir, 'metrics.json');
    writeFileSync(file, 'old\n');
    writeFileAtomically(file, 'new\n');
    expect(readFileSync(file, 'utf8')).toBe('new\n');
    expect(readdirSync(dir)).toEqual(['metrics.json']);
  });

  it('async: writes the text and leaves no temporary sibling behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hpcbench-atomic-'));
    const file = join(dir, 'process.json');
    await writeFileAtomicallyAsync(file, '{"samples":3}\n');
    expect(readFileSync(file, 'utf8')).toBe('{"samples":3}\n');
    expect(readdirSync(dir)).toEqual(['process.json']);
  });

  it('fails on a missing directory without creating the target', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hpcbench-atomic-'));
    expect(() => writeFileAtomically(join(dir, 'missing', 'x.json'), '{}')).toThrow(/ENOENT/);
    expect(readdirSync(dir)).toEqual([]);
  });
});
