// Proves the whole path against the real test cluster: ssh2 with key + pinned host key, sinfo,
// sbatch --parsable to both partitions, and COMPLETED in sacct (so slurmdbd records jobs).
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shellCommand } from '../../src/shell-quote.js';
import { describeCluster, parseClusterFile } from './support/cluster.js';
import {
  connectToCluster,
  execRemoteOk,
  formatKnownHostsName,
  waitForJobEnd,
} from './support/remote.js';

describeCluster('test cluster smoke', (cluster) => {
  let client: Client;
  const jobDir = `${cluster.remoteWorkdir}/smoke-${process.pid}-${Date.now()}`;

  beforeAll(async () => {
    client = await connectToCluster(cluster);
    await execRemoteOk(client, shellCommand(['mkdir', '-p', jobDir]));
  });

  afterAll(async () => {
    if (client === undefined) return;
    await execRemoteOk(client, shellCommand(['rm', '-rf', jobDir]));
    client.end();
  });

  async function submit(name: string, options: string[], script: string): Promise<string> {
    const command = shellCommand([
      'sbatch', '--parsable', `--job-name=${name}`, `--chdir=${jobDir}`, `--output=${jobDir}/${name}.out`,
      '--time=5', ...options, `--wrap=${script}`,
    ]);
    const out = await execRemoteOk(client, command);
    const jobId = out.trim();
    expect(jobId).toMatch(/^\d+(;\S+)?$/);
    return jobId;
  }

  it('runs sinfo over ssh and lists both partitions', async () => {
    const out = await execRemoteOk(client, 'sinfo -h -o "%P %a %D"');
    const partitions = out.trim().split('\n').map((line) => line.split(' ')[0]?.replace(/\*$/, ''));
    expect(partitions.sort()).toEqual([...cluster.partitions].sort());
    expect(out).toMatch(/^cpu\* up 1$/m);
  });

  it('has the cluster registered in accounting', async () => {
    const out = await execRemoteOk(client, 'sacctmgr -n -P show cluster format=cluster');
    expect(out.trim().split('\n')).toContain(cluster.clusterName);
  });

  it('runs a trivial job on each partition and sees it COMPLETED in sacct', async () => {
    // Submitted together: the node runs them side by side (DefMemPerCPU leaves room).
    const cpuJob = await submit('smoke-cpu', ['--partition=cpu'], 'echo "hello from $SLURM_JOB_PARTITION"');
    const gpuJob = await submit('smoke-gpu', ['--partition=gpu', '--gres=gpu:1'], 'echo "gpus=$SLURM_GPUS_ON_NODE"');
    const gpuPairJob = await submit(
      'smoke-gpu2', ['--partition=gpu', '--gpus-per-node=2'], 'echo "gpus=$SLURM_GPUS_ON_NODE"',
    );

    expect(await waitForJobEnd(client, cpuJob)).toBe('COMPLETED');
    expect(await waitForJobEnd(client, gpuJob)).toBe('COMPLETED');
    expect(await waitForJobEnd(client, gpuPairJob)).toBe('COMPLETED');

    expect(await execRemoteOk(client, shellCommand(['cat', `${jobDir}/smoke-cpu.out`]))).toBe('hello from cpu\n');
    expect(await execRemoteOk(client, shellCommand(['cat', `${jobDir}/smoke-gpu.out`]))).toBe('gpus=1\n');
    expect(await execRemoteOk(client, shellCommand(['cat', `${jobDir}/smoke-gpu2.out`]))).toBe('gpus=2\n');

    // Only id and state: slurmdbd fills Partition a few seconds after the job ends, so a
    // record can read COMPLETED with an empty Partition for a moment.
    const accounted = await execRemoteOk(
      client, shellCommand(['sacct', '-n', '-X', '-P', '-j', `${cpuJob},${gpuJob}`, '-o', 'JobID,State']),
    );
    expect(accounted.trim().split('\n')).toEqual([
      `${cpuJob.split(';')[0]}|COMPLETED`,
      `${gpuJob.split(';')[0]}|COMPLETED`,
    ]);
  });

  describe('host key verification', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'hpcbench-known-hosts-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('refuses a server whose key differs from the pinned one', async () => {
      // A freshly generated ed25519 key in SSH wire format: string "ssh-ed25519", string key.
      const raw = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
      const part = (b: Buffer): Buffer => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
      const blob = Buffer.concat([part(Buffer.from('ssh-ed25519')), part(raw)]).toString('base64');
      const wrong = join(dir, 'wrong');
      writeFileSync(wrong, `${formatKnownHostsName(cluster.host, cluster.port)} ssh-ed25519 ${blob}\n`);

      await expect(connectToCluster(cluster, { knownHostsPath: wrong })).rejects.toThrow(
        /host key for \[127\.0\.0\.1\]:\d+ does not match .*wrong: server offered SHA256:/,
      );
    });

    it('refuses a server that known_hosts does not list', async () => {
      const empty = join(dir, 'empty');
      writeFileSync(empty, '# nothing pinned\n');
      await expect(connectToCluster(cluster, { knownHostsPath: empty })).rejects.toThrow(
        /host key for \[127\.0\.0\.1\]:\d+ is unknown: .*empty has no entry for it/,
      );
    });
  });
});

describe('cluster.json parsing', () => {
  it('names the file and the field that is wrong', () => {
    const text = JSON.stringify({
      host: '127.0.0.1', port: 2222, username: '', privateKeyPath: 'k', knownHostsPath: 'h',
      partitions: ['cpu'], remoteWorkdir: '/w', clusterName: 'c',
    });
    expect(() => parseClusterFile('/x/cluster.json', text)).toThrow(
      '/x/cluster.json: field "username" should be a non-empty string, found ""',
    );
    expect(() => parseClusterFile('/x/cluster.json', '{"port": "22"}')).toThrow(
      '/x/cluster.json: field "port" should be an integer 1-65535, found "22"',
    );
    expect(() => parseClusterFile('/x/cluster.json', '{')).toThrow(/^\/x\/cluster\.json: not valid JSON/);
  });

  it('resolves relative key paths against the file', () => {
    const cluster = parseClusterFile('/x/state/cluster.json', JSON.stringify({
      host: 'h', port: 22, username: 'u', privateKeyPath: 'id', knownHostsPath: '/abs/kh',
      partitions: ['cpu', 'gpu'], remoteWorkdir: '/w', clusterName: 'c', memoryEnforcement: 'cgroup',
    }));
    expect(cluster.privateKeyPath).toBe('/x/state/id');
    expect(cluster.knownHostsPath).toBe('/abs/kh');
    expect(cluster.memoryEnforcement).toBe('cgroup');
  });
});
