import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { describeTarget, resolveSshSettings, resolveSshTarget } from '../../../src/transport/ssh-target.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../../fixtures/ssh/${name}`, import.meta.url));
const env = { configPath: fixture('config-sdumont'), homeDir: '/home/me', localUser: 'me' };

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('resolveSshTarget and the target text', () => {
  // No ssh config: what is read comes from the target text alone, the rest is the default.
  const bare = { configText: '', homeDir: '/home/me', localUser: 'me' };
  const read = (spec: string): [string, string, number, string | undefined] => {
    const t = resolveSshTarget(spec, bare);
    return [t.username, t.host, t.port, t.usernameFrom];
  };

  it('reads user, host and port in the forms ssh accepts', () => {
    expect(read('login.example.org')).toEqual(['me', 'login.example.org', 22, 'local']);
    expect(read('bob@login:2200')).toEqual(['bob', 'login', 2200, 'target']);
    expect(read('ssh://eve@[::1]:2022')).toEqual(['eve', '::1', 2022, 'target']);
    expect(read('[fe80::1]')).toEqual(['me', 'fe80::1', 22, 'local']);
    // A bare IPv6 address has several colons and no port.
    expect(read('fe80::2')).toEqual(['me', 'fe80::2', 22, 'local']);
  });

  it('rejects empty parts and bad ports with the offending text', () => {
    expect(errorOf(() => read('alice@')).message).toContain('cannot read SSH target "alice@"');
    expect(errorOf(() => read('host:0')).message).toContain('port "0"');
    expect(errorOf(() => read('host:ssh')).message).toContain('port "ssh"');
  });
});

