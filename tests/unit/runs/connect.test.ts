import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { connectCluster } from '../../../src/runs/connect.js';

describe('connectCluster', () => {
  const home = mkdtempSync(join(tmpdir(), 'hpcbench-connect-'));

  it('gives a local transport for a local cluster and an SSH one otherwise, without connecting', async () => {
    expect(connectCluster({ name: 'here', transport: 'local', workdir: '/tmp' }).kind).toBe('local');
    const ssh = connectCluster({ name: 'sdumont', transport: 'ssh', workdir: '/scratch', ssh: { host: 'login.example.org', user: 'carol', port: 2022 } }, { homeDir: home });
    expect(ssh.kind).toBe('ssh');
    expect(ssh.target).toBe('carol@login.example.org:2022');
    await ssh.close();
  });

  it('explains a missing ssh target, naming the cluster field', () => {
    expect(() => connectCluster({ name: 'sdumont', transport: 'ssh', workdir: '/scratch' })).toThrow(ConfigError);
    expect(() => connectCluster({ name: 'sdumont', transport: 'ssh', workdir: '/scratch' })).toThrow(/clusters\.sdumont\.ssh: transport ssh needs/);
  });
});
