// A small real SSH server (ssh2's Server) on 127.0.0.1 for unit tests of the SSH transport: it
// speaks the actual protocol, checks a client key, runs exec requests with bash, limits sessions
// per connection like OpenSSH's MaxSessions, and can drop every connection on demand.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server, utils, type Connection, type ParsedKey } from 'ssh2';

export interface TestSshServer {
  port: number;
  /** Client private key file accepted by the server. */
  clientKeyPath: string;
  /** known_hosts file holding the server's host key for [127.0.0.1]:port. */
  knownHostsPath: string;
  hostKeyBlob: Buffer;
  /** Connections accepted so far (after authentication). */
  readonly connections: number;
  /** Most sessions that were open at once on one connection. */
  readonly peakSessions: number;
  /** End every client connection abruptly (no SSH disconnect message). */
  dropAll(): void;
  /** Stop reading from every open connection, as a dead network path would: nothing is answered. */
  freezeAll(): void;
  stop(): Promise<void>;
  /** Listen again on the same port after stop(). */
  start(): Promise<void>;
}

function parse(key: string): ParsedKey {
  const parsed = utils.parseKey(key);
  if (parsed instanceof Error) throw parsed;
  return Array.isArray(parsed) ? (parsed[0] as ParsedKey) : parsed;
}

export async function startTestSshServer(options: { maxSessions?: number } = {}): Promise<TestSshServer> {
  const dir = mkdtempSync(join(tmpdir(), 'hpcbench-sshd-'));
  const hostKeys = utils.generateKeyPairSync('ed25519');
  const clientKeys = utils.generateKeyPairSync('ed25519');
  const allowed = parse(clientKeys.public);
  const hostKeyBlob = parse(hostKeys.public).getPublicSSH();
  const clientKeyPath = join(dir, 'id_ed25519');
  writeFileSync(clientKeyPath, clientKeys.private, { mode: 0o600 });
  writeFileSync(`${clientKeyPath}.pub`, `${clientKeys.public}\n`);
  const maxSessions = options.maxSessions ?? 10;
  const live = new Set<Connection>();
  const sockets = new Set<Socket>();
  const frozen = new Set<Socket>();
  let connections = 0;
  let peakSessions = 0;

  const server = new Server({ hostKeys: [hostKeys.private] }, (client) => {
    live.add(client);
    client.on('close', () => live.delete(client));
    client.on('error', () => undefined);
    client.on('authentication', (ctx) => {
      if (ctx.method === 'publickey' && ctx.key.algo === allowed.type && ctx.key.data.equals(allowed.getPublicSSH())) {
        if (ctx.signature && ctx.blob && allowed.verify(ctx.blob, ctx.signature, ctx.hashAlgo) !== true) {
          ctx.reject();
          return;
        }
        ctx.accept();
        return;
      }
      ctx.reject(['publickey']);
    });
    client.on('ready', () => {
      connections += 1;
      // direct-tcpip, as a ProxyJump hop needs; closing either side closes the other.
      client.on('tcpip', (acceptTcp, _rejectTcp, info) => {
        const stream = acceptTcp();
        const socket = connect(info.destPort, info.destIP);
        socket.on('error', () => stream.close());
        stream.on('close', () => socket.destroy());
        stream.pipe(socket).pipe(stream);
      });
      let open = 0;
      client.on('session', (acceptSession, rejectSession) => {
        if (open >= maxSessions) {
          rejectSession();
          return;
        }
        open += 1;
        peakSessions = Math.max(peakSessions, open);
        const session = acceptSession();
        session.on('close', () => {
          open -= 1;
        });
        session.on('exec', (acceptExec, _rejectExec, info) => {
          const stream = acceptExec();
          const child = spawn('bash', ['-c', info.command], { stdio: ['pipe', 'pipe', 'pipe'] });
          stream.pipe(child.stdin);
          child.stdin.on('error', () => undefined);
          child.stdout.pipe(stream, { end: false });
          child.stderr.pipe(stream.stderr, { end: false });
          stream.on('close', () => child.kill('SIGKILL'));
          child.on('close', (code, signal) => {
            if (signal) stream.exit(signal.replace(/^SIG/, ''), false, '');
            else stream.exit(code ?? 255);
            stream.end();
          });
        });
      });
    });
  });
  // Our own TCP server hands sockets to ssh2, so the test can cut them abruptly.
  let tcp = createServer();
  const listen = (port: number): Promise<number> =>
    new Promise((resolve, reject) => {
      tcp = createServer((socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        server.injectSocket(socket);
      });
      tcp.once('error', reject);
      tcp.listen(port, '127.0.0.1', () => {
        tcp.off('error', reject);
        resolve((tcp.address() as AddressInfo).port);
      });
    });

  const port = await listen(0);
  const knownHostsPath = join(dir, 'known_hosts');
  writeFileSync(knownHostsPath, `[127.0.0.1]:${port} ssh-ed25519 ${hostKeyBlob.toString('base64')}\n`);

  return {
    port,
    clientKeyPath,
    knownHostsPath,
    hostKeyBlob,
    get connections() {
      return connections;
    },
    get peakSessions() {
      return peakSessions;
    },
    dropAll() {
      for (const socket of sockets) socket.destroy();
    },
    freezeAll() {
      for (const socket of sockets) {
        socket.pause();
        // Forgotten by the server from now on; destroyed by stop().
        frozen.add(socket);
        sockets.delete(socket);
      }
    },
    stop() {
      for (const socket of [...sockets, ...frozen]) socket.destroy();
      return new Promise((resolve) => tcp.close(() => resolve()));
    },
    async start() {
      await listen(port);
    },
  };
}
