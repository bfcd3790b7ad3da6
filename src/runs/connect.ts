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
import type { RunCluster } from './run-record.js';

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

/** The cluster fields run.json keeps, taken from a resolved config cluster (paths made absolute). */
export function describeRunCluster(cluster: Cluster, root: string): RunCluster {
  const home = homedir();
  // A local cluster's workdir may be relative to hpcbench.yaml; later commands run from anywhere.
  const workdir = cluster.transport === 'local' ? expandHome(cluster.workdir, root, home) : cluster.workdir;
  const out: RunCluster = { name: cluster.name, transport: cluster.transport, workdir };
  if (cluster.ssh) {
    const ssh = { ...cluster.ssh };
    if (ssh.identity_file !== undefined) ssh.identity_file = expandHome(ssh.identity_file, root, home);
    if (ssh.known_hosts !== undefined) ssh.known_hosts = expandHome(ssh.known_hosts, root, home);
    if (ssh.ssh_config !== undefined) ssh.ssh_config = expandHome(ssh.ssh_config, root, home);
    out.ssh = ssh;
  }
  return out;
}

/** The SSH target for a cluster's settings (the transport's own resolution, as `ssh` would do it). */
export function resolveClusterTarget(cluster: RunCluster, options: ConnectClusterOptions = {}): SshTarget {
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

/** SSH connections opened so far by a transport (0 for local ones), for the benchmark and --verbose. */
export function connectionsOpened(transport: Transport): number {
  return transport instanceof SshTransport ? transport.connectionsOpened : 0;
}
