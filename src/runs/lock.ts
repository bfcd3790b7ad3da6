/**
 * One process at a time changes a run. Two `submit`s of the same run (a double-click, two
 * terminals) would each send every job and run.json would keep only the last writer's ids,
 * orphaning the other jobs. The lock is results/<run-id>/.lock, created exclusively, holding
 * who holds it; a lock whose process is gone (same host, pid not alive) is taken over with a
 * warning; a lock from another host cannot be checked from here and is refused, naming the host.
 */
import { closeSync, constants, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { RunLockedError } from '../errors.js';

export const LOCK_FILE = '.lock';
/** Held for the instant a stale lock is checked and removed. */
export const LOCK_TAKEOVER_FILE = `${LOCK_FILE}.takeover`;

export interface RunLockInfo {
  pid: number;
  host: string;
  /** What holds it, e.g. `hpcbench submit`. */
  command: string;
  /** ISO time the lock was taken. */
  started: string;
}

export interface RunLock {
  readonly file: string;
  readonly info: RunLockInfo;
  /** Removes the lock if it is still ours; safe to call more than once. */
  release(): void;
}

export interface AcquireRunLockOptions {
  /** Shown to a second process, e.g. `hpcbench submit`. */
  command: string;
  /** For messages; default: the run directory's name. */
  runId?: string;
  /** Told when a stale lock is taken over. */
  onWarning?: (message: string) => void;
  /** Release on SIGINT/SIGTERM and exit (default true); tests that take several locks turn it off. */
  handleSignals?: boolean;
  // Injected in tests: another host, a dead pid, a fixed clock.
  host?: string;
  pid?: number;
  isAlive?: (pid: number) => boolean;
  now?: () => Date;
}

/** Whether a process with this pid exists here (EPERM: it exists, owned by someone else). */
function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const LOCK_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

type Holder = { kind: 'info'; info: RunLockInfo; text: string } | { kind: 'unreadable'; text: string } | { kind: 'absent' };

function parseLockInfo(text: string): RunLockInfo | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return undefined;
    const v = value as Record<string, unknown>;
    if (typeof v.pid !== 'number' || !Number.isInteger(v.pid) || v.pid <= 0) return undefined;
    if (typeof v.host !== 'string' || typeof v.command !== 'string' || typeof v.started !== 'string') return undefined;
    return { pid: v.pid, host: v.host, command: v.command, started: v.started };
  } catch {
    return undefined;
  }
}

function readHolder(file: string): Holder {
  let text: string;
  try {
    // O_NOFOLLOW: a planted link in place of the lock is not read through.
    const fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      text = readFileSync(fd, 'utf8');
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'absent' };
    return { kind: 'unreadable', text: '' };
  }
  const info = parseLockInfo(text);
  return info ? { kind: 'info', info, text } : { kind: 'unreadable', text };
}

