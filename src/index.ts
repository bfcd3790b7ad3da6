/**
 * The library API: an explicit export list. Add exports here as modules land.
 */
export * from './errors.js';
export { quoteShell, shellCommand } from './render/shell-quote.js';
export * from './stats/index.js';
export {
  scanLines,
  readLines,
  RejectedLines,
  enforceStrict,
  emptyFileError,
  unrecognisedFileError,
  type Line,
  type ReadProgress,
  type ReadLinesOptions,
  type ScanResult,
  type RejectedLine,
  type RejectedLinesReport,
} from './profile/lines.js';
export {
  loadConfig,
  loadConfigText,
  findConfigFile,
  resolveConfigPath,
  PRESETS,
  findPreset,
  JOB_NAME_PATTERN,
  type ResolvedConfig,
  type Cluster,
  type Partition,
  type Experiment,
  type Resources,
  type Profiling,
  type Checkpoint,
  type Sweep,
  type Preset,
} from './config/index.js';
export * from './slurm/index.js';
export {
  createTransport,
  LocalTransport,
  SshTransport,
  ConnectionLostError,
  SshConnectError,
  resolveSshTarget,
  describeTarget,
  parseKnownHosts,
  checkHostKey,
  fingerprintSha256,
  knownHostName,
  DEFAULT_EXEC_TIMEOUT_MS,
  type Transport,
  type TransportKind,
  type ExecOptions,
  type ExecResult,
  type RemoteStat,
  type RemoteDirEntry,
  type DownloadResult,
  type FileWriteOptions,
  type SshTarget,
  type SshTransportOptions,
  type CreateTransportOptions,
  type LocalTransportOptions,
} from './transport/index.js';
