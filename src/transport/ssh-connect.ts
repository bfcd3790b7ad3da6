/**
 * Open one authenticated SSH connection, hop by hop through a ProxyJump chain: TCP to the first
 * hop, then `forwardOut` from each hop to the next, whose stream becomes the next client's socket.
 * Every hop's host key is verified on its own.
 */
import { connect as connectTcp, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { Client, type Algorithms, type ClientChannel } from 'ssh2';
import { RemoteError, SshConnectError } from '../errors.js';
import { AuthAttempt, type AuthOptions } from './ssh-auth.js';
import { loadKnownHosts, verifyHostKey, type HostKeyPolicy } from './host-key-policy.js';
import { knownHostName, knownKeyTypes } from './known-hosts.js';
import type { SshTarget } from './ssh-target.js';

export interface ConnectOptions extends AuthOptions {
  /** Override the target's known_hosts files (each hop uses its own otherwise). */
  knownHostsFiles?: readonly string[];
  acceptNewHostKey?: boolean;
  hashKnownHosts?: boolean;
  readyTimeoutMs?: number;
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  /** Called with each key pinned by accept-new, so the CLI can tell the user. */
  onHostKeyPinned?: (info: { where: string; file: string; line: string }) => void;
}

export interface SshConnection {
  /** The client connected to the final target. */
  readonly client: Client;
  /** Every client opened, first hop first, the target last. */
  readonly clients: readonly Client[];
  /** The TCP socket to the first hop; destroying it drops the whole chain. */
  readonly socket: Socket;
  close(): void;
}

const DEFAULT_READY_TIMEOUT_MS = 20_000;
const DEFAULT_KEEPALIVE_INTERVAL_MS = 15_000;
const DEFAULT_KEEPALIVE_COUNT_MAX = 4;

const RSA_ALGORITHMS = ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
const DEFAULT_HOST_KEY_ORDER = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', ...RSA_ALGORITHMS];

/** Offer the algorithms of keys we already know first, so a known host is not asked for a new key type. */
function hostKeyAlgorithms(knownTypes: readonly string[]): string[] {
  const preferred = knownTypes.flatMap((t) => (t === 'ssh-rsa' ? RSA_ALGORITHMS : [t]));
  return [...new Set([...preferred.filter((a) => DEFAULT_HOST_KEY_ORDER.includes(a)), ...DEFAULT_HOST_KEY_ORDER])];
}

export async function openSshConnection(target: SshTarget, options: ConnectOptions = {}): Promise<SshConnection> {
  const hops = [...target.proxyJump, target];
  const clients: Client[] = [];
  const first = hops[0] ?? target;
  const socket = connectTcp({ host: first.host, port: first.port });
  // Errors are reported through the ssh2 client that owns the socket.
  socket.on('error', () => undefined);
  const close = (): void => {
    for (const c of [...clients].reverse()) c.end();
    socket.destroy();
  };
  try {
    let sock: Duplex = socket;
    for (let i = 0; i < hops.length; i += 1) {
      const hop = hops[i] ?? target;
      if (i > 0) {
        const previous = clients[i - 1];
        if (!previous) throw new Error('internal: hop without client');
        sock = await forward(previous, hop, hops[i - 1] ?? hop);
      }
      clients.push(await connectHop(hop, sock, options));
    }
  } catch (error) {
    close();
    throw error;
  }
  const client = clients[clients.length - 1];
  if (!client) throw new Error('internal: no client');
  return { client, clients, socket, close };
}

function where(t: SshTarget): string {
  return `${t.username}@${t.host}:${t.port}`;
}

function forward(via: Client, to: SshTarget, viaTarget: SshTarget): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    via.forwardOut('127.0.0.1', 0, to.host, to.port, (error, stream) => {
      if (error) {
        reject(
          new SshConnectError(`jump host ${where(viaTarget)} could not open a connection to ${to.host}:${to.port}: ${error.message}`, {
            hint: 'check the ProxyJump chain and HostName in ~/.ssh/config, and that the jump host allows TCP forwarding',
            cause: error,
            transient: false,
          }),
        );
      } else {
        resolve(stream);
      }
    });
  });
}

