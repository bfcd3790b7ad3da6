/**
 * One command on one SSH exec channel: output collected, a hard timeout, abort, and an exact
 * account of a lost connection (was the command already sent?), which decides whether running
 * it again is safe.
 */
import type { Client, ClientChannel } from 'ssh2';
import { RemoteError, ConnectionLostError } from '../errors.js';
import { abbreviateCommand, formatDuration, type ExecOptions, type ExecResult } from './transport.js';

/** ssh2 internals reached by {@link killRemote}; absent fields mean a different ssh2 version. */
interface ChannelInternals {
  _client?: { _protocol?: { signal?: (id: number, name: string) => void } };
  outgoing?: { id?: number; state?: string };
}

/**
 * Ask sshd to SIGKILL the command's process group: without this, closing the channel leaves a
 * command without a TTY running on the login node. ssh2's public `signal()` stays silent once
 * stdin was closed (EOF), yet the protocol allows the request after EOF, so it is sent directly.
 */
function killRemote(channel: ClientChannel): void {
  try {
    const internals = channel as unknown as ChannelInternals;
    const id = internals.outgoing?.id;
    const protocol = internals._client?._protocol;
    if (internals.outgoing?.state === 'open') channel.signal('KILL');
    else if (id !== undefined && typeof protocol?.signal === 'function' && internals.outgoing?.state === 'eof') protocol.signal(id, 'KILL');
  } catch {
    // Servers without signal support (OpenSSH < 7.9) leave the command running; nothing more to do.
  }
}

/** The live connection a command runs on. */
export interface ChannelHost {
  client: Client;
  isAlive: () => boolean;
  /** For messages. */
  target: string;
}

/**
 * Run `command` on a new channel. Rejects with a RemoteError on timeout, the abort reason on
 * abort, and ConnectionLostError when the connection goes away first.
 */
export function runSshCommand(host: ChannelHost, command: string, opts: ExecOptions, timeoutMs: number): Promise<ExecResult> {
  return new Promise<ExecResult>((resolve, reject) => {
    let channel: ClientChannel | undefined;
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const stop = (): void => {
      if (channel) killRemote(channel);
      channel?.close();
    };
    const timer = setTimeout(() => {
      stop();
      finish(() =>
        reject(
          new RemoteError(`command timed out after ${formatDuration(timeoutMs)} on ${host.target}: ${abbreviateCommand(command)}`, {
            hint: 'the cluster may be overloaded (try again), or raise the timeout if the command is expected to take this long',
          }),
        ),
      );
    }, timeoutMs);
    const onAbort = (): void => {
      stop();
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- an abort rejects with signal.reason as given, as Node's own APIs do
      finish(() => reject(opts.signal?.reason));
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    const lost = (commandSent: boolean, cause?: unknown): ConnectionLostError =>
      new ConnectionLostError(
        commandSent
          ? `the connection to ${host.target} was lost while running: ${abbreviateCommand(command)}`
          : `the connection to ${host.target} was lost before the command could start: ${abbreviateCommand(command)}`,
        {
          commandSent,
          cause,
          hint: commandSent ? 'the command may or may not have run; check its effect before running it again' : 'check the network; the next command reconnects',
        },
      );
    const onOpened = (error: Error | undefined, ch: ClientChannel): void => {
      if (error) {
        finish(() =>
          reject(
            host.isAlive()
              ? new RemoteError(`cannot start a command on ${host.target}: ${error.message}`, {
                  hint: 'the server refused a new session; lower maxChannels if its MaxSessions is below 10',
                  cause: error,
                })
              : lost(false, error),
          ),
        );
        return;
      }
      channel = ch;
      if (settled) {
        ch.close();
        return;
      }
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      let code: number | null = null;
      let signal: string | undefined;
      let exited = false;
      ch.on('data', (chunk: Buffer) => stdout.push(chunk));
      ch.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
      ch.on('exit', (exitCode: number | null, signalName?: string) => {
        exited = true;
        code = typeof exitCode === 'number' ? exitCode : null;
        if (signalName) signal = signalName;
      });
      ch.on('close', () => {
        if (!exited && !host.isAlive()) {
          finish(() => reject(lost(true)));
          return;
        }
        const result: ExecResult = {
          stdout: Buffer.concat(stdout).toString('utf8'),
          stderr: Buffer.concat(stderr).toString('utf8'),
          code,
        };
        if (signal !== undefined) result.signal = signal;
        finish(() => resolve(result));
      });
      ch.end(opts.stdin ?? '');
    };
    try {
      if (!host.isAlive()) throw new Error('Not connected');
      host.client.exec(command, onOpened);
    } catch (error) {
      finish(() => reject(lost(false, error)));
    }
  });
}