/** Creates the lock file; false when one exists already. */
function tryCreate(file: string, info: RunLockInfo): boolean {
  let fd: number;
  try {
    fd = openSync(file, LOCK_FLAGS, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, `${JSON.stringify(info)}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * Removes a stale lock, unless someone else replaced it meanwhile. The guard file makes the
 * check-and-remove one step: without it, two processes that both saw the stale lock could
 * each remove it, the second removing the first one's fresh lock.
 */
function removeStale(file: string, staleText: string): boolean {
  let fd: number;
  try {
    fd = openSync(takeoverGuard(file), LOCK_FLAGS, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false; // another process is taking it over
    throw error;
  }
  try {
    const now = readHolder(file);
    if (now.kind === 'info' && now.text === staleText) unlinkSync(file);
  } finally {
    closeSync(fd);
    unlinkSync(takeoverGuard(file));
  }
  return true;
}

function takeoverGuard(file: string): string {
  return join(dirname(file), LOCK_TAKEOVER_FILE);
}

function describeHolder(runId: string, info: RunLockInfo): string {
  return `run ${runId} is being changed by pid ${info.pid} on host ${info.host} (${info.command}, since ${info.started})`;
}

function refuse(runId: string, file: string, holder: Holder, here: string): RunLockedError {
  if (holder.kind !== 'info') {
    return new RunLockedError(
      `run ${runId} is locked by ${file}, which does not say who holds it`,
      file,
      `if no hpcbench command is working on this run, remove ${file} and try again`,
    );
  }
  const { info } = holder;
  const hint =
    info.host === here
      ? `wait for it to finish; if pid ${info.pid} is not hpcbench any more, remove ${file}`
      : `hpcbench cannot check processes on ${info.host}: wait for it there, or remove ${file} if nothing runs there any more`;
  return new RunLockedError(describeHolder(runId, info), file, hint);
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function watchSignals(release: () => void): () => void {
  const onExit = (): void => release();
  // A command that handles Ctrl-C itself (run --local, watch) stops its work gracefully and its
  // finally releases the lock; releasing at the signal would let a second process in while this
  // one still writes. Decided now: a `once` listener is gone by the time ours would be called.
  const signals = (['SIGINT', 'SIGTERM'] as const).filter((signal) => process.listenerCount(signal) === 0);
  const onSignal = (signal: NodeJS.Signals): void => {
    if (process.listenerCount(signal) > 1) return;
    release();
    stop();
    // Listening replaced the default action; do it now (exit as killed by the signal).
    process.kill(process.pid, signal);
  };
  const stop = (): void => {
    for (const signal of signals) process.removeListener(signal, onSignal);
    process.removeListener('exit', onExit);
  };
  for (const signal of signals) process.on(signal, onSignal);
  process.on('exit', onExit);
  return stop;
}

/**
 * Takes the lock of the run in `runDir` (created 0700 if missing), or throws RunLockedError
 * (exit 2) naming the process, host and command that hold it.
 */
export function acquireRunLock(runDir: string, options: AcquireRunLockOptions): RunLock {
  const runId = options.runId ?? runDir.split(/[\\/]/).filter((p) => p !== '').pop() ?? runDir;
  const here = options.host ?? hostname();
  const isAlive = options.isAlive ?? isProcessAlive;
  const info: RunLockInfo = {
    pid: options.pid ?? process.pid,
    host: here,
    command: options.command,
    started: (options.now ?? (() => new Date()))().toISOString(),
  };
  mkdirSync(runDir, { recursive: true, mode: 0o700 });
  const file = join(runDir, LOCK_FILE);
  let guarded = 0;
  let stale: RunLockInfo | undefined;
  for (let attempt = 0; ; attempt += 1) {
    if (tryCreate(file, info)) break;
    const holder = readHolder(file);
    if (holder.kind === 'absent') continue; // released meanwhile
    if (holder.kind === 'info' && holder.info.host === here && !isAlive(holder.info.pid)) {
      if (removeStale(file, holder.text)) {
        stale = holder.info;
        continue;
      }
      // The guard is held for microseconds; one that stays was left by a killed process.
      guarded += 1;
      if (guarded > 50) {
        const guard = takeoverGuard(file);
        throw new RunLockedError(`run ${runId} has a stale lock that ${guard} keeps from being taken over`, guard, `remove ${guard} and ${file}, then try again`);
      }
      sleepSync(20);
      continue;
    }
    // A lock seen unreadable may be one being written this instant: look again once.
    if (holder.kind === 'unreadable' && attempt === 0) {
      sleepSync(50);
      continue;
    }
    throw refuse(runId, file, holder, here);
  }
  if (stale) options.onWarning?.(`took over the lock of run ${runId}: pid ${stale.pid} (${stale.command}, since ${stale.started}) is no longer running`);
  let released = false;
  const stopWatching = options.handleSignals === false ? () => undefined : watchSignals(() => release());
  const release = (): void => {
    if (released) return;
    released = true;
    stopWatching();
    const now = readHolder(file);
    // Only our own lock: if it was (wrongly) taken over, the new holder's lock stays.
    if (now.kind === 'info' && now.info.pid === info.pid && now.info.host === info.host && now.info.started === info.started) {
      try {
        unlinkSync(file);
      } catch {
        /* removed by hand meanwhile */
      }
    }
  };
  return { file, info, release };
}

export interface WithRunLockOptions extends AcquireRunLockOptions {
  /** How long to keep trying while another process holds the lock (default 0: refuse at once). */
  waitMs?: number;
}

/** Takes the lock, waiting (without blocking the event loop) up to `waitMs` for its holder to finish. */
async function acquireRunLockWaiting(runDir: string, options: WithRunLockOptions): Promise<RunLock> {
  const deadline = Date.now() + (options.waitMs ?? 0);
  for (;;) {
    try {
      return acquireRunLock(runDir, options);
    } catch (error) {
      if (!(error instanceof RunLockedError) || Date.now() >= deadline) throw error;
    }
    await new Promise((done) => setTimeout(done, Math.min(500, Math.max(1, deadline - Date.now()))));
  }
}

/** Runs `use` holding the run's lock, released however it ends. */
export async function withRunLock<T>(runDir: string, options: WithRunLockOptions, use: (lock: RunLock) => Promise<T>): Promise<T> {
  const lock = await acquireRunLockWaiting(runDir, options);
  try {
    return await use(lock);
  } finally {
    lock.release();
  }
}
