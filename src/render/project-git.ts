/**
 * The project's git commit and dirty state at render time, recorded in manifest.json so that a
 * report can say which code produced a run. Best effort by design: a project that is not a git
 * checkout, a machine without git, or a git that hangs leaves the field out instead of failing
 * the render.
 */
import { spawnSync } from 'node:child_process';

export interface ProjectGit {
  /** `git rev-parse HEAD`. */
  commit: string;
  /** `git status --porcelain` printed anything: uncommitted or untracked changes. */
  dirty: boolean;
}

// Bounded: a git on a slow network file system must not hold up a render.
const GIT_TIMEOUT_MS = 10_000;

function runGit(dir: string, args: readonly string[]): string | undefined {
  const result = spawnSync('git', ['-C', dir, ...args], {
    encoding: 'utf8',
    timeout: GIT_TIMEOUT_MS,
    stdio: ['ignore', 'pipe', 'ignore'],
    // A prompt (credential helper, hooks) must never wait for a user.
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0' },
  });
  return result.status === 0 && typeof result.stdout === 'string' ? result.stdout : undefined;
}

/** The commit and dirty state of the checkout holding `dir`, or undefined when there is none. */
export function readProjectGit(dir: string): ProjectGit | undefined {
  const commit = runGit(dir, ['rev-parse', '--verify', '--quiet', 'HEAD'])?.trim();
  if (commit === undefined || !/^[0-9a-f]{40,64}$/.test(commit)) return undefined;
  const status = runGit(dir, ['status', '--porcelain']);
  if (status === undefined) return undefined;
  return { commit, dirty: status.trim() !== '' };
}
