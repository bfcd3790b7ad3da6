// The SSH transport against the real test cluster: exec, SFTP transfers with resume, host key
// refusal and pinning, connection reuse, reconnection after the connection is cut.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RemoteError } from '../../src/errors.js';
import { fingerprintSha256, keyTypeOfBlob, parseKnownHosts } from '../../src/transport/known-hosts.js';
import { SshTransport } from '../../src/transport/ssh.js';
import { ed25519Blob } from '../unit/transport/support/ssh-keys.js';
import { controlClusterDaemon, describeCluster } from './support/cluster.js';
import { QUIET_SSH, clusterSshTarget } from './support/ssh-target.js';

describeCluster('SSH transport on the test cluster', (cluster) => {
  const work = mkdtempSync(join(tmpdir(), 'hpcbench-transport-'));
  const remoteDir = `${cluster.remoteWorkdir}/transport-test-${process.pid}`;
  let ssh: SshTransport;

  beforeAll(async () => {
    ssh = new SshTransport(clusterSshTarget(cluster), QUIET_SSH);
    await ssh.mkdirp(remoteDir);
  });

  afterAll(async () => {
    await ssh.exec(['rm', '-rf', '--', remoteDir]).catch(() => undefined);
    await ssh.close();
  });

  it('runs sinfo and returns its output and exit code', async () => {
    const result = await ssh.exec(['sinfo', '--noheader', '--format=%P']);
    expect(result.code).toBe(0);
    const partitions = result.stdout.split('\n').map((p) => p.replace(/\*$/, '').trim()).filter((p) => p !== '');
    expect(partitions).toEqual(expect.arrayContaining(cluster.partitions));
  });

  it('passes hostile arguments through the remote shell literally', async () => {
    const hostile = ['$(touch pwned)', '`touch pwned`', 'a; touch pwned', 'line1\nline2', "it's", '*'];
    const result = await ssh.exec(['printf', '%s\\0', ...hostile], { cwd: remoteDir });
    expect(result.stdout.split('\0').slice(0, -1)).toEqual(hostile);
    expect(await ssh.stat(`${remoteDir}/pwned`)).toBeUndefined();
  });

  it('reports a non-zero exit code, stderr, stdin and a timeout', async () => {
    const failed = await ssh.execShell('echo oops >&2; exit 7');
    expect(failed).toMatchObject({ code: 7, stderr: 'oops\n' });
    const echoed = await ssh.exec(['cat'], { stdin: 'from stdin\n' });
    expect(echoed.stdout).toBe('from stdin\n');
    await expect(ssh.exec(['sleep', '31.25'], { timeoutMs: 500 })).rejects.toThrow(/timed out after 0\.5 s.*sleep 31\.25/);
    // The timed-out command is killed on the server, not left running (a loaded server may take a moment).
    let survivors = '';
    for (let i = 0; i < 100; i += 1) {
      survivors = (await ssh.exec(['pgrep', '-af', 'sleep 31[.]25'])).stdout;
      if (survivors === '') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(survivors).toBe('');

    const controller = new AbortController();
    const aborted = ssh.exec(['sleep', '20'], { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('stopped by the user')), 200);
    await expect(aborted).rejects.toThrow('stopped by the user');
  });

  it('uploads, lists, downloads and resumes a download by SFTP', async () => {
    const local = join(work, 'payload.bin');
    const content = Buffer.alloc(300_000);
    for (let i = 0; i < content.length; i += 1) content[i] = (i * 7919) % 251;
    writeFileSync(local, content);
    await ssh.upload(local, `${remoteDir}/payload.bin`, { mode: 0o640 });
    const listed = await ssh.list(remoteDir);
    expect(listed.map((e) => e.name)).toContain('payload.bin');
    expect((await ssh.stat(`${remoteDir}/payload.bin`))?.size).toBe(content.length);
    const mode = await ssh.exec(['stat', '-c', '%a', `${remoteDir}/payload.bin`]);
    expect(mode.stdout.trim()).toBe('640');

    const copy = join(work, 'copy.bin');
    const first = await ssh.download(`${remoteDir}/payload.bin`, copy);
    expect(first).toEqual({ bytes: content.length, skipped: false });
    expect(readFileSync(copy).equals(content)).toBe(true);
    expect(await ssh.download(`${remoteDir}/payload.bin`, copy)).toEqual({ bytes: 0, skipped: true });

    // An interrupted transfer leaves a .part file; the next call fetches only the rest.
    const again = join(work, 'again.bin');
    writeFileSync(`${again}.part`, content.subarray(0, 100_000));
    const resumed = await ssh.download(`${remoteDir}/payload.bin`, again);
    expect(resumed).toEqual({ bytes: content.length - 100_000, skipped: false, resumedFrom: 100_000 });
    expect(readFileSync(again).equals(content)).toBe(true);

    // A local copy of another size is stale and fetched again in full.
    truncateSync(copy, 10);
    expect((await ssh.download(`${remoteDir}/payload.bin`, copy)).bytes).toBe(content.length);
    expect(statSync(copy).size).toBe(content.length);
  });

  it('writes files atomically, expands ~ and creates nested directories', async () => {
    await ssh.mkdirp(`${remoteDir}/a/b/c`);
    await ssh.writeFile(`${remoteDir}/a/b/c/job.sh`, '#!/bin/bash\necho hi\n', { mode: 0o755 });
    await ssh.writeFile(`${remoteDir}/a/b/c/job.sh`, '#!/bin/bash\necho replaced\n', { mode: 0o755 });
    const run = await ssh.exec([`${remoteDir}/a/b/c/job.sh`]);
    expect(run.stdout).toBe('replaced\n');
    expect((await ssh.list(`${remoteDir}/a/b/c`)).map((e) => e.name)).toEqual(['job.sh']);
    const home = await ssh.execShell('printf %s "$HOME"');
    expect((await ssh.stat('~'))?.isDirectory).toBe(true);
    expect(remoteDir.startsWith(home.stdout)).toBe(true);
    const relative = `~${remoteDir.slice(home.stdout.length)}/a/b/c/job.sh`;
    expect((await ssh.readFile(relative)).toString()).toContain('replaced');
  });

  it('reuses one connection for many commands, run concurrently beyond MaxSessions', async () => {
    const fresh = new SshTransport(clusterSshTarget(cluster), QUIET_SSH);
    try {
      const results = await Promise.all(Array.from({ length: 25 }, (_, i) => fresh.exec(['echo', String(i)])));
      expect(results.map((r) => r.stdout.trim())).toEqual(Array.from({ length: 25 }, (_, i) => String(i)));
      await fresh.stat(remoteDir);
      expect(fresh.connectionsOpened).toBe(1);
      expect(fresh.reconnects).toBe(0);
    } finally {
      await fresh.close();
    }
  });

  it('re-establishes a connection cut from this side before the next command', async () => {
    const fresh = new SshTransport(clusterSshTarget(cluster), QUIET_SSH);
    try {
      expect((await fresh.exec(['true'])).code).toBe(0);
      fresh.dropConnection();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect((await fresh.exec(['echo', 'back'])).stdout).toBe('back\n');
      expect(fresh.connectionsOpened).toBe(2);
      expect(fresh.reconnects).toBe(1);
    } finally {
      await fresh.close();
    }
  });

  it('re-establishes a connection that the server killed, and reports the lost command', async () => {
    const fresh = new SshTransport(clusterSshTarget(cluster), QUIET_SSH);
    try {
      // The command's parent is the per-connection sshd process; killing it drops the connection.
      const lost = fresh.execShell('kill -9 $PPID; sleep 5');
      await expect(lost).rejects.toMatchObject({ commandSent: true });
      await expect(lost).rejects.toThrow(/connection .* was lost while running/);
      expect((await fresh.exec(['hostname'])).code).toBe(0);
      expect(fresh.connectionsOpened).toBe(2);
      // SFTP works on the new connection too.
      expect((await fresh.stat(remoteDir))?.isDirectory).toBe(true);
    } finally {
      await fresh.close();
    }
  });

  it('waits with growing backoff while sshd is down, and reconnects once it is back', async () => {
    const sleeps: number[] = [];
    let restarted = false;
    const fresh = new SshTransport(clusterSshTarget(cluster), {
      ...QUIET_SSH,
      reconnect: { attempts: 8, baseDelayMs: 200, maxDelayMs: 2_000 },
      sleep: async (ms) => {
        sleeps.push(ms);
        // Bring sshd back during the second wait: by then two connection attempts were refused.
        if (sleeps.length === 2) {
          controlClusterDaemon('start', 'sshd');
          restarted = true;
        }
        await new Promise((resolve) => setTimeout(resolve, ms));
      },
    });
    try {
      expect((await fresh.exec(['true'])).code).toBe(0);
      controlClusterDaemon('stop', 'sshd');
      await new Promise((resolve) => setTimeout(resolve, 300));
      const result = await fresh.exec(['echo', 'after restart']);
      expect(result.stdout).toBe('after restart\n');
      expect(sleeps.length).toBe(2);
      expect(sleeps[1]).toBeGreaterThan(sleeps[0] ?? Infinity);
      expect(fresh.reconnects).toBe(1);
      expect(fresh.connectionsOpened).toBe(2);
    } finally {
      if (!restarted) controlClusterDaemon('start', 'sshd');
      await fresh.close();
    }
  });

  it('refuses a changed host key with a loud message naming the known_hosts line', async () => {
    const knownHosts = join(work, 'changed_known_hosts');
    const name = `[${cluster.host}]:${cluster.port}`;
    writeFileSync(knownHosts, `# other entries\n${name} ssh-ed25519 ${ed25519Blob().toString('base64')}\n`);
    const bad = new SshTransport(clusterSshTarget(cluster, { knownHostsFiles: [knownHosts] }), { ...QUIET_SSH, acceptNewHostKey: true });
    const attempt = bad.exec(['true']);
    await expect(attempt).rejects.toBeInstanceOf(RemoteError);
    await expect(attempt).rejects.toThrow(/HAS CHANGED[\s\S]*man-in-the-middle[\s\S]*changed_known_hosts:2/);
    // accept-new never overwrites a changed key.
    expect(readFileSync(knownHosts, 'utf8').split('\n').filter((l) => l.includes(name))).toHaveLength(1);
    await bad.close();
  });

  it('refuses an unknown host key with its fingerprint, and pins it with acceptNewHostKey', async () => {
    const knownHosts = join(work, 'new_known_hosts');
    const serverKey = parseKnownHosts(readFileSync(cluster.knownHostsPath, 'utf8'), cluster.knownHostsPath).entries[0];
    expect(serverKey).toBeDefined();
    const fingerprint = fingerprintSha256(serverKey?.key ?? Buffer.alloc(0));

    const strict = new SshTransport(clusterSshTarget(cluster, { knownHostsFiles: [knownHosts] }), QUIET_SSH);
    const refused = strict.exec(['true']);
    await expect(refused).rejects.toThrow(`is not known: ED25519 key ${fingerprint}`);
    await expect(refused).rejects.toMatchObject({ hint: expect.stringContaining('--accept-new-host-key') });
    await strict.close();

    const pinned: string[] = [];
    const trusting = new SshTransport(clusterSshTarget(cluster, { knownHostsFiles: [knownHosts] }), {
      ...QUIET_SSH,
      acceptNewHostKey: true,
      onHostKeyPinned: ({ file }) => pinned.push(file),
    });
    expect((await trusting.exec(['true'])).code).toBe(0);
    await trusting.close();
    expect(pinned).toEqual([knownHosts]);
    const entries = parseKnownHosts(readFileSync(knownHosts, 'utf8'), knownHosts).entries;
    expect(entries).toHaveLength(1);
    expect(entries[0]?.hosts).toBe(`[${cluster.host}]:${cluster.port}`);
    expect(keyTypeOfBlob(entries[0]?.key ?? Buffer.alloc(0))).toBe('ssh-ed25519');
    expect(entries[0]?.key.equals(serverKey?.key ?? Buffer.alloc(0))).toBe(true);

    // Now known: a strict connection succeeds without pinning anything more.
    const later = new SshTransport(clusterSshTarget(cluster, { knownHostsFiles: [knownHosts] }), QUIET_SSH);
    expect((await later.exec(['true'])).code).toBe(0);
    await later.close();
    expect(parseKnownHosts(readFileSync(knownHosts, 'utf8'), knownHosts).entries).toHaveLength(1);
  });

  it('connects through a ProxyJump hop (the cluster sshd forwarding to itself)', async () => {
    const hop = clusterSshTarget(cluster, { alias: 'gateway' });
    const viaJump = new SshTransport(clusterSshTarget(cluster, { proxyJump: [hop] }), QUIET_SSH);
    try {
      const result = await viaJump.exec(['sinfo', '--version']);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/slurm/i);
      expect(viaJump.target).toContain(' via ');
    } finally {
      await viaJump.close();
    }
  });

  it('reaches the cluster through an ~/.ssh/config alias with a ProxyJump alias and hashed known_hosts', async () => {
    const configFile = join(work, 'ssh_config');
    const knownHosts = join(work, 'hashed_known_hosts');
    const blob = parseKnownHosts(readFileSync(cluster.knownHostsPath, 'utf8'), cluster.knownHostsPath).entries[0]?.key;
    expect(blob).toBeDefined();
    writeFileSync(knownHosts, `[${cluster.host}]:${cluster.port} ssh-ed25519 ${blob?.toString('base64') ?? ''}\n`);
    // Hashed by OpenSSH itself, as `HashKnownHosts yes` would have written it.
    expect(spawnSync('ssh-keygen', ['-H', '-f', knownHosts], { encoding: 'utf8' }).status).toBe(0);
    expect(readFileSync(knownHosts, 'utf8')).toMatch(/^\|1\|/);
    expect(readFileSync(knownHosts, 'utf8')).not.toContain(cluster.host);
    writeFileSync(
      configFile,
      [
        'Host test-gateway test-login',
        `    HostName ${cluster.host}`,
        `    Port ${cluster.port}`,
        `    User ${cluster.username}`,
        `    IdentityFile ${cluster.privateKeyPath}`,
        `    UserKnownHostsFile ${knownHosts}`,
        '    IdentitiesOnly yes',
        'Host test-login',
        '    ProxyJump test-gateway',
        '',
      ].join('\n'),
    );
    const ssh = SshTransport.fromAlias('test-login', { ...QUIET_SSH, configPath: configFile });
    try {
      expect(ssh.sshTarget.proxyJump.map((h) => h.alias)).toEqual(['test-gateway']);
      expect((await ssh.exec(['whoami'])).stdout.trim()).toBe(cluster.username);
      expect(ssh.connectionsOpened).toBe(1);
    } finally {
      await ssh.close();
    }
  });

  it('fails clearly when the key is refused by the server', async () => {
    const keyFile = join(work, 'stranger_key');
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(keyFile, privateKey.export({ format: 'pem', type: 'pkcs1' }), { mode: 0o600 });
    const stranger = new SshTransport(clusterSshTarget(cluster, { identityFiles: [keyFile] }), QUIET_SSH);
    await expect(stranger.exec(['true'])).rejects.toThrow(/authentication to .* failed \(tried: .*stranger_key\)/);
    await stranger.close();
  });
});
