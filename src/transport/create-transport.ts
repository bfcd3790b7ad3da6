/**
 * Pick the transport for a cluster entry: `local` runs on this machine (a login node), anything
 * else is an SSH target resolved through ~/.ssh/config.
 */
import { ConfigError } from '../errors.js';
import { LocalTransport, type LocalTransportOptions } from './local.js';
import { SshTransport, type SshTransportOptions } from './ssh.js';
import { resolveSshSettings, type ResolveSshTargetOptions, type SshTargetSettings } from './ssh-target.js';
import type { Transport } from './transport.js';

export type CreateTransportOptions = SshTransportOptions & ResolveSshTargetOptions & LocalTransportOptions;

/** `'local'`, an alias / `user@host:port`, or the `ssh:` mapping of hpcbench.yaml. */
export function createTransport(target: string | SshTargetSettings, options: CreateTransportOptions = {}): Transport {
  if (target === 'local') return new LocalTransport(options);
  const settings = typeof target === 'string' ? { host: target } : target;
  return new SshTransport(resolveSshSettings(settings, options), options);
}

/** The shape of a resolved cluster that matters here (see src/config). */
export interface ClusterTransportSettings {
  name?: string;
  transport: 'ssh' | 'local';
  ssh?: SshTargetSettings | undefined;
}

export function createClusterTransport(cluster: ClusterTransportSettings, options: CreateTransportOptions = {}): Transport {
  if (cluster.transport === 'local') return new LocalTransport(options);
  if (!cluster.ssh) {
    const name = cluster.name ?? '';
    throw new ConfigError([
      { path: `clusters.${name}.ssh`, message: 'transport ssh needs an `ssh:` target: a Host alias from ~/.ssh/config, or "user@host"' },
    ]);
  }
  return createTransport(cluster.ssh, options);
}
