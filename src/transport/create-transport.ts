/**
 * Pick the transport for a cluster entry: `local` runs on this machine (a login node), anything
 * else is an SSH target resolved through ~/.ssh/config.
 */
import { LocalTransport, type LocalTransportOptions } from './local.js';
import { SshTransport, type SshTransportOptions } from './ssh.js';
import type { ResolveSshTargetOptions } from './ssh-target.js';
import type { Transport } from './transport.js';

export type CreateTransportOptions = SshTransportOptions & ResolveSshTargetOptions & LocalTransportOptions;

export function createTransport(target: string, options: CreateTransportOptions = {}): Transport {
  if (target === 'local') return new LocalTransport(options);
  return SshTransport.fromAlias(target, options);
}