function connectHop(hop: SshTarget, sock: Duplex, options: ConnectOptions): Promise<Client> {
  const policy: HostKeyPolicy = {
    knownHostsFiles: options.knownHostsFiles ?? hop.knownHostsFiles,
    globalKnownHostsFiles: hop.globalKnownHostsFiles,
    // Either the flag or the user's StrictHostKeyChecking accept-new turns pinning on.
    acceptNew: (options.acceptNewHostKey ?? false) || (hop.acceptNewHostKey ?? false),
    hashNew: (options.hashKnownHosts ?? false) || (hop.hashKnownHosts ?? false),
  };
  const name = hop.hostKeyAlias ?? knownHostName(hop.host, hop.port);
  const known = loadKnownHosts(policy.knownHostsFiles, policy.globalKnownHostsFiles);
  const auth = new AuthAttempt(hop, options);
  const client = new Client();
  let refusal: RemoteError | undefined;
  const algorithms: Algorithms = { serverHostKey: hostKeyAlgorithms(knownKeyTypes(known.entries, name)) as Algorithms['serverHostKey'] };

  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (error: RemoteError): void => {
      if (settled) return;
      settled = true;
      client.end();
      reject(error);
    };
    client.once('ready', () => {
      settled = true;
      resolve(client);
    });
    client.on('error', (error: Error & { level?: string; code?: string }) => {
      if (refusal) fail(refusal);
      else if (error.level === 'client-authentication') fail(auth.failure(where(hop)));
      else fail(describeConnectError(error, hop));
    });
    client.once('close', () => fail(refusal ?? new SshConnectError(`connection to ${where(hop)} closed during the handshake`, {
      hint: 'the server may be restarting or limiting connections (MaxStartups); try again shortly',
      transient: true,
    })));
    client.connect({
      sock,
      username: hop.username,
      readyTimeout: hop.connectTimeoutMs ?? options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
      keepaliveInterval: hop.keepaliveIntervalMs ?? options.keepaliveIntervalMs ?? DEFAULT_KEEPALIVE_INTERVAL_MS,
      keepaliveCountMax: hop.keepaliveCountMax ?? options.keepaliveCountMax ?? DEFAULT_KEEPALIVE_COUNT_MAX,
      algorithms,
      authHandler: auth.handler,
      hostVerifier: (key: Buffer): boolean => {
        try {
          const verdict = verifyHostKey(key, { name, host: hop.host, port: hop.port, where: where(hop) }, policy, known);
          if (verdict.accepted) {
            if (verdict.pinnedAt) options.onHostKeyPinned?.({ where: where(hop), ...verdict.pinnedAt });
            return true;
          }
          refusal = verdict.error;
        } catch (error) {
          refusal = error instanceof RemoteError ? error : new RemoteError(String(error), { cause: error });
        }
        return false;
      },
    });
  });
}

const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'EAI_AGAIN']);

function describeConnectError(error: Error & { level?: string; code?: string }, hop: SshTarget): SshConnectError {
  const at = where(hop);
  if (error.code === 'ECONNREFUSED') {
    return new SshConnectError(`cannot connect to ${at}: connection refused`, {
      hint: `is sshd running there and listening on port ${hop.port}? Check with: ssh -p ${hop.port} ${hop.username}@${hop.host}`,
      cause: error,
      transient: true,
    });
  }
  if (error.code === 'ENOTFOUND') {
    return new SshConnectError(`cannot connect to ${at}: host name ${hop.host} not found`, {
      hint: 'check HostName in ~/.ssh/config, and that you are on the cluster VPN if it needs one',
      cause: error,
      transient: false,
    });
  }
  if (error.level === 'client-timeout' || error.code === 'ETIMEDOUT') {
    return new SshConnectError(`cannot connect to ${at}: no SSH handshake within the time limit`, {
      hint: 'check the network or VPN; raise ConnectTimeout in ~/.ssh/config for slow gateways',
      cause: error,
      transient: true,
    });
  }
  return new SshConnectError(`cannot connect to ${at}: ${error.message}`, {
    hint: 'check the target with the OpenSSH client: ssh -v ' + `-p ${hop.port} ${hop.username}@${hop.host}`,
    cause: error,
    transient: TRANSIENT_CODES.has(error.code ?? '') || error.level === 'client-socket' || error.level === 'protocol',
  });
}
