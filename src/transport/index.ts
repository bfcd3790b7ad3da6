/** The transport layer's public surface (re-exported by src/index.ts). */
export {
  DEFAULT_EXEC_TIMEOUT_MS,
  type Transport,
  type TransportKind,
  type ExecOptions,
  type ExecResult,
  type RemoteStat,
  type RemoteDirEntry,
  type DownloadResult,
  type FileWriteOptions,
} from './transport.js';
export { LocalTransport, type LocalTransportOptions } from './local.js';
export { SshTransport, type SshTransportOptions, type ReconnectOptions } from './ssh.js';
export { type ConnectOptions } from './ssh-connect.js';
export {
  resolveSshTarget,
  resolveSshSettings,
  describeTarget,
  parseTargetSpec,
  type SshTarget,
  type SshTargetSettings,
  type ResolveSshTargetOptions,
} from './ssh-target.js';
export {
  parseKnownHosts,
  checkHostKey,
  fingerprintSha256,
  knownHostName,
  matchesHostField,
  hashHostName,
  formatKnownHostsLine,
  type KnownHostEntry,
  type HostKeyCheck,
} from './known-hosts.js';
export { verifyHostKey, loadKnownHosts, type HostKeyPolicy } from './host-key-policy.js';
