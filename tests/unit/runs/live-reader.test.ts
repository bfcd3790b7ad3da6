// The incremental reader runs its real remote script here (LocalTransport: the same sh, stat, tail,
// head and tr a login node has), so offsets, partial lines, truncation and rotation are checked
// against the bytes of real files.
import { appendFileSync, existsSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IncrementalReader } from '../../../src/runs/live-reader.js';
import { LocalTransport } from '../../../src/transport/local.js';

const transport = new LocalTransport();

function tempFile(name = 'log.txt'): string {
  return join(mkdtempSync(join(tmpdir(), 'hpcbench-live-')), name);
}

describe('IncrementalReader', () => {
  it('reads only the new bytes, keeps a partial last line for the next read, and advances by bytes', async () => {
    const file = tempFile();
    writeFileSync(file, 'one\ntwo\nthr');
    const reader = new IncrementalReader();
    const files = [{ key: 'a', path: file }];
    const first = await reader.read(transport, files);
    expect(first.chunks.get('a')?.segments).toEqual(['one', 'two']);
    expect(reader.offsetOf('a')).toBe(8);
    appendFileSync(file, 'ee\nfour\n');
    const second = await reader.read(transport, files);
    expect(second.chunks.get('a')?.segments).toEqual(['three', 'four']);
    expect(reader.offsetOf('a')).toBe(19);
    const third = await reader.read(transport, files);
    expect(third.chunks.get('a')?.segments).toEqual([]);
    expect(third.chunks.get('a')?.bytes).toBe(0);
  });

  it('counts multi-byte characters as the bytes they are (each non-ASCII byte arrives as ?)', async () => {
    const file = tempFile();
    writeFileSync(file, ' 10%|█ | 5/50 [00:01<00:09]\n');
    const reader = new IncrementalReader();
    const r = await reader.read(transport, [{ key: 'a', path: file }]);
    // █ is 3 bytes in UTF-8: 30 bytes in the file, 30 characters received.
    expect(r.chunks.get('a')?.segments).toEqual([' 10%|??? | 5/50 [00:01<00:09]']);
    expect(reader.offsetOf('a')).toBe(30);
  });

  it('takes tqdm updates ended by a bare CR as lines', async () => {
    const file = tempFile();
    writeFileSync(file, '1/10 [\r2/10 [\r3/1');
    const reader = new IncrementalReader();
    const r = await reader.read(transport, [{ key: 'a', path: file }]);
    expect(r.chunks.get('a')?.segments).toEqual(['1/10 [', '2/10 [']);
    expect(reader.offsetOf('a')).toBe(14);
  });

  it('splits at LF, CRLF and CR and drops empty lines', async () => {
    const file = tempFile();
    writeFileSync(file, 'a\r\nb\rc\n\nd\n');
    const r = await new IncrementalReader().read(transport, [{ key: 'a', path: file }]);
    expect(r.chunks.get('a')?.segments).toEqual(['a', 'b', 'c', 'd']);
  });

  it('starts again from 0 when the file was truncated, and says so', async () => {
    const file = tempFile();
    writeFileSync(file, 'aaaa\nbbbb\n');
    const reader = new IncrementalReader();
    await reader.read(transport, [{ key: 'a', path: file }]);
    writeFileSync(file, 'cc\n');
    const r = await reader.read(transport, [{ key: 'a', path: file }]);
    expect(r.chunks.get('a')?.restarted).toBe(true);
    expect(r.chunks.get('a')?.segments).toEqual(['cc']);
  });

  it('starts again from 0 when the file was rotated (same size or larger, another inode)', async () => {
    const file = tempFile();
    writeFileSync(file, 'old1\n');
    const reader = new IncrementalReader();
    await reader.read(transport, [{ key: 'a', path: file }]);
    const next = `${file}.new`;
    writeFileSync(next, 'new1\nnew2\n');
    renameSync(next, file);
    const r = await reader.read(transport, [{ key: 'a', path: file }]);
    expect(r.chunks.get('a')?.restarted).toBe(true);
    expect(r.chunks.get('a')?.segments).toEqual(['new1', 'new2']);
  });

  it('jumps to the last capBytes of a file that grew more than the cap, dropping the cut line', async () => {
    const file = tempFile();
    writeFileSync(file, `${'x'.repeat(95)}\nlast\n`);
    const reader = new IncrementalReader(8);
    const r = await reader.read(transport, [{ key: 'a', path: file }]);
    // Last 8 bytes are "x\nlast\n": the partial "x" line is dropped.
    expect(r.chunks.get('a')?.skippedBytes).toBe(93);
    expect(r.chunks.get('a')?.segments).toEqual(['last']);
  });

  it('reports a missing file without failing the others, and many files in one command', async () => {
    const a = tempFile();
    writeFileSync(a, 'A\n');
    const b = tempFile('with space.log');
    writeFileSync(b, 'B\n');
    const reader = new IncrementalReader();
    const r = await reader.read(transport, [
      { key: 'a', path: a },
      { key: 'gone', path: join(tmpdir(), 'hpcbench-no-such-dir', 'x') },
      { key: 'b', path: b },
    ]);
    expect(r.chunks.get('a')?.segments).toEqual(['A']);
    expect(r.chunks.get('gone')?.exists).toBe(false);
    expect(r.chunks.get('b')?.segments).toEqual(['B']);
  });

  it('never lets a path reach the shell as code', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hpcbench-live-'));
    const evil = join(dir, '$(touch pwned); x');
    writeFileSync(evil, 'ok\n');
    const reader = new IncrementalReader();
    const r = await reader.read(transport, [{ key: 'e', path: evil }], [], { cwd: dir });
    expect(r.chunks.get('e')?.segments).toEqual(['ok']);
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
    expect(() => reader.buildRequest([{ key: 'bad key', path: evil }])).toThrow(/plain token/);
  });
});
