/**
 * From a cluster entry (the config's, or the copy kept in run.json) to a Transport. The ssh
 * settings of hpcbench.yaml (user, port, identity_file, known_hosts, proxy_jump) override what
 * ~/.ssh/config says for the host, as `ssh -l -p -i -o` flags would.
 */
import { isAbsolute, resolve } from 'node:path';
import { homedir } from 'node:os';
import type { Cluster } from '../config/index.js';
import { LocalTransport } from '../transport/local.js';
import { SshTransport, type SshTransportOptions } from '../transport/ssh.js';
import { resolveSshSettings, type SshTarget } from '../transport/ssh-target.js';
import { ConfigError } from '../errors.js';
import type { Transport } from '../transport/transport.js';
import type { RunCluster, RunSshSettings } from './run-record.js';

export interface ConnectClusterOptions extends SshTransportOptions {
  /** Directory that relative paths in the ssh settings start from (the config's directory). */
  root?: string;
  homeDir?: string;
}

function expandHome(path: string, root: string, home: string): string {
  if (path === '~') return home;
  if (path.startsWith('~/')) return resolve(home, path.slice(2));
  return isAbsolute(path) ? path : resolve(root, path);
}

/**
 * The cluster fields run.json keeps, taken from a resolved config cluster (paths made absolute).
 * The cluster's `user:` becomes the SSH login when neither ssh.user, user@ in ssh.host nor
 * ~/.ssh/config names one (ssh.user > user@host > User > cluster user: > local user): it is
 * written into the ssh copy, so every later command logs in as the same user.
 */
export function describeRunCluster(cluster: Cluster, root: string, options: { homeDir?: string } = {}): RunCluster {
  const home = options.homeDir ?? homedir();
  // A local cluster's workdir may be relative to hpcbench.yaml; later commands run from anywhere.
  const workdir = cluster.transport === 'local' ? expandHome(cluster.workdir, root, home) : cluster.workdir;
  const out: RunCluster = { name: cluster.name, transport: cluster.transport, workdir };
  if (cluster.ssh) {
    const ssh = { ...cluster.ssh };
    if (ssh.identity_file !== undefined) ssh.identity_file = expandHome(ssh.identity_file, root, home);
    if (ssh.known_hosts !== undefined) ssh.known_hosts = expandHome(ssh.known_hosts, root, home);
    if (ssh.ssh_config !== undefined) ssh.ssh_config = expandHome(ssh.ssh_config, root, home);
    if (ssh.user === undefined && cluster.user !== undefined && loginFromCluster(ssh, cluster.user, root, home)) ssh.user = cluster.user;
    out.ssh = ssh;
  }
  return out;
}

/** Whether the cluster's user would be the login, i.e. neither the target nor ~/.ssh/config names one. */
function loginFromCluster(ssh: RunSshSettings, user: string, root: string, homeDir: string): boolean {
  try {
    return resolveSshSettings(ssh, { homeDir, baseDir: root, fallbackUser: user }).usernameFrom === 'cluster';
  } catch {
    // An unreadable ssh config is reported by the connection itself, with its file and line.
    return false;
  }
}

/** The SSH target for a cluster's settings (the transport's own resolution, as `ssh` would do it). */
function resolveClusterTarget(cluster: RunCluster, options: ConnectClusterOptions = {}): SshTarget {
  const ssh = cluster.ssh;
  if (!ssh) {
    throw new ConfigError([{ path: `clusters.${cluster.name}.ssh`, message: 'transport ssh needs an `ssh:` target: a Host alias from ~/.ssh/config, or "user@host"' }]);
  }
  return resolveSshSettings(ssh, {
    ...(options.homeDir === undefined ? {} : { homeDir: options.homeDir }),
    baseDir: options.root ?? process.cwd(),
  });
}

/** One transport for the whole CLI invocation (one SSH connection, multiplexed). */
export function connectCluster(cluster: RunCluster, options: ConnectClusterOptions = {}): Transport {
  if (cluster.transport === 'local') return new LocalTransport(options.execTimeoutMs === undefined ? {} : { execTimeoutMs: options.execTimeoutMs });
  return new SshTransport(resolveClusterTarget(cluster, options), options);
}
