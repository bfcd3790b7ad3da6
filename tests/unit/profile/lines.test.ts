import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { enforceStrict, readLines, RejectedLines, scanLines, type Line } from '../../../src/profile/lines.js';
import { CheckFailedError, InputError } from '../../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'hpcbench-lines-'));
function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

async function collect(path: string, chunkSize?: number): Promise<Line[]> {
  const out: Line[] = [];
  for await (const line of readLines(path, { chunkSize })) out.push(line);
  return out;
}

describe('scanLines / readLines', () => {
  it('splits LF and CRLF lines, numbers them and flags an unterminated last line', async () => {
    const path = file('a.txt', 'one\r\ntwo\n\nfour');
    const seen: [string, number, boolean][] = [];
    const result = await scanLines(path, (text, n, terminated) => seen.push([text, n, terminated]), { chunkSize: 3 });
    expect(seen).toEqual([
      ['one', 1, true],
      ['two', 2, true],
      ['', 3, true],
      ['four', 4, false],
    ]);
    expect(result).toMatchObject({ lines: 4, bytes: 14, lastLineUnterminated: true });
    expect((await collect(path, 2)).map((l) => [l.text, l.lineNumber, l.terminated])).toEqual(seen);
  });

  it('keeps multi-byte characters split across chunks intact', async () => {
    const path = file('utf8.txt', 'ação\nnaïve 😀\n');
    const lines = await collect(path, 1);
    expect(lines.map((l) => l.text)).toEqual(['ação', 'naïve 😀']);
    const texts: string[] = [];
    await scanLines(path, (t) => texts.push(t), { chunkSize: 1 });
    expect(texts).toEqual(['ação', 'naïve 😀']);
  });

  it('reports progress up to the file size', async () => {
    const path = file('p.txt', 'x\n'.repeat(1000));
    const progress: number[] = [];
    const result = await scanLines(path, () => undefined, { chunkSize: 256, onProgress: (p) => progress.push(p.bytesRead) });
    expect(progress.length).toBeGreaterThan(3);
    expect(progress.at(-1)).toBe(2000);
    expect(result.lastLineUnterminated).toBe(false);
  });

  it('throws an InputError naming the file when it is empty, missing or a directory', async () => {
    const empty = file('empty.txt', '');
    await expect(scanLines(empty, () => undefined)).rejects.toThrow(InputError);
    await expect(scanLines(empty, () => undefined)).rejects.toThrow(`${empty}: the file is empty`);
    await expect(collect(empty)).rejects.toThrow(/is empty/);
    await expect(scanLines(join(dir, 'nope.csv'), () => undefined)).rejects.toThrow(/nope\.csv: cannot read the file: no such file/);
    const sub = join(dir, 'sub');
    mkdirSync(sub);
    await expect(collect(sub)).rejects.toThrow(/is a directory/);
    expect((await scanLines(empty, () => undefined, { allowEmpty: true })).lines).toBe(0);
  });
});

describe('RejectedLines', () => {
  it('counts every rejection and keeps the first few', () => {
    const rejected = new RejectedLines(2);
    rejected.add('a.csv', 3, 'bad number');
    rejected.add('a.csv', 9, 'too few fields');
    rejected.add('b.csv', 1, 'bad timestamp');
    expect(rejected.count).toBe(3);
    expect(rejected.examples).toHaveLength(2);
    expect(rejected.countIn('a.csv')).toBe(2);
    expect(rejected.toJSON()).toEqual({
      count: 3,
      examples: [
        { file: 'a.csv', line: 3, reason: 'bad number' },
        { file: 'a.csv', line: 9, reason: 'too few fields' },
      ],
      byFile: { 'a.csv': 2, 'b.csv': 1 },
    });
    expect(rejected.format()).toBe('3 lines rejected:\n  a.csv:3: bad number\n  a.csv:9: too few fields\n  … and 1 more');
  });

  it('merges collectors', () => {
    const a = new RejectedLines(3);
    const b = new RejectedLines();
    a.add('a', 1, 'x');
    b.add('b', 2, 'y');
    a.merge(b);
    expect(a.toJSON()).toMatchObject({ count: 2, byFile: { a: 1, b: 1 } });
  });

  it('--strict turns any rejection into CheckFailedError (exit 1)', () => {
    const rejected = new RejectedLines();
    expect(() => enforceStrict(rejected, true)).not.toThrow();
    rejected.add('gpu.csv', 7, 'field "power.draw": expected a number, found "abc"');
    expect(() => enforceStrict(rejected, false)).not.toThrow();
    let error: unknown;
    try {
      enforceStrict(rejected, true);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CheckFailedError);
    expect((error as CheckFailedError).exitCode).toBe(1);
    expect((error as CheckFailedError).message).toContain('gpu.csv:7: field "power.draw"');
  });
});
