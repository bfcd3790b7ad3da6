import { describe, expect, it } from 'vitest';
import { loadConfigText } from '../../../src/config/index.js';
import { CheckFailedError, RemoteError } from '../../../src/errors.js';
import { renderRun } from '../../../src/render/index.js';
import { readRunRecord, submitRun } from '../../../src/runs/index.js';
import { RemoteHomeResolver, resolveRecordPaths, resolveRunClusterPaths } from '../../../src/runs/remote-paths.js';
import type { ExecResult } from '../../../src/transport/transport.js';
import { CLUSTER, makeRenderedRun, noSleep } from './helpers.js';
import { FakeCluster } from './fake-cluster.js';

const HOME_COMMAND = `printf '%s' "$HOME"`;
const RUN = '20261124-060000-a-0001';

/** The fake cluster, with a home directory and a workdir that may be missing until mkdir. */
class HomeCluster extends FakeCluster {
  home = '/home/hpcb';
  homeAnswer: ExecResult | undefined;
  /** What the workdir check's shell answers, by whether the script would create it. */
  workdirAnswer: (script: string) => string = () => 'ok';

  override async execShell(script: string): Promise<ExecResult> {
    if (script === HOME_COMMAND) {
      this.calls.push(['sh', script]);
      return this.homeAnswer ?? { stdout: this.home, stderr: '', code: 0 };
    }
    if (script.includes('missing; elif')) {
      this.calls.push(['sh', script]);
      return { stdout: `${this.workdirAnswer(script)}\n`, stderr: '', code: 0 };
    }
    return super.execShell(script);
  }

  homeLookups(): number {
    return this.calls.filter((c) => c[1] === HOME_COMMAND).length;
  }
}

describe('remote home paths', () => {
  it('expands ~ and ~/ only, leaving absolute paths and other users’ homes alone', async () => {
    const fake = new HomeCluster();
    fake.home = '/home/u';
    const resolver = new RemoteHomeResolver(fake);
    expect(await resolver.resolve('/scratch/p/u')).toBe('/scratch/p/u');
    expect(await resolver.resolve('~alice/x')).toBe('~alice/x');
    expect(await resolver.resolve('a~/b')).toBe('a~/b');
    expect(await resolver.resolve('/abs/~/x')).toBe('/abs/~/x');
    // None of those starts at home: the cluster was not asked.
    expect(fake.homeLookups()).toBe(0);
    expect(await resolver.resolve('~')).toBe('/home/u');
    expect(await resolver.resolve('~/hpcbench')).toBe('/home/u/hpcbench');
    expect(await resolver.resolve('~/a/../b/')).toBe('/home/u/b/');
    expect(fake.homeLookups()).toBe(1);
  });

  it('asks the cluster once, however many paths need it, and not at all for absolute ones', async () => {
    const fake = new HomeCluster();
    const resolver = new RemoteHomeResolver(fake);
    expect(await resolver.resolve('/scratch/p/u')).toBe('/scratch/p/u');
    expect(fake.homeLookups()).toBe(0);
    expect(await resolver.resolve('~/hpcbench')).toBe('/home/hpcb/hpcbench');
    expect(await resolver.resolveOptional('~/hf')).toBe('/home/hpcb/hf');
    expect(await resolver.resolveOptional(undefined)).toBeUndefined();
    expect(fake.homeLookups()).toBe(1);
  });

  it('makes a relative workdir start at the home directory, where ssh and SFTP start', async () => {
    const fake = new HomeCluster();
    const cluster = await resolveRunClusterPaths(new RemoteHomeResolver(fake), { ...CLUSTER, workdir: 'runs/hpcbench' });
    expect(cluster.workdir).toBe('/home/hpcb/runs/hpcbench');
    const same = { ...CLUSTER, workdir: '/abs' };
    expect(await resolveRunClusterPaths(new RemoteHomeResolver(fake), same)).toBe(same);
  });

  it('makes the paths of a run recorded with ~ absolute, and leaves absolute ones without a command', async () => {
    const fake = new HomeCluster();
    const old = { remote_dir: `~/hpcbench/${RUN}`, cluster: { ...CLUSTER, workdir: '~/hpcbench' } };
    await resolveRecordPaths(fake, old);
    expect(old.remote_dir).toBe(`/home/hpcb/hpcbench/${RUN}`);
    expect(old.cluster.workdir).toBe('/home/hpcb/hpcbench');
    const current = { remote_dir: `/scratch/p/u/${RUN}`, cluster: CLUSTER };
    await resolveRecordPaths(fake, current);
    expect(current.remote_dir).toBe(`/scratch/p/u/${RUN}`);
    expect(fake.homeLookups()).toBe(1);
  });

  it('refuses a home directory that is not an absolute path, naming the field to fix', async () => {
    for (const answer of [
      { stdout: '', stderr: '', code: 0 },
      { stdout: 'relative', stderr: '', code: 0 },
      { stdout: '', stderr: 'sh: not found', code: 127 },
    ]) {
      const fake = new HomeCluster();
      fake.homeAnswer = answer;
      const error = await new RemoteHomeResolver(fake).resolve('~/hpcbench').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RemoteError);
      expect((error as RemoteError).message).toMatch(/cannot resolve ~ on fake@cluster:22/);
      expect((error as RemoteError).hint).toMatch(/workdir/);
    }
  });
});

