import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunLockedError } from '../../../src/errors.js';
import { acquireRunLock, LOCK_FILE, withRunLock, type RunLockInfo } from '../../../src/runs/lock.js';

const RUN_ID = '20261201-120000-lora-0001';

function makeRunDir(): string {
  return join(mkdtempSync(join(tmpdir(), 'hpcbench-lock-')), RUN_ID);
}

function readLock(runDir: string): RunLockInfo {
  return JSON.parse(readFileSync(join(runDir, LOCK_FILE), 'utf8')) as RunLockInfo;
}

/** A pid that surely does not exist: a child that has exited and been reaped. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

function plantLock(runDir: string, info: RunLockInfo): void {
  const first = acquireRunLock(runDir, { command: 'setup', handleSignals: false });
  first.release();
  writeFileSync(join(runDir, LOCK_FILE), `${JSON.stringify(info)}\n`);
}

describe('acquireRunLock', () => {
  it('creates the run directory 0700 and a 0600 lock naming pid, host, command and start', () => {
    const runDir = makeRunDir();
    const lock = acquireRunLock(runDir, { command: 'hpcbench submit', now: () => new Date('2026-12-01T12:00:00Z'), handleSignals: false });
    try {
      expect(statSync(runDir).mode & 0o777).toBe(0o700);
      expect(statSync(lock.file).mode & 0o777).toBe(0o600);
      expect(readLock(runDir)).toEqual({ pid: process.pid, host: hostname(), command: 'hpcbench submit', started: '2026-12-01T12:00:00.000Z' });
    } finally {
      lock.release();
    }
    expect(existsSync(join(runDir, LOCK_FILE))).toBe(false);
  });

  it('refuses a second holder with the message naming run, pid, host, command and time (exit 2)', () => {
    const runDir = makeRunDir();
    const lock = acquireRunLock(runDir, { command: 'hpcbench submit', now: () => new Date('2026-12-01T12:00:00Z'), handleSignals: false });
    try {
      let caught: unknown;
      try {
        acquireRunLock(runDir, { command: 'hpcbench cancel', handleSignals: false });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(RunLockedError);
      const error = caught as RunLockedError;
      expect(error.exitCode).toBe(2);
      expect(error.message).toBe(
        `run ${RUN_ID} is being changed by pid ${process.pid} on host ${hostname()} (hpcbench submit, since 2026-12-01T12:00:00.000Z)`,
      );
      expect(error.hint).toContain(join(runDir, LOCK_FILE));
      // The refused attempt left the holder's lock as it was.
      expect(readLock(runDir).command).toBe('hpcbench submit');
    } finally {
      lock.release();
    }
  });

  it('takes over a stale lock of this host whose pid is gone, with a warning', () => {
    const runDir = makeRunDir();
    const pid = deadPid();
    plantLock(runDir, { pid, host: hostname(), command: 'hpcbench submit', started: '2026-12-01T11:00:00.000Z' });
    const warnings: string[] = [];
    const lock = acquireRunLock(runDir, { command: 'hpcbench cancel', onWarning: (w) => warnings.push(w), handleSignals: false });
    try {
      expect(readLock(runDir)).toMatchObject({ pid: process.pid, command: 'hpcbench cancel' });
      expect(warnings).toEqual([`took over the lock of run ${RUN_ID}: pid ${pid} (hpcbench submit, since 2026-12-01T11:00:00.000Z) is no longer running`]);
    } finally {
      lock.release();
    }
  });

  it('refuses a lock held on another host, naming the host and how to remove it', () => {
    const runDir = makeRunDir();
    plantLock(runDir, { pid: deadPid(), host: 'login2.cluster', command: 'hpcbench fetch', started: '2026-12-01T11:00:00.000Z' });
    expect(() => acquireRunLock(runDir, { command: 'hpcbench submit', handleSignals: false })).toThrow(
      /is being changed by pid \d+ on host login2\.cluster \(hpcbench fetch, since 2026-12-01T11:00:00\.000Z\)/,
    );
    try {
      acquireRunLock(runDir, { command: 'hpcbench submit', handleSignals: false });
    } catch (error) {
      expect((error as RunLockedError).hint).toMatch(new RegExp(`cannot check processes on login2\\.cluster.*remove ${join(runDir, LOCK_FILE)}`));
    }
    expect(readLock(runDir).host).toBe('login2.cluster');
  });

  it('refuses a lock that does not say who holds it and leaves it in place', () => {
    const runDir = makeRunDir();
    plantLock(runDir, { pid: 1, host: 'x', command: 'x', started: 'x' });
    writeFileSync(join(runDir, LOCK_FILE), 'garbage');
    expect(() => acquireRunLock(runDir, { command: 'hpcbench submit', handleSignals: false })).toThrow(/is locked by .*\.lock, which does not say who holds it/);
    expect(readFileSync(join(runDir, LOCK_FILE), 'utf8')).toBe('garbage');
  });

  it('does not follow a symlink planted as the lock', () => {
    const runDir = makeRunDir();
    plantLock(runDir, { pid: 1, host: 'x', command: 'x', started: 'x' });
    const victim = join(runDir, '..', 'victim.txt');
    writeFileSync(victim, 'keep\n');
    const lockFile = join(runDir, LOCK_FILE);
    // Replace the lock by a link to the victim.
    spawnSync('rm', ['-f', lockFile]);
    symlinkSync(victim, lockFile);
    expect(() => acquireRunLock(runDir, { command: 'hpcbench submit', handleSignals: false })).toThrow(RunLockedError);
    expect(readFileSync(victim, 'utf8')).toBe('keep\n');
  });

  it('withRunLock waits for a holder that releases within waitMs', async () => {
    const runDir = makeRunDir();
    const first = acquireRunLock(runDir, { command: 'hpcbench fetch', handleSignals: false });
    setTimeout(() => first.release(), 300);
    const seen = await withRunLock(runDir, { command: 'hpcbench watch (resubmit)', waitMs: 10_000, handleSignals: false }, () => Promise.resolve(readLock(runDir).command));
    expect(seen).toBe('hpcbench watch (resubmit)');
    expect(existsSync(join(runDir, LOCK_FILE))).toBe(false);
  });

  it('withRunLock without waitMs refuses at once', async () => {
    const runDir = makeRunDir();
    const first = acquireRunLock(runDir, { command: 'hpcbench fetch', handleSignals: false });
    try {
      await expect(withRunLock(runDir, { command: 'hpcbench cancel', handleSignals: false }, () => Promise.resolve(1))).rejects.toThrow(/being changed by pid \d+ .*\(hpcbench fetch, since/);
    } finally {
      first.release();
    }
  });

  it('release leaves a lock that another process took over', () => {
    const runDir = makeRunDir();
    const lock = acquireRunLock(runDir, { command: 'hpcbench submit', handleSignals: false });
    writeFileSync(lock.file, JSON.stringify({ pid: 4242, host: 'other', command: 'hpcbench cancel', started: 'now' }));
    lock.release();
    expect(readLock(runDir).host).toBe('other');
  });
});

describe('a stale lock taken over by several processes at once', () => {
  it('lets exactly one of them in', async () => {
    expect(existsSync('dist/runs/lock.js'), 'run `npm run build` first (npm test does)').toBe(true);
    const runDir = makeRunDir();
    plantLock(runDir, { pid: deadPid(), host: hostname(), command: 'hpcbench submit', started: '2026-12-01T11:00:00.000Z' });
    // The winner holds the lock until every process has tried: a release on a timer let a process
    // that a loaded machine started late find no lock at all, and win too.
    const script = `
      import('${join(process.cwd(), 'dist/runs/lock.js').replace(/\\/g, '/')}').then(({ acquireRunLock }) => {
        try {
          const lock = acquireRunLock(${JSON.stringify(runDir)}, { command: 'hpcbench cancel' });
          process.stdout.write('won');
          process.stdin.on('end', () => lock.release()).resume();
        } catch (error) {
          process.stdout.write(error.message.includes('is being changed by pid') ? 'refused' : 'error: ' + error.message);
        }
      });`;
    const children = Array.from({ length: 4 }, () => spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] }));
    const tried = children.map(
      (child) =>
        new Promise<string>((done) => {
          child.stdout.once('data', (chunk: Buffer) => done(chunk.toString()));
          child.once('close', (code) => done(`exited ${String(code)} without a word`));
        }),
    );
    const closed = children.map((child) => new Promise<void>((done) => child.on('close', () => done())));
    const outcomes = (await Promise.all(tried)).sort();
    for (const child of children) child.stdin.end();
    await Promise.all(closed);
    expect(outcomes).toEqual(['refused', 'refused', 'refused', 'won']);
    expect(existsSync(join(runDir, LOCK_FILE))).toBe(false);
  }, 30_000);
});

describe('withRunLock', () => {
  it('releases the lock when the work throws', async () => {
    const runDir = makeRunDir();
    await expect(
      withRunLock(runDir, { command: 'hpcbench cancel', handleSignals: false }, () => {
        expect(existsSync(join(runDir, LOCK_FILE))).toBe(true);
        return Promise.reject(new Error('scancel failed'));
      }),
    ).rejects.toThrow('scancel failed');
    expect(existsSync(join(runDir, LOCK_FILE))).toBe(false);
  });

  it('releases the lock on SIGTERM in a real process and exits as killed', () => {
    expect(existsSync('dist/runs/lock.js'), 'run `npm run build` first (npm test does)').toBe(true);
    const runDir = makeRunDir();
    const script = `
      import('${join(process.cwd(), 'dist/runs/lock.js').replace(/\\/g, '/')}').then(({ acquireRunLock }) => {
        acquireRunLock(${JSON.stringify(runDir)}, { command: 'hpcbench submit' });
        process.stdout.write('locked\\n');
        process.kill(process.pid, 'SIGTERM');
        setTimeout(() => process.stdout.write('survived\\n'), 2000);
      });`;
    const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(child.stdout).toBe('locked\n');
    expect(child.signal).toBe('SIGTERM');
    expect(existsSync(join(runDir, LOCK_FILE))).toBe(false);
  });
});
