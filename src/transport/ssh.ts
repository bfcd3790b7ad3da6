/**
 * Transport over SSH: ONE connection per CLI invocation, carrying many exec channels and one
 * lazily opened SFTP session. Clusters' login nodes rate-limit new connections (MaxStartups) and
 * every handshake costs a round trip or three through the gateways, so the connection is reused;
 * when it drops it is re-established with backoff.
 */
import { computeBackoffDelay } from '../backoff.js';
import type { SFTPWrapper } from 'ssh2';
import { RemoteError, ConnectionLostError, SshConnectError } from '../errors.js';
import { quoteShell, shellCommand } from '../shell-quote.js';
import { isInteractive, readPassphraseFromTty } from './passphrase.js';
import { Semaphore } from './semaphore.js';
import { SftpFiles } from './sftp-files.js';
import { runSshCommand } from './ssh-exec.js';
import { openSshConnection, type ConnectOptions, type SshConnection } from './ssh-connect.js';
import { describeTarget, resolveSshTarget, type ResolveSshTargetOptions, type SshTarget } from './ssh-target.js';
import {
  DEFAULT_EXEC_TIMEOUT_MS,
  withCwd,
  type DownloadOptions,
  type DownloadResult,
  type ExecOptions,
  type ExecResult,
  type FileWriteOptions,
  type RemoteDirEntry,
  type RemoteStat,
  type Transport,
} from './transport.js';


interface ReconnectOptions {
  /** Connection attempts after a transient failure (refused, reset, timeout); default 4. */
  attempts?: number;
  /** First wait, doubled each time with ±25 % jitter; default 500 ms. */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

export interface SshTransportOptions extends ConnectOptions {
  execTimeoutMs?: number;
  /** Channels open at once, the SFTP session included; OpenSSH's MaxSessions defaults to 10. */
  maxChannels?: number;
  reconnect?: ReconnectOptions;
  /** Injected for tests; defaults to setTimeout. */
  sleep?: (ms: number) => Promise<void>;
}

interface Live {
  readonly connection: SshConnection;
  alive: boolean;
  sftp?: Promise<SftpFiles>;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class SshTransport implements Transport {
  readonly kind = 'ssh' as const;
  readonly target: string;
  readonly sshTarget: SshTarget;
  private readonly options: SshTransportOptions;
  private readonly channels: Semaphore;
  private live: Promise<Live> | undefined;
  private closed = false;
  private everConnected = false;
  private opened = 0;
  private reconnected = 0;

  /** Resolve an alias or user@host:port through ~/.ssh/config and build a transport for it. */
  static fromAlias(alias: string, options: SshTransportOptions & ResolveSshTargetOptions = {}): SshTransport {
    return new SshTransport(resolveSshTarget(alias, options), options);
  }

  constructor(target: SshTarget, options: SshTransportOptions = {}) {
    this.sshTarget = target;
    this.target = describeTarget(target);
    this.options = {
      promptPassphrase: readPassphraseFromTty,
      interactive: isInteractive(),
      ...options,
    };
    // One channel stays reserved for the SFTP session.
    this.channels = new Semaphore(Math.max(1, (options.maxChannels ?? 10) - 1));
  }

  /** SSH connections opened so far (1 for a whole CLI invocation unless the network dropped). */
  get connectionsOpened(): number {
    return this.opened;
  }

  /** Connections re-established after one was lost. */
  get reconnects(): number {
    return this.reconnected;
  }

  /** Connect now instead of at the first command (to fail early on host keys or auth). */
  async connect(): Promise<void> {
    await this.acquireLive();
  }

  /**
   * Cut the current connection as a network fault would (the TCP socket is destroyed, no SSH
   * goodbye). For fault-injection tests; the next operation reconnects.
   */
  dropConnection(): void {
    void this.live?.then((l) => l.connection.socket.destroy()).catch(() => undefined);
  }

  private acquireLive(): Promise<Live> {
    if (this.closed) return Promise.reject(new RemoteError(`the connection to ${this.target} was already closed`));
    const current = this.live;
    if (current) {
      return current.then((l) => (l.alive ? l : this.replaceLive(current)));
    }
    return this.replaceLive(undefined);
  }

  private replaceLive(stale: Promise<Live> | undefined): Promise<Live> {
    // Concurrent callers that saw the same stale connection share one reconnection.
    if (this.live !== stale && this.live !== undefined) return this.acquireLive();
    const next = this.connectWithBackoff();
    this.live = next;
    next.catch(() => {
      if (this.live === next) this.live = undefined;
    });
    return next;
  }

  private async connectWithBackoff(): Promise<Live> {
    const attempts = this.everConnected ? Math.max(1, this.options.reconnect?.attempts ?? 4) : 1;
    const base = this.options.reconnect?.baseDelayMs ?? 500;
    const max = this.options.reconnect?.maxDelayMs ?? 8_000;
    const sleep = this.options.sleep ?? defaultSleep;
    for (let attempt = 1; ; attempt += 1) {
      try {
        const connection = await openSshConnection(this.sshTarget, this.options);
        return this.adopt(connection);
      } catch (error) {
        const transient = error instanceof SshConnectError && error.transient;
        if (!transient || attempt >= attempts) throw error;
        const delay = computeBackoffDelay(attempt, { baseMs: base, maxMs: max, jitter: 0.25 });
        await sleep(delay);
      }
    }
  }

  private adopt(connection: SshConnection): Live {
    this.opened += 1;
    if (this.everConnected) this.reconnected += 1;
    this.everConnected = true;
    const live: Live = { connection, alive: true };
    const die = (): void => {
      if (!live.alive) return;
      live.alive = false;
      // The rest of a ProxyJump chain would otherwise stay open to the gateways.
      connection.close();
    };
    connection.client.on('close', die);
    connection.client.on('end', die);
    connection.socket.on('close', die);
    connection.client.on('error', () => {
      // Errors after the handshake show up as a closed connection; the next call reconnects.
      die();
    });
    if (this.closed) connection.close();
    return live;
  }

  async exec(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    if (argv.length === 0) throw new RemoteError('exec needs a command; got an empty argv');
    return this.execShell(shellCommand(argv), opts);
  }

  async execShell(script: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const command = withCwd(script, opts.cwd, quoteShell);
    return this.channels.use(async () => {
      // An exec on a dead connection reconnects once; a command already sent is never re-sent.
      for (let attempt = 1; ; attempt += 1) {
        opts.signal?.throwIfAborted();
        const live = await this.acquireLive();
        try {
          const timeoutMs = opts.timeoutMs ?? this.options.execTimeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS;
          const channelHost = { client: live.connection.client, isAlive: () => live.alive, target: this.target };
          return await runSshCommand(channelHost, command, opts, timeoutMs);
        } catch (error) {
          const retry = error instanceof ConnectionLostError && !error.commandSent && attempt === 1;
          if (!retry) throw error;
          live.alive = false;
        }
      }
    });
  }

  private openSftp(live: Live): Promise<SftpFiles> {
    if (live.sftp) return live.sftp;
    const pending = new Promise<SftpFiles>((resolve, reject) => {
      live.connection.client.sftp((error: Error | undefined, sftp: SFTPWrapper) => {
        if (error) {
          reject(new RemoteError(`cannot open an SFTP session on ${this.target}: ${error.message}`, {
            hint: 'the server must enable the sftp subsystem (Subsystem sftp in sshd_config)',
            cause: error,
          }));
          return;
        }
        // A session closed by the server (sftp-server killed) is reopened by the next operation.
        sftp.on('close', () => {
          if (live.sftp === pending) delete live.sftp;
        });
        resolve(new SftpFiles(sftp, this.target));
      });
    });
    live.sftp = pending;
    pending.catch(() => {
      if (live.sftp === pending) delete live.sftp;
    });
    return pending;
  }

  /** Run one SFTP operation; all of them are idempotent, so one lost connection is retried. */
  private async withFiles<T>(op: (files: SftpFiles) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      const live = await this.acquireLive();
      try {
        return await op(await this.openSftp(live));
      } catch (error) {
        if (live.alive || attempt > 1) throw error;
      }
    }
  }

