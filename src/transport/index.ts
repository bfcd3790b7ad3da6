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
export { SshTransport, type SshTransportOptions } from './ssh.js';
export { resolveSshTarget, resolveSshSettings, describeTarget, type SshTarget, type SshTargetSettings } from './ssh-target.js';
