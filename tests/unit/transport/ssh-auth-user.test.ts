// Which login hpcbench uses: ssh.user > user@ in ssh.host > ~/.ssh/config User > the cluster's
// `user:` > the local user name.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigText } from '../../../src/config/index.js';
import { connectCluster, describeRunCluster } from '../../../src/runs/connect.js';
import { resolveSshSettings } from '../../../src/transport/ssh-target.js';

const SSH_CONFIG = 'Host configured\n  HostName login.example.org\n  User fromconfig\nHost bare\n  HostName bare.example.org\n';
const base = { configText: SSH_CONFIG, homeDir: '/nonexistent-home', localUser: 'localme', fallbackUser: 'clusteruser' };

describe('SSH login precedence', () => {
  it('ssh.user wins over everything', () => {
    const t = resolveSshSettings({ host: 'someone@configured', user: 'explicit' }, base);
    expect([t.username, t.usernameFrom]).toEqual(['explicit', 'target']);
  });

  it('user@ in ssh.host wins over ~/.ssh/config and the cluster user', () => {
    const t = resolveSshSettings({ host: 'someone@configured' }, base);
    expect([t.username, t.usernameFrom]).toEqual(['someone', 'target']);
  });

  it('~/.ssh/config User wins over the cluster user', () => {
    const t = resolveSshSettings({ host: 'configured' }, base);
    expect([t.username, t.usernameFrom]).toEqual(['fromconfig', 'ssh-config']);
  });

  it('the cluster user is the login when the target and the config name none', () => {
    const t = resolveSshSettings({ host: 'bare' }, base);
    expect([t.username, t.host, t.usernameFrom]).toEqual(['clusteruser', 'bare.example.org', 'cluster']);
  });

  it('the local user name comes last', () => {
    const { fallbackUser: _unused, ...noCluster } = base;
    const t = resolveSshSettings({ host: 'bare' }, noCluster);
    expect([t.username, t.usernameFrom]).toEqual(['localme', 'local']);
  });

  it('a jump host does not take the cluster user', () => {
    const t = resolveSshSettings({ host: 'bare', proxy_jump: 'gateway.example.org' }, base);
    expect(t.username).toBe('clusteruser');
    expect(t.proxyJump.map((h) => h.username)).toEqual(['localme']);
  });
});

describe('describeRunCluster and the cluster user', () => {
  function clusterWith(ssh: string, sshConfigFile: string): ReturnType<typeof describeRunCluster> {
    const yaml = [
      'clusters:',
      '  c:',
      '    preset: generic',
      '    user: alice',
      `    ssh: { host: ${JSON.stringify(ssh)}, ssh_config: ${JSON.stringify(sshConfigFile)} }`,
      '    partitions:',
      '      cpu: { kind: cpu, cpus_per_node: 2, mem_per_node: 2G, max_time: "01:00:00" }',
      'experiments: {}',
    ].join('\n');
    const config = loadConfigText(yaml, 'hpcbench.yaml', '/project');
    const cluster = config.clusters.c;
    if (!cluster) throw new Error('no cluster c');
    return describeRunCluster(cluster, '/project', { homeDir: '/nonexistent-home' });
  }

  /** The login the transport of a cluster would use (`user@host:port`); nothing is connected. */
  async function loginOf(cluster: ReturnType<typeof describeRunCluster>): Promise<string> {
    const transport = connectCluster(cluster, { root: '/project', homeDir: '/nonexistent-home' });
    await transport.close();
    return transport.target;
  }

  it('keeps the cluster user in run.json as the login when nothing else names one, and connects as it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hpcbench-user-'));
    const file = join(dir, 'ssh_config');
    writeFileSync(file, SSH_CONFIG);
    const bare = clusterWith('bare', file);
    expect(bare.ssh?.user).toBe('alice');
    expect(await loginOf(bare)).toBe('alice@bare.example.org:22');
    // The config's User and user@host are left to win: nothing is written over them.
    expect(clusterWith('configured', file).ssh?.user).toBeUndefined();
    expect(await loginOf(clusterWith('configured', file))).toBe('fromconfig@login.example.org:22');
    expect(clusterWith('bob@bare', file).ssh?.user).toBeUndefined();
  });
});
