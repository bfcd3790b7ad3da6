// The local transport lists symbolic links as links, like SFTP's readdir: never followed, so a
// link to a secret is not described as the secret and a link loop does not fail the listing.
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalTransport } from '../../../src/transport/local.js';

describe('LocalTransport.list and links', () => {
  it('describes links as links, loops and dangling ones included, and plain entries as before', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hpcbench-links-'));
    writeFileSync(join(dir, 'file.txt'), 'abc');
    mkdirSync(join(dir, 'sub'));
    symlinkSync(join(dir, 'sub'), join(dir, 'to-dir'));
    symlinkSync('loop', join(dir, 'loop'));
    symlinkSync(join(dir, 'missing'), join(dir, 'dangling'));
    const entries = await new LocalTransport().list(dir);
    expect(entries.map((e) => [e.name, e.isDirectory, e.isSymbolicLink === true])).toEqual([
      ['dangling', false, true],
      ['file.txt', false, false],
      ['loop', false, true],
      ['sub', true, false],
      ['to-dir', false, true],
    ]);
    expect(entries.find((e) => e.name === 'file.txt')?.size).toBe(3);
  });
});
