/**
 * Remote paths as users write them (`~/hpcbench`, `~`) made absolute on the
 * cluster itself. Every remote command quotes its arguments, so a `~` would reach mkdir, test and
 * sbatch as a literal directory name while SFTP puts files under the home directory: the two would
 * disagree. The home directory is asked for once, and only when a path needs it; from then on
 * every step (preflight, mkdir, uploads, sbatch --chdir, fetch, run.json) sees one absolute path.
 *
 * Rendered scripts do not need this: render runs without a connection, and its `qpath` filter
 * writes a leading `~/` as "$HOME"/…, which the job's own shell expands on the compute node.
 */
import { posix } from 'node:path';
import { RemoteError } from '../errors.js';
import type { Transport } from '../transport/transport.js';
import type { RunCluster } from './run-record.js';

/**
 * `~` and `~/x` start at the remote home directory, as the render filter `qpath` writes them
 * ("$HOME"/x) in scripts, so both sides agree. `~alice/x` is left alone (another user's home).
 */
function needsRemoteHome(path: string): boolean {
  return homeRelativePart(path) !== undefined;
}

/** The part of `path` below the home directory, or undefined when it does not start at home. */
function homeRelativePart(path: string): string | undefined {
  if (path === '~') return '';
  return path.startsWith('~/') ? path.slice(2) : undefined;
}

/** `path` with its home-relative start replaced by `home` (an absolute remote path). */
function expandRemoteHome(path: string, home: string): string {
  const rest = homeRelativePart(path);
  if (rest === undefined) return path;
  return rest === '' ? home : posix.join(home, rest);
}

/**
 * The remote home directory, by one command on the connection already open. `printf` rather than
 * `echo`: no trailing newline to strip, and no option parsing of odd values.
 */
async function readRemoteHome(transport: Transport): Promise<string> {
  const result = await transport.execShell(`printf '%s' "$HOME"`);
  const home = result.stdout;
  if (result.code !== 0 || !home.startsWith('/') || /[\n\0]/.test(home)) {
    throw new RemoteError(
      `cannot resolve ~ on ${transport.target}: the remote shell gave HOME=${JSON.stringify(home)}${result.code === 0 ? '' : ` (exit ${String(result.code)}: ${result.stderr.trim()})`}`,
      { hint: 'write an absolute path for clusters.<name>.workdir (and scratch, hf_cache), e.g. /home/<user>/hpcbench' },
    );
  }
  return home.length > 1 ? home.replace(/\/+$/, '') : home;
}

/** Remembers the home directory of one transport, so a second lookup costs no command. */
export class RemoteHomeResolver {
  private home: Promise<string> | undefined;
  constructor(private readonly transport: Transport) {}

  /** `path` made absolute; asks the cluster only the first time a path needs it. */
  async resolve(path: string): Promise<string> {
    if (!needsRemoteHome(path)) return path;
    this.home ??= readRemoteHome(this.transport);
    return expandRemoteHome(path, await this.home);
  }

  async resolveOptional(path: string | undefined): Promise<string | undefined> {
    return path === undefined ? undefined : this.resolve(path);
  }
}

/**
 * A copy of the run's cluster whose workdir is absolute on the cluster (ssh settings untouched).
 * A relative workdir starts at the home directory too: that is where ssh commands, sbatch and
 * SFTP start, so run.json says where the run really is.
 */
export async function resolveRunClusterPaths(resolver: RemoteHomeResolver, cluster: RunCluster): Promise<RunCluster> {
  const written = cluster.workdir.startsWith('/') || cluster.workdir.startsWith('~') ? cluster.workdir : `~/${cluster.workdir}`;
  const workdir = await resolver.resolve(written);
  return workdir === cluster.workdir ? cluster : { ...cluster, workdir };
}

/**
 * Runs submitted before ~ was resolved at submission kept it in run.json, and every remote command
 * quotes its paths: make them absolute in the record read (one command, only for such runs).
 */
export async function resolveRecordPaths(transport: Transport, record: { remote_dir: string; cluster: RunCluster }): Promise<void> {
  if (!needsRemoteHome(record.remote_dir) && !needsRemoteHome(record.cluster.workdir)) return;
  const home = new RemoteHomeResolver(transport);
  record.remote_dir = await home.resolve(record.remote_dir);
  record.cluster = { ...record.cluster, workdir: await home.resolve(record.cluster.workdir) };
}