describe('resolveSshTarget', () => {
  it('applies a Host section with tokens, ~ and a two-hop ProxyJump chain', () => {
    const t = resolveSshTarget('sdumont', env);
    expect(t).toMatchObject({
      alias: 'sdumont',
      host: 'login.sdumont.example.org',
      port: 22,
      username: 'alice_proj',
      identityFiles: ['/home/me/.ssh/keys/alice_proj@login.sdumont.example.org', '/etc/ssh/shared_key'],
      identityFilesExplicit: true,
      knownHostsFiles: ['/home/me/.ssh/known_hosts.d/login.sdumont.example.org', '/opt/known_hosts'],
      keepaliveIntervalMs: 30_000,
      keepaliveCountMax: 5,
    });
    expect(t.proxyJump.map((h) => [h.username, h.host, h.port])).toEqual([
      ['alice', 'gateway.example.org', 2201],
      ['carol', 'bastion.internal', 2022],
    ]);
    expect(t.proxyJump[0]?.identityFiles).toEqual(['/home/me/.ssh/id_gateway']);
    // The second hop has no Host section of its own: defaults apply.
    expect(t.proxyJump[1]?.identityFiles).toEqual([
      '/home/me/.ssh/id_ed25519',
      '/home/me/.ssh/id_ecdsa',
      '/home/me/.ssh/id_rsa',
    ]);
    expect(describeTarget(t)).toBe(
      'alice_proj@login.sdumont.example.org:22 via alice@gateway.example.org:2201 -> carol@bastion.internal:2022',
    );
  });

  it('matches any name of a multi-name Host line', () => {
    expect(resolveSshTarget('sdumont2nd', env).host).toBe('login.sdumont2nd.example.org');
  });

  it('lets an explicit user and port win over the config, and uses them in tokens', () => {
    const t = resolveSshTarget('bob@sdumont:2200', env);
    expect([t.username, t.host, t.port]).toEqual(['bob', 'login.sdumont.example.org', 2200]);
    expect(t.identityFiles[0]).toBe('/home/me/.ssh/keys/bob@login.sdumont.example.org');
  });

  it("follows the first hop's own ProxyJump, but not later hops'", () => {
    const t = resolveSshTarget('deep', env);
    expect(t.proxyJump.map((h) => `${h.alias}=${h.host}:${h.port}`)).toEqual([
      'gw=gateway.example.org:2201',
      'bastion=bastion.internal:22',
      'gw.cluster=gw.cluster:2222',
    ]);
    expect(t.proxyJump.every((h) => h.proxyJump.length === 0)).toBe(true);
  });

  it('honours wildcard patterns with negation, and HostKeyAlias', () => {
    const app = resolveSshTarget('app.cluster', env);
    expect(app).toMatchObject({ username: 'clusteruser', hostKeyAlias: 'cluster-login' });
    expect(app.proxyJump.map((h) => [h.host, h.port, h.username])).toEqual([['gw.cluster', 2222, 'defaultuser']]);
    // The negated pattern keeps the gateway out of its own section (else it would jump to itself).
    const gw = resolveSshTarget('gw.cluster', env);
    expect(gw.proxyJump).toEqual([]);
    expect(gw.username).toBe('defaultuser');
    expect(gw.hostKeyAlias).toBeUndefined();
  });

  it('handles ProxyJump none, IdentitiesOnly, ? patterns and ConnectTimeout', () => {
    expect(resolveSshTarget('direct', env)).toMatchObject({ host: '10.0.0.5', proxyJump: [], identitiesOnly: true });
    expect(resolveSshTarget('node01', env)).toMatchObject({ host: 'node01.compute.internal', connectTimeoutMs: 7_000 });
  });

  it('uses OpenSSH defaults without a config file', () => {
    const t = resolveSshTarget('plain.example.org', { configPath: undefined, homeDir: '/nonexistent-home', localUser: 'me' });
    expect(t).toEqual({
      alias: 'plain.example.org',
      host: 'plain.example.org',
      port: 22,
      username: 'me',
      usernameFrom: 'local',
      identityFiles: ['/nonexistent-home/.ssh/id_ed25519', '/nonexistent-home/.ssh/id_ecdsa', '/nonexistent-home/.ssh/id_rsa'],
      identityFilesExplicit: false,
      identitiesOnly: false,
      proxyJump: [],
      knownHostsFiles: ['/nonexistent-home/.ssh/known_hosts'],
      globalKnownHostsFiles: ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'],
    });
  });

  it('reads GlobalKnownHostsFile from the config, with tokens, and "none" as no system-wide file', () => {
    const text = 'Host site\n  GlobalKnownHostsFile /opt/site/known_hosts ~/shared_%h\nHost bare\n  GlobalKnownHostsFile none\n';
    const site = resolveSshTarget('site', { configText: text, homeDir: '/h', localUser: 'me' });
    expect(site.globalKnownHostsFiles).toEqual(['/opt/site/known_hosts', '/h/shared_site']);
    expect(site.knownHostsFiles).toEqual(['/h/.ssh/known_hosts']);
    expect(resolveSshTarget('bare', { configText: text, homeDir: '/h', localUser: 'me' }).globalKnownHostsFiles).toEqual([]);
    expect(resolveSshTarget('other', { configText: text, homeDir: '/h', localUser: 'me', globalKnownHostsFiles: ['/t/g'] }).globalKnownHostsFiles).toEqual(['/t/g']);
  });

  it('reads config text given directly', () => {
    const t = resolveSshTarget('x', { configText: 'Host x\n  HostName 127.0.0.1\n  Port 2222\n  User hpcb\n', homeDir: '/h', localUser: 'me' });
    expect([t.host, t.port, t.username]).toEqual(['127.0.0.1', 2222, 'hpcb']);
  });

  it('reports a ProxyJump loop instead of recursing forever', () => {
    const error = errorOf(() => resolveSshTarget('loop1', env));
    expect(error.issues[0]).toMatchObject({ path: 'ProxyJump', file: fixture('config-sdumont') });
    expect(error.message).toContain('loops');
  });

  it('names the file and field of a bad port, a bad token and an unreadable file', () => {
    const port = errorOf(() => resolveSshTarget('broken', { ...env, configPath: fixture('config-bad-port') }));
    expect(port.issues[0]).toMatchObject({ path: 'Port', file: fixture('config-bad-port') });
    expect(port.message).toContain('port "twenty-two"');

    const token = errorOf(() => resolveSshTarget('weird', { ...env, configPath: fixture('config-bad-token') }));
    expect(token.issues[0]).toMatchObject({ path: 'IdentityFile', file: fixture('config-bad-token') });
    expect(token.message).toContain('unsupported token %z');

    const missing = errorOf(() => resolveSshTarget('x', { ...env, configPath: fixture('no-such-config') }));
    expect(missing.message).toMatch(/no-such-config: cannot read SSH config/);
  });

  it('inlines Include files, globbed and relative to ~/.ssh, in order', () => {
    const home = mkdtempSync(join(tmpdir(), 'hpcbench-home-'));
    mkdirSync(join(home, '.ssh', 'config.d'), { recursive: true });
    writeFileSync(join(home, '.ssh', 'config.d', '10-cluster'), 'Host hpc\n  HostName hpc.example.org\n  User first\n');
    writeFileSync(join(home, '.ssh', 'config.d', '20-later'), 'Host hpc\n  User second\n  Port 2200\n');
    writeFileSync(join(home, '.ssh', 'config.d', '.hidden'), 'Host hpc\n  HostName hidden.example.org\n');
    writeFileSync(join(home, '.ssh', 'config'), 'Include config.d/*\nHost *\n  StrictHostKeyChecking accept-new\n  HashKnownHosts yes\n');
    const t = resolveSshTarget('hpc', { homeDir: home, localUser: 'me' });
    expect([t.host, t.username, t.port]).toEqual(['hpc.example.org', 'first', 2200]);
    expect(t.acceptNewHostKey).toBe(true);
    expect(t.hashKnownHosts).toBe(true);
    // An Include that matches nothing is not an error (as in OpenSSH).
    expect(resolveSshTarget('x', { configText: 'Include nothing-here/*\n', homeDir: home, localUser: 'me' }).host).toBe('x');
  });
});