  upload(localPath: string, remotePath: string, opts: FileWriteOptions = {}): Promise<void> {
    return this.withFiles((f) => f.upload(localPath, remotePath, opts.mode));
  }

  download(remotePath: string, localPath: string, opts: DownloadOptions = {}): Promise<DownloadResult> {
    return this.withFiles((f) => f.download(remotePath, localPath, opts));
  }

  mkdirp(remotePath: string): Promise<void> {
    return this.withFiles((f) => f.mkdirp(remotePath));
  }

  stat(remotePath: string): Promise<RemoteStat | undefined> {
    return this.withFiles((f) => f.stat(remotePath));
  }

  list(remoteDir: string): Promise<RemoteDirEntry[]> {
    return this.withFiles((f) => f.list(remoteDir));
  }

  writeFile(remotePath: string, content: string | Buffer, opts: FileWriteOptions = {}): Promise<void> {
    return this.withFiles((f) => f.writeFile(remotePath, content, opts.mode));
  }

  readFile(remotePath: string): Promise<Buffer> {
    return this.withFiles((f) => f.readFile(remotePath));
  }

  async close(): Promise<void> {
    this.closed = true;
    const current = this.live;
    this.live = undefined;
    if (!current) return;
    const live = await current.catch(() => undefined);
    if (!live?.alive) return;
    live.alive = false;
    await new Promise<void>((resolve) => {
      live.connection.client.once('close', () => resolve());
      live.connection.close();
      // A half-dead connection may never confirm; do not hang the CLI on it.
      setTimeout(resolve, 2_000).unref();
    });
  }
}
