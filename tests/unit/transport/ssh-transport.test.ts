// The SSH transport against an in-process SSH server (real protocol, real bash): connection reuse,
// session limits, reconnection, lost commands, host key and auth refusals. The same behaviour is
// proven against the cluster's OpenSSH in tests/integration/transport.test.ts.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RemoteError, SshConnectError, ConnectionLostError } from '../../../src/errors.js';
import { fingerprintSha256 } from '../../../src/transport/known-hosts.js';
import type { SshTarget } from '../../../src/transport/ssh-target.js';
import { SshTransport, type SshTransportOptions } from '../../../src/transport/ssh.js';
import { startTestSshServer, type TestSshServer } from './support/ssh-server.js';

let server: TestSshServer;
const open: SshTransport[] = [];

beforeAll(async () => {
  server = await startTestSshServer({ maxSessions: 4 });
});

afterAll(async () => {
  await server.stop();
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});

function target(overrides: Partial<SshTarget> = {}): SshTarget {
  return {
    alias: 'unit',
    host: '127.0.0.1',
    port: server.port,
    username: 'tester',
    identityFiles: [server.clientKeyPath],
    identityFilesExplicit: true,
    identitiesOnly: true,
    proxyJump: [],
    knownHostsFiles: [server.knownHostsPath],
    globalKnownHostsFiles: [],
    ...overrides,
  };
}

function transport(overrides: Partial<SshTarget> = {}, options: SshTransportOptions = {}): SshTransport {
  const t = new SshTransport(target(overrides), { agent: false, interactive: false, maxChannels: 4, ...options });
  open.push(t);
  return t;
}