describe('resolveSshSettings (the ssh: mapping of hpcbench.yaml)', () => {
  it('applies ~/.ssh/config first, then the explicit fields, like flags of ssh', () => {
    const t = resolveSshSettings(
      {
        host: 'sdumont',
        user: 'bob',
        port: 2200,
        identity_file: '~/.ssh/hpc_%r',
        known_hosts: '~/hpc_known_hosts',
        proxy_jump: 'gw.cluster',
        ssh_config: fixture('config-sdumont'),
      },
      { homeDir: '/home/me', localUser: 'me' },
    );
    expect([t.username, t.host, t.port]).toEqual(['bob', 'login.sdumont.example.org', 2200]);
    expect(t.identityFiles).toEqual(['/home/me/.ssh/hpc_bob']);
    expect(t.identityFilesExplicit).toBe(true);
    expect(t.identitiesOnly).toBe(true);
    expect(t.knownHostsFiles).toEqual(['/home/me/hpc_known_hosts']);
    // The mapping's proxy_jump replaces the config's two-hop chain.
    expect(t.proxyJump.map((h) => `${h.host}:${h.port}`)).toEqual(['gw.cluster:2222']);
  });

  it('resolves relative paths from baseDir (the directory of hpcbench.yaml)', () => {
    const t = resolveSshSettings(
      { host: 'direct', identity_file: 'keys/id_hpc', known_hosts: '/abs/known_hosts', ssh_config: 'config-sdumont' },
      { homeDir: '/home/me', localUser: 'me', baseDir: fileURLToPath(new URL('../../fixtures/ssh/', import.meta.url)) },
    );
    // The relative ssh_config was found: its Host section for "direct" applied.
    expect(t.host).toBe('10.0.0.5');
    expect(t.identityFiles).toEqual([fixture('keys/id_hpc')]);
    expect(t.knownHostsFiles).toEqual(['/abs/known_hosts']);
  });

  it('keeps the config values for fields not given, and "none" disables a ProxyJump', () => {
    const t = resolveSshSettings({ host: 'sdumont', proxy_jump: 'none' }, env);
    expect(t.username).toBe('alice_proj');
    expect(t.proxyJump).toEqual([]);
    expect(resolveSshSettings({ host: 'sdumont' }, env).proxyJump).toHaveLength(2);
  });
});
