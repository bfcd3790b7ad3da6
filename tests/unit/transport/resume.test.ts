import { createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RemoteError } from '../../../src/errors.js';
import { downloadResumable } from '../../../src/transport/resume.js';
import { Semaphore } from '../../../src/transport/semaphore.js';
import type { DownloadResult } from '../../../src/transport/transport.js';

const remote = { size: 1000, mtimeMs: 1_700_000_000_000, isDirectory: false };

interface Local {
  final?: { size: number; mtimeMs: number };
  part?: { size: number; mtimeMs: number };
}

/**
 * Downloads a 1000-byte file (size and mtime as the server reported them) into a directory that
 * holds `local`'s final copy and `.part` file, each filled with 'x' unless it is a true prefix.
 */
async function download(local: Local, partIsPrefix = false): Promise<{ result: DownloadResult; opened: number[][] }> {
  const dir = mkdtempSync(join(tmpdir(), 'hpcbench-resume-'));
  const content = Array.from({ length: remote.size }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');
  const source = join(dir, 'remote.log');
  writeFileSync(source, content);
  const localPath = join(dir, 'local', 'job.log');
  const place = (path: string, file: { size: number; mtimeMs: number }, text: string): void => {
    writeFileSync(path, text);
    utimesSync(path, file.mtimeMs / 1000, file.mtimeMs / 1000);
  };
  mkdirSync(join(dir, 'local'));
  if (local.final) place(localPath, local.final, 'x'.repeat(local.final.size));
  if (local.part) place(`${localPath}.part`, local.part, partIsPrefix ? content.slice(0, local.part.size) : 'x'.repeat(local.part.size));
  const opened: number[][] = [];
  const result = await downloadResumable({
    remotePath: 'remote.log',
    where: '',
    remote,
    localPath,
    open: (start, end) => {
      opened.push([start, end]);
      return createReadStream(source, { start, end });
    },
    wrapError: (error) => new RemoteError(String(error)),
  });
  // Whatever was planned, a finished download leaves the remote bytes in place and no .part.
  if (!result.skipped) expect(readFileSync(localPath, 'utf8')).toBe(content);
  expect(existsSync(`${localPath}.part`)).toBe(false);
  return { result, opened };
}

const FULL = { bytes: 1000, skipped: false };

describe('downloadResumable: skip, resume or fetch again', () => {
  it('skips a final copy with the same size and mtime (to the second)', async () => {
    const { result, opened } = await download({ final: { size: 1000, mtimeMs: 1_700_000_000_900 } });
    expect(result).toEqual({ bytes: 0, skipped: true });
    expect(opened).toEqual([]);
  });

  it('fetches again when size or mtime differ', async () => {
    expect((await download({ final: { size: 999, mtimeMs: remote.mtimeMs } })).result).toEqual(FULL);
    expect((await download({ final: { size: 1000, mtimeMs: remote.mtimeMs - 5_000 } })).result).toEqual(FULL);
    expect((await download({})).result).toEqual(FULL);
  });

  it('resumes a part written after the remote file last changed', async () => {
    const resumed = await download({ part: { size: 400, mtimeMs: remote.mtimeMs + 60_000 } }, true);
    expect(resumed.result).toEqual({ bytes: 600, skipped: false, resumedFrom: 400 });
    expect(resumed.opened).toEqual([[400, 999]]);
    // A complete part is only renamed into place: nothing is asked of the server.
    const complete = await download({ part: { size: 1000, mtimeMs: remote.mtimeMs } }, true);
    expect(complete.result).toEqual({ bytes: 0, skipped: false, resumedFrom: 1000 });
    expect(complete.opened).toEqual([]);
  });

  it('discards a part that is longer than the file, empty, or older than its last change', async () => {
    for (const part of [
      { size: 1200, mtimeMs: remote.mtimeMs + 1 },
      { size: 0, mtimeMs: remote.mtimeMs + 1 },
      { size: 400, mtimeMs: remote.mtimeMs - 10_000 },
    ]) {
      const { result, opened } = await download({ part });
      expect(result).toEqual(FULL);
      expect(opened).toEqual([[0, 999]]);
    }
  });
});

describe('Semaphore', () => {
  it('never lets more than its size run at once, and serves waiters in order', async () => {
    const semaphore = new Semaphore(3);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const gates: Array<() => void> = [];
    const tasks = Array.from({ length: 8 }, (_, i) =>
      semaphore.use(async () => {
        running += 1;
        peak = Math.max(peak, running);
        order.push(i);
        await new Promise<void>((resolve) => gates.push(resolve));
        running -= 1;
      }),
    );
    while (order.length < 8) {
      await new Promise((resolve) => setImmediate(resolve));
      gates.shift()?.();
    }
    gates.forEach((g) => g());
    await Promise.all(tasks);
    expect(peak).toBe(3);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('releases the permit when the task throws, and rejects a bad size', async () => {
    const semaphore = new Semaphore(1);
    await expect(semaphore.use(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await semaphore.use(async () => 'next')).toBe('next');
    expect(() => new Semaphore(0)).toThrow(RangeError);
  });
});
