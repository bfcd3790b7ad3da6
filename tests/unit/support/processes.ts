import { readFileSync } from 'node:fs';

/**
 * Whether a process still runs, waiting up to 5 s for it to go. A killed process is a zombie
 * until its parent (or init) reaps it, and kill(pid, 0) still succeeds on a zombie, so the state
 * in /proc/<pid>/stat decides: gone or `Z` counts as ended.
 */
export function stillRunning(pid: number): boolean {
  for (let i = 0; i < 50; i++) {
    let state: string | undefined;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    } catch {
      return false;
    }
    if (state === 'Z') return false;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
  }
  return true;
}
