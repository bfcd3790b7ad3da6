/**
 * Permission bits of a run's files, here and on the cluster. Scripts and the manifest can carry
 * the experiments' `env:` (tokens, API keys), so nothing of a run is readable by group or others.
 * Kept free of imports so that upload (loaded by watch) does not pull the template engine in.
 */

/** Scripts and workload programs: run by their owner only. */
export const SCRIPT_MODE = 0o700;
/** Every other file of a run: read by its owner only. */
export const RUN_FILE_MODE = 0o600;
/** Run directories and the folders created in them. */
export const RUN_DIR_MODE = 0o700;

/** Whether a rendered run file is a script (made executable). */
export function isScriptPath(rel: string): boolean {
  return rel.endsWith('.sbatch') || rel.endsWith('.sh');
}

/**
 * The mode a file of a run gets on the cluster: scripts, workload programs and whatever its owner
 * can execute here stay executable (by the owner only); the rest is private.
 */
export function uploadMode(remotePath: string, localMode = 0): number {
  return /\.(sh|sbatch|py)$/.test(remotePath) || (localMode & 0o100) !== 0 ? SCRIPT_MODE : RUN_FILE_MODE;
}
