import { describe, expect, it } from 'vitest';
import { planDownload } from '../../../src/transport/resume.js';
import { Semaphore } from '../../../src/transport/semaphore.js';

const remote = { size: 1000, mtimeMs: 1_700_000_000_000 };

describe('planDownload', () => {
  it('skips a final copy with the same size and mtime (to the second)', () => {
    expect(planDownload(remote, { final: { size: 1000, mtimeMs: 1_700_000_000_900 } })).toEqual({ action: 'skip' });
  });

  it('fetches again when size or mtime differ', () => {
    expect(planDownload(remote, { final: { size: 999, mtimeMs: remote.mtimeMs } })).toEqual({ action: 'full' });
    expect(planDownload(remote, { final: { size: 1000, mtimeMs: remote.mtimeMs - 5_000 } })).toEqual({ action: 'full' });
    expect(planDownload(remote, {})).toEqual({ action: 'full' });
  });

  it('resumes a part written after the remote file last changed', () => {
    expect(planDownload(remote, { part: { size: 400, mtimeMs: remote.mtimeMs + 60_000 } })).toEqual({ action: 'resume', offset: 400 });
    expect(planDownload(remote, { part: { size: 1000, mtimeMs: remote.mtimeMs } })).toEqual({ action: 'resume', offset: 1000 });
  });

  it('discards a part that is longer than the file, empty, or older than its last change', () => {
    expect(planDownload(remote, { part: { size: 1200, mtimeMs: remote.mtimeMs + 1 } })).toEqual({ action: 'full' });
    expect(planDownload(remote, { part: { size: 0, mtimeMs: remote.mtimeMs + 1 } })).toEqual({ action: 'full' });
    expect(planDownload(remote, { part: { size: 400, mtimeMs: remote.mtimeMs - 10_000 } })).toEqual({ action: 'full' });
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