describe('SshTransport (in-process server)', () => {
  it('runs commands with quoting, stdin, cwd and exit codes', async () => {
    const ssh = transport();
    const dir = mkdtempSync(join(tmpdir(), 'hpcbench-ssh-cwd-'));
    const hostile = ['$(touch x)', '`touch y`', 'a;b', 'multi\nline', "o'clock"];
    expect((await ssh.exec(['printf', '%s\\0', ...hostile], { cwd: dir })).stdout.split('\0').slice(0, -1)).toEqual(hostile);
    expect((await ssh.exec(['pwd'], { cwd: dir })).stdout).toBe(`${dir}\n`);
    expect(await ssh.execShell('echo e >&2; exit 4')).toEqual({ stdout: '', stderr: 'e\n', code: 4 });
    expect((await ssh.exec(['tr', 'a-z', 'A-Z'], { stdin: 'shout' })).stdout).toBe('SHOUT');
    expect(ssh.target).toBe(`tester@127.0.0.1:${server.port}`);
  });

  it('multiplexes many concurrent commands over one connection within the session limit', async () => {
    const before = server.connections;
    const ssh = transport();
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => ssh.exec(['sh', '-c', `sleep 0.05; echo ${i}`])));
    expect(results.map((r) => Number(r.stdout))).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(ssh.connectionsOpened).toBe(1);
    expect(server.connections - before).toBe(1);
    // maxChannels 4 keeps one for SFTP, so at most 3 exec sessions were open at once.
    expect(server.peakSessions).toBeLessThanOrEqual(3);
    expect(server.peakSessions).toBeGreaterThan(1);
  });

  it('times out a command with a RemoteError that names it', async () => {
    const ssh = transport({}, { execTimeoutMs: 300 });
    const running = ssh.exec(['sleep', '5']);
    await expect(running).rejects.toBeInstanceOf(RemoteError);
    await expect(running).rejects.toThrow(/timed out after 0\.3 s on tester@127\.0\.0\.1:\d+: sleep 5/);
    // The connection is still usable afterwards.
    expect((await ssh.exec(['echo', 'ok'])).stdout).toBe('ok\n');
  });

  it('reconnects once when the connection dropped between commands', async () => {
    const ssh = transport();
    expect((await ssh.exec(['true'])).code).toBe(0);
    server.dropAll();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await ssh.exec(['echo', 'again'])).stdout).toBe('again\n');
    expect(ssh.connectionsOpened).toBe(2);
    expect(ssh.reconnects).toBe(1);
  });

  it('reconnects after dropConnection, concurrent callers sharing one new connection', async () => {
    const ssh = transport();
    await ssh.connect();
    ssh.dropConnection();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const results = await Promise.all([ssh.exec(['echo', 'a']), ssh.exec(['echo', 'b']), ssh.exec(['echo', 'c'])]);
    expect(results.map((r) => r.stdout)).toEqual(['a\n', 'b\n', 'c\n']);
    expect(ssh.connectionsOpened).toBe(2);
  });

  it('notices a silent dead connection by keepalives and carries on over a new one', async () => {
    const ssh = transport({}, { keepaliveIntervalMs: 100, keepaliveCountMax: 2 });
    await ssh.connect();
    server.freezeAll();
    expect((await ssh.exec(['echo', 'alive'])).stdout).toBe('alive\n');
    expect(ssh.connectionsOpened).toBe(2);
    expect(ssh.reconnects).toBe(1);
  });

  it('reports a command cut off by a dropped connection as possibly run, and does not re-send it', async () => {
    const ssh = transport();
    const marker = join(mkdtempSync(join(tmpdir(), 'hpcbench-ssh-lost-')), 'runs');
    const running = ssh.execShell(`echo run >> ${marker}; sleep 5`);
    // Drop the connection once the command has surely started (a busy machine may take a while).
    for (let i = 0; i < 200 && !existsSync(marker); i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    server.dropAll();
    const error: unknown = await running.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionLostError);
    expect((error as ConnectionLostError).commandSent).toBe(true);
    expect((error as ConnectionLostError).hint).toContain('may or may not have run');
    // The next command works on a new connection, and the lost one was not run a second time.
    expect((await ssh.exec(['cat', marker])).stdout).toBe('run\n');
    expect(ssh.reconnects).toBe(1);
  });

  it('backs off while the server is away and reconnects when it returns', async () => {
    const sleeps: number[] = [];
    const ssh = transport({}, {
      reconnect: { attempts: 6, baseDelayMs: 50 },
      sleep: async (ms) => {
        sleeps.push(ms);
        if (sleeps.length === 3) await server.start();
      },
    });
    await ssh.connect();
    await server.stop();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await ssh.exec(['echo', 'back'])).stdout).toBe('back\n');
    expect(sleeps).toHaveLength(3);
    // Doubling with at most ±25 % jitter: every wait is longer than the one before.
    expect(sleeps[1]).toBeGreaterThan(sleeps[0] ?? Infinity);
    expect(sleeps[2]).toBeGreaterThan(sleeps[1] ?? Infinity);
    expect(ssh.reconnects).toBe(1);
  });

  it('gives up after the configured attempts with a transient connect error', async () => {
    const sleeps: number[] = [];
    const ssh = transport({}, { reconnect: { attempts: 3, baseDelayMs: 10 }, sleep: async (ms) => void sleeps.push(ms) });
    await ssh.connect();
    await server.stop();
    try {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const error: unknown = await ssh.exec(['true']).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SshConnectError);
      expect((error as SshConnectError).transient).toBe(true);
      expect((error as SshConnectError).message).toContain('connection refused');
      expect(sleeps).toHaveLength(2);
    } finally {
      await server.start();
    }
  });

  it('does not retry a first connection that is refused', async () => {
    const sleeps: number[] = [];
    const ssh = transport({ port: 1 }, { sleep: async (ms) => void sleeps.push(ms) });
    await expect(ssh.exec(['true'])).rejects.toThrow(/cannot connect to tester@127\.0\.0\.1:1: connection refused/);
    expect(sleeps).toEqual([]);
  });

  it('refuses an unknown host key with its fingerprint, and a changed one loudly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hpcbench-ssh-kh-'));
    const empty = join(dir, 'empty');
    await expect(transport({ knownHostsFiles: [empty] }).exec(['true'])).rejects.toThrow(
      `is not known: ED25519 key ${fingerprintSha256(server.hostKeyBlob)}`,
    );
    const changed = join(dir, 'changed');
    const other = Buffer.from(server.hostKeyBlob);
    other[other.length - 1] = (other[other.length - 1] ?? 0) ^ 0xff;
    writeFileSync(changed, `[127.0.0.1]:${server.port} ssh-ed25519 ${other.toString('base64')}\n`);
    await expect(transport({ knownHostsFiles: [changed] }, { acceptNewHostKey: true }).exec(['true'])).rejects.toThrow(
      new RegExp(`HAS CHANGED[\\s\\S]*${changed}:1`),
    );
  });

  it('connects to a host known only system-wide; with accept-new it pins nothing where the system file disagrees', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hpcbench-ssh-kh-'));
    const user = join(dir, 'user_known_hosts');
    const ok = transport({ knownHostsFiles: [user], globalKnownHostsFiles: [server.knownHostsPath] });
    expect((await ok.exec(['true'])).code).toBe(0);
    await ok.close();
    const system = join(dir, 'ssh_known_hosts');
    const other = Buffer.from(server.hostKeyBlob);
    other[other.length - 1] = (other[other.length - 1] ?? 0) ^ 0xff;
    writeFileSync(system, `[127.0.0.1]:${server.port} ssh-ed25519 ${other.toString('base64')}\n`);
    await expect(transport({ knownHostsFiles: [user], globalKnownHostsFiles: [system] }, { acceptNewHostKey: true }).exec(['true'])).rejects.toThrow(/HAS CHANGED/);
    expect(existsSync(user)).toBe(false);
  });

  it('explains an authentication failure', async () => {
    const ssh = transport({ identityFiles: [join(tmpdir(), 'no-such-key')] });
    await expect(ssh.exec(['true'])).rejects.toThrow(/authentication to tester@127\.0\.0\.1:\d+ failed .*unreadable: .*no-such-key/);
  });

  it('goes through a ProxyJump hop (the server forwarding to itself)', async () => {
    const hop = target({ alias: 'gateway' });
    const ssh = transport({ proxyJump: [hop] });
    expect((await ssh.exec(['echo', 'through'])).stdout).toBe('through\n');
    expect(ssh.target).toContain(' via ');
  });

  it('authenticates with a key held by a real ssh-agent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hpcbench-agent-'));
    const socket = join(dir, 'agent.sock');
    const agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
    try {
      for (let i = 0; i < 50 && !existsSync(socket); i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
      const added = spawnSync('ssh-add', [server.clientKeyPath], { env: { ...process.env, SSH_AUTH_SOCK: socket }, encoding: 'utf8' });
      expect(added.status).toBe(0);
      // No key files at all: only the agent can get in.
      const ssh = transport({ identityFiles: [], identitiesOnly: false }, { agent: socket });
      expect((await ssh.exec(['echo', 'agent'])).stdout).toBe('agent\n');
      // IdentitiesOnly: the agent signs with the IdentityFile key even though that file is
      // unreadable to us now (only its .pub is there), as with an encrypted key and no TTY.
      const pubOnly = join(dir, 'only_pub');
      writeFileSync(`${pubOnly}.pub`, readFileSync(`${server.clientKeyPath}.pub`));
      const filtered = transport({ identityFiles: [pubOnly], identitiesOnly: true }, { agent: socket });
      expect((await filtered.exec(['echo', 'filtered'])).stdout).toBe('filtered\n');
      // A key the agent does not hold is not offered, so nothing works.
      const other = join(dir, 'other');
      spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
      const refused = transport({ identityFiles: [other], identitiesOnly: true }, { agent: socket });
      await expect(refused.exec(['true'])).rejects.toThrow(/authentication .* failed/);
    } finally {
      agent.kill();
    }
  });

  it('refuses work after close', async () => {
    const ssh = transport();
    await ssh.exec(['true']);
    await ssh.close();
    await expect(ssh.exec(['true'])).rejects.toThrow(/already closed/);
  });
});
