// Which host key algorithms the SSH transport offers, read where it matters: in the client's
// KEXINIT as a real SSH server (ssh2's Server, on 127.0.0.1) receives it. The key types already
// known for the host come first, so a known host is not asked for a key type nobody recorded.
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server, utils, type ParsedKey } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyTypeOfBlob } from '../../../src/transport/known-hosts.js';
import { SshTransport } from '../../../src/transport/ssh.js';
import { sshString } from './support/ssh-keys.js';

function parse(key: string): ParsedKey {
  const parsed = utils.parseKey(key);
  if (parsed instanceof Error) throw parsed;
  return Array.isArray(parsed) ? (parsed[0] as ParsedKey) : parsed;
}

const dir = mkdtempSync(join(tmpdir(), 'hpcbench-hostkey-algs-'));
const ed25519 = utils.generateKeyPairSync('ed25519');
const ecdsa = utils.generateKeyPairSync('ecdsa', { bits: 256 });
const client = utils.generateKeyPairSync('ed25519');
const clientKeyPath = join(dir, 'id_ed25519');
writeFileSync(clientKeyPath, client.private, { mode: 0o600 });

/** The host key algorithms of each client KEXINIT, in the client's order. */
const offered: string[][] = [];
let port = 0;
// Any login is accepted and every command exits 0: only the key exchange is under test.
const server = new Server(
  {
    hostKeys: [ed25519.private, ecdsa.private],
    debug: (line: string) => {
      const match = /Handshake: \(remote\) Host key format: (.*)$/.exec(line);
      if (match) offered.push((match[1] ?? '').split(','));
    },
  },
  (connection) => {
    connection.on('error', () => undefined);
    connection.on('authentication', (ctx) => ctx.accept());
    connection.on('ready', () => {
      connection.on('session', (accept) => {
        accept().once('exec', (acceptExec) => {
          const stream = acceptExec();
          stream.exit(0);
          stream.end();
        });
      });
    });
  },
);

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** A fake key blob of `type` (only its type is read when choosing what to offer). */
function blobOf(type: string): Buffer {
  return Buffer.concat([sshString(type), sshString(createHash('sha256').update(type).digest())]);
}

/**
 * Connects with a known_hosts file holding `blobs` for the server and runs `true`; returns the
 * algorithms offered and how the connection ended (`ok` or the refusal's message).
 */
async function connectKnowing(blobs: readonly Buffer[]): Promise<{ offered: string[]; outcome: string }> {
  const knownHosts = join(mkdtempSync(join(dir, 'kh-')), 'known_hosts');
  writeFileSync(knownHosts, blobs.map((b) => `[127.0.0.1]:${port} ${keyTypeOfBlob(b) ?? 'unknown'} ${b.toString('base64')}\n`).join(''));
  const before = offered.length;
  const transport = new SshTransport(
    {
      alias: 'algs',
      host: '127.0.0.1',
      port,
      username: 'tester',
      identityFiles: [clientKeyPath],
      identityFilesExplicit: true,
      identitiesOnly: true,
      proxyJump: [],
      knownHostsFiles: [knownHosts],
      globalKnownHostsFiles: [],
    },
    { agent: false, interactive: false, reconnect: { attempts: 0 } },
  );
  let outcome: string;
  try {
    outcome = (await transport.exec(['true'])).code === 0 ? 'ok' : 'exit code';
  } catch (error) {
    outcome = (error as Error).message;
  } finally {
    await transport.close();
  }
  expect(offered.length).toBe(before + 1);
  return { offered: offered[before] ?? [], outcome };
}

const DEFAULT_ORDER = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];

describe('host key algorithms offered by the SSH transport', () => {
  it('offers ED25519 first when nothing is known, and refuses the unknown key', async () => {
    const { offered: list, outcome } = await connectKnowing([]);
    expect(list).toEqual(DEFAULT_ORDER);
    expect(outcome).toMatch(/is not known: ED25519 key/);
  });

  it('offers a known ECDSA key type first, once, and the server then presents the known key', async () => {
    const { offered: list, outcome } = await connectKnowing([parse(ecdsa.public).getPublicSSH()]);
    expect(list[0]).toBe('ecdsa-sha2-nistp256');
    expect(new Set(list).size).toBe(list.length);
    expect(new Set(list)).toEqual(new Set(DEFAULT_ORDER));
    // The server also holds an ED25519 key, which nobody recorded: it is not asked for.
    expect(outcome).toBe('ok');
  });

  it('offers a known RSA key as its SHA-2 signature algorithms first', async () => {
    const { offered: list } = await connectKnowing([blobOf('ssh-rsa')]);
    expect(list.slice(0, 3)).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
  });

  it('ignores a known key type it cannot negotiate', async () => {
    const { offered: list, outcome } = await connectKnowing([blobOf('ssh-unknown')]);
    expect(list[0]).toBe('ssh-ed25519');
    expect(outcome).toMatch(/is not known: ED25519 key/);
  });
});