describe('submitRun with ~ in the workdir', () => {
  it('uses the absolute path for preflight, mkdir, uploads, --chdir and run.json', async () => {
    const { resultsDir, manifest } = makeRenderedRun([{ experiment: 'a' }]);
    const fake = new HomeCluster();
    fake.modelsPresent.add('org--good');
    const result = await submitRun({ transport: fake, resultsDir, manifest, cluster: { ...CLUSTER, workdir: '~/hpcbench' }, hfCache: '~/hf', models: ['org/good'], sleep: noSleep });
    expect(result.checks.find((c) => c.name === 'model org/good')).toMatchObject({ ok: true, detail: 'found in /home/hpcb/hf/hub' });
    expect(fake.calls.some((c) => c[1]?.includes('/home/hpcb/hf/hub/models--org--good/snapshots'))).toBe(true);
    const dir = `/home/hpcb/hpcbench/${RUN}`;
    expect(result.record.remote_dir).toBe(dir);
    expect(result.record.cluster.workdir).toBe('/home/hpcb/hpcbench');
    const onDisk = await readRunRecord(resultsDir, RUN);
    expect(onDisk.remote_dir).toBe(dir);
    const sbatch = fake.calls.find((c) => c[0] === 'sbatch' && !c.includes('--test-only')) ?? [];
    expect(sbatch).toContain(`--chdir=${dir}`);
    expect(fake.calls.find((c) => c.includes('--test-only'))).toContain('--chdir=/home/hpcb/hpcbench');
    expect(fake.calls.find((c) => c[0] === 'mkdir')).toContain(dir);
    expect(fake.uploads).toContain(`${dir}/scripts/a.sbatch`);
    // No remote command ever sees a literal ~.
    expect(fake.calls.flat().filter((a) => a !== HOME_COMMAND && a.includes('~'))).toEqual([]);
    expect(fake.homeLookups()).toBe(1);
  });

  it('creates a missing workdir with mode 700 and says so in the preflight', async () => {
    const { resultsDir, manifest } = makeRenderedRun([{ experiment: 'a' }]);
    const fake = new HomeCluster();
    fake.workdirAnswer = (script) => (script.includes('mkdir -p -m 700 -- /home/hpcb/hpcbench') ? 'created' : 'missing');
    const result = await submitRun({ transport: fake, resultsDir, manifest, cluster: { ...CLUSTER, workdir: '~/hpcbench' }, sleep: noSleep });
    const workdir = result.checks.find((c) => c.name === 'workdir');
    expect(workdir).toEqual({ name: 'workdir', ok: true, detail: 'created /home/hpcb/hpcbench (mkdir -p -m 700) on fake@cluster:22' });
    expect(result.record.jobs[0]?.job_id).toBe('100');
  });

  it('--test-only creates nothing and says submit will create the workdir', async () => {
    const { resultsDir, manifest } = makeRenderedRun([{ experiment: 'a' }]);
    const fake = new HomeCluster();
    fake.workdirAnswer = (script) => (script.includes('mkdir') ? 'created' : 'missing');
    const result = await submitRun({ transport: fake, resultsDir, manifest, cluster: { ...CLUSTER, workdir: '~/hpcbench' }, testOnly: true, sleep: noSleep });
    expect(fake.calls.some((c) => c[1]?.includes('mkdir'))).toBe(false);
    expect(result.checks.find((c) => c.name === 'workdir')).toMatchObject({ ok: true, detail: expect.stringMatching(/does not exist yet .*submit will create it/) });
  });

  it('still fails on a workdir that exists but is not writable', async () => {
    const { resultsDir, manifest } = makeRenderedRun([{ experiment: 'a' }]);
    const fake = new HomeCluster();
    fake.workdirAnswer = () => 'readonly';
    const run = submitRun({ transport: fake, resultsDir, manifest, cluster: { ...CLUSTER, workdir: '~/hpcbench' }, sleep: noSleep });
    await expect(run).rejects.toBeInstanceOf(CheckFailedError);
    await expect(run).rejects.toThrow(/\/home\/hpcb\/hpcbench exists but is not writable by the SSH user/);
    expect(fake.uploads).toEqual([]);
  });

  it('fails when the workdir can be neither found nor created', async () => {
    const { resultsDir, manifest } = makeRenderedRun([{ experiment: 'a' }]);
    const fake = new HomeCluster();
    fake.workdirAnswer = () => 'missing';
    const run = submitRun({ transport: fake, resultsDir, manifest, cluster: CLUSTER, sleep: noSleep });
    await expect(run).rejects.toThrow(/\/scratch\/p\/u does not exist on fake@cluster:22 and could not be created/);
    expect(fake.homeLookups()).toBe(0);
  });
});

describe('rendered scripts and ~', () => {
  it('write a ~ cache path as "$HOME"/…, expanded by the job\'s shell, never as a quoted ~', () => {
    const yaml = [
      'clusters:',
      '  c:',
      '    preset: generic',
      '    ssh: somewhere',
      '    scratch: "~/scratch"',
      '    partitions:',
      '      cpu: { kind: cpu, cpus_per_node: 2, mem_per_node: 2G, max_time: "01:00:00" }',
      'experiments:',
      '  e:',
      '    cluster: c',
      '    partition: cpu',
      '    command: echo hi',
      '    models: [org/model]',
      '',
    ].join('\n');
    const rendered = renderRun(loadConfigText(yaml, 'hpcbench.yaml', '/nonexistent-project'), 'e', { runId: RUN, checkFiles: false });
    const scripts = [...rendered.files].filter(([name]) => name.endsWith('.sbatch') || name.endsWith('.sh')).map(([, text]) => text);
    expect(scripts.length).toBeGreaterThan(0);
    for (const text of scripts.filter((t) => t.includes('HF_HOME='))) {
      expect(text).toContain('export HF_HOME="$HOME"/scratch/hf-cache');
      expect(text).not.toMatch(/HF_HOME='?~/);
    }
    expect(scripts.some((t) => t.includes('export HF_HOME="$HOME"/scratch/hf-cache'))).toBe(true);
  });
});
