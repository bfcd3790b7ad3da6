import { describe, expect, it } from 'vitest';
import {
  buildScontrolShowJobArgs,
  parseKeyValueLine,
  parseScontrolShowJob,
  readScontrolShowJobOutput,
} from '../../../src/slurm/scontrol.js';
import { buildSdiagArgs, diffSdiag, parseSdiag } from '../../../src/slurm/sdiag.js';
import { buildScancelArgs } from '../../../src/slurm/scancel.js';
import { ControllerUnreachableError, SlurmFormatError } from '../../../src/slurm/errors.js';
import { InputError } from '../../../src/errors.js';
import { fixture } from './fixtures.js';

describe('scontrol show job -o', () => {
  const jobs = parseScontrolShowJob(fixture('scontrol-show-job.txt'));
  const byId = new Map(jobs.map((j) => [j.jobId, j]));

  it('asks about one job, or about all of them (scontrol takes a single id)', () => {
    expect(buildScontrolShowJobArgs('301')).toEqual(['scontrol', 'show', 'job', '-o', '301']);
    expect(buildScontrolShowJobArgs()).toEqual(['scontrol', 'show', 'job', '-o']);
  });

  it('reads real SLURM 22.05 output (test cluster), including trailing spaces and empty values', () => {
    const real = new Map(parseScontrolShowJob(fixture('scontrol-real-22.05.txt')).map((j) => [j.jobId, j]));
    expect([...real.keys()]).toEqual(['11', '12', '13', '14', '15_0', '18', '19', '15_5']);
    expect(real.get('11')).toMatchObject({ state: { name: 'COMPLETED' }, comment: 'hpcbench:check one', user: 'hpcb', elapsedSeconds: 5 });
    expect(real.get('11')?.fields.StdErr).toBe('/tmp/slurmcheck/slurm-11.out');
    expect(real.get('12')).toMatchObject({ state: { name: 'FAILED' }, exitCode: { code: 3, signal: 0 }, reason: 'NonZeroExitCode' });
    expect(real.get('13')).toMatchObject({ state: { name: 'RUNNING' }, timeLimitSeconds: 60 });
    expect(real.get('14')).toMatchObject({ state: { name: 'OUT_OF_MEMORY' }, exitCode: { code: 0, signal: 125 } });
    expect(real.get('18')).toMatchObject({ state: { name: 'PENDING' }, reason: 'JobHeldUser' });
    expect(real.get('18')?.nodes).toBeUndefined();
    expect(real.get('18')?.fields.Power).toBe('');
    // The array's own record runs its last task.
    expect(real.get('15_5')).toMatchObject({ jobIdRaw: '15', arrayJobId: '15', arrayTaskId: '5' });
  });

  it('reads a running job, keeping values with spaces whole', () => {
    const job = byId.get('301');
    expect(job).toMatchObject({
      jobIdRaw: '301',
      name: 'hpcbench-r5-lora',
      state: { name: 'RUNNING' },
      user: 'alice',
      account: 'proj1',
      elapsedSeconds: 201,
      timeLimitSeconds: 7200,
      nodes: 'sdumont8001',
      nodeCount: 1,
      cpus: 8,
      partition: 'sequana_gpu',
      comment: 'hpcbench:r5 lr=2e-4 note=a b',
      stdoutPath: '/scratch/proj1/alice/hpcbench/r5/logs/301.out',
      source: 'scontrol',
    });
    expect(job?.fields.Command).toBe('/scratch/proj1/alice/hpcbench/r5/job gpu.slurm --epochs 3');
    expect(job?.fields.Power).toBe('');
    expect(job?.fields.TresPerNode).toBe('gres:gpu:1');
    expect(job?.fields['AllocNode:Sid']).toBe('login1:12345');
    expect(job?.reason).toBeUndefined();
  });

  it('reads a pending job with its dependency and unknown dates', () => {
    const job = byId.get('302');
    expect(job).toMatchObject({ state: { name: 'PENDING' }, reason: 'Dependency', dependency: 'afterok:301_*(unfulfilled)', timeLimitSeconds: 1800 });
    expect(job?.startTime).toBeUndefined();
    expect(job?.nodes).toBeUndefined();
  });

  it('names array tasks and pending ranges like squeue does', () => {
    expect(byId.get('303_1')).toMatchObject({ jobIdRaw: '304', arrayJobId: '303', arrayTaskId: '1', state: { name: 'COMPLETED' } });
    expect(byId.get('303_[2-4%2]')).toMatchObject({ arrayPendingRange: true, reason: 'JobArrayTaskLimit' });
  });

  it('reads a timed-out job with its signal', () => {
    expect(byId.get('305')).toMatchObject({ state: { name: 'TIMEOUT' }, exitCode: { code: 0, signal: 15 }, elapsedSeconds: 91 });
  });

  it('splits only at keys, so free text may contain = and spaces', () => {
    const kv = parseKeyValueLine('JobId=1 JobName=a b=c Priority=5 Reason=Some text here Comment=x Priority=3 y StdOut=/o');
    expect(kv.get('Priority')).toBe('5');
    expect(kv.get('JobName')).toBe('a b=c');
    expect(kv.get('Reason')).toBe('Some text here');
    expect(kv.get('Comment')).toBe('x Priority=3 y');
    expect(kv.get('StdOut')).toBe('/o');
  });

  it('reads "Invalid job id specified" as aged out, and an unreachable controller as such', () => {
    expect(readScontrolShowJobOutput({ stdout: '', stderr: 'slurm_load_jobs error: Invalid job id specified\n', exitCode: 1 })).toEqual({
      jobs: [],
      invalidJobId: true,
    });
    expect(() =>
      readScontrolShowJobOutput({ stdout: '', stderr: 'slurm_load_jobs error: Unable to contact slurm controller (connect failure)\n', exitCode: 1 }),
    ).toThrow(ControllerUnreachableError);
  });
});

describe('sdiag', () => {
  const stats = parseSdiag(fixture('sdiag.txt'));

  it('reads RPC counts by type and user, and the totals', () => {
    expect(buildSdiagArgs()).toEqual(['sdiag']);
    expect(stats.rpcsByType).toHaveLength(9);
    expect(stats.rpcsByType[0]).toEqual({ name: 'REQUEST_JOB_INFO', id: 2003, count: 212, averageMicros: 311, totalMicros: 65_932 });
    expect(stats.totalRpcs).toBe(212 + 130 + 104 + 101 + 101 + 33 + 3 + 2 + 1);
    expect(stats.rpcsByUser).toEqual([
      { name: 'root', id: 0, count: 332, averageMicros: 205, totalMicros: 68_193 },
      { name: 'alice', id: 1000, count: 355, averageMicros: 920, totalMicros: 326_454 },
    ]);
    expect(stats).toMatchObject({ sampledAt: 1_795_500_600, dataSince: 1_795_478_400, serverThreadCount: 3, jobsSubmitted: 104 });
  });

  it('diffs two samples and refuses across a counter reset', () => {
    const later = parseSdiag(
      fixture('sdiag.txt')
        .replace('count:212 ', 'count:215 ')
        .replace('(    1000) count:355 ', '(    1000) count:358 '),
    );
    expect(diffSdiag(stats, later)).toEqual({ totalRpcs: 3, byType: { REQUEST_JOB_INFO: 3 }, byUser: { alice: 3 } });
    expect(diffSdiag(stats, { ...later, dataSince: 1 })).toBeUndefined();
  });

  it('reads real 22.05 sdiag output (test cluster)', () => {
    const real = parseSdiag(fixture('sdiag-real-22.05.txt'));
    expect(real.rpcsByType).toHaveLength(13);
    expect(real.rpcsByType.find((r) => r.name === 'REQUEST_JOB_INFO')).toMatchObject({ id: 2003, count: 223 });
    expect(real.totalRpcs).toBe(233 + 223 + 29 + 24 + 20 + 20 + 7 + 6 + 2 + 2 + 1 + 1 + 1);
    expect(real.rpcsByUser.map((u) => [u.name, u.id, u.count])).toEqual([
      ['hpcb', 1001, 519],
      ['root', 0, 50],
    ]);
  });

  it('rejects output without the RPC section', () => {
    expect(() => parseSdiag('sdiag: error: slurm_get_statistics: Unable to contact slurm controller\n')).toThrow(InputError);
  });
});

describe('buildScancelArgs', () => {
  it('cancels by ids or by name, never by user alone', () => {
    expect(buildScancelArgs({ jobIds: ['101', '104_[3-9%2]', '105_2'] })).toEqual(['scancel', '101', '104_[3-9%2]', '105_2']);
    expect(buildScancelArgs({ name: 'hpcbench-r1', user: 'alice' }, { state: 'PENDING' })).toEqual([
      'scancel',
      '--state=PENDING',
      '--name=hpcbench-r1',
      '--user=alice',
    ]);
    expect(buildScancelArgs({ jobIds: ['7'] }, { signal: 'USR1', batchOnly: true })).toEqual(['scancel', '--signal=USR1', '--batch', '7']);
  });
  it('rejects empty lists and non-ids', () => {
    expect(() => buildScancelArgs({ jobIds: [] })).toThrow(SlurmFormatError);
    expect(() => buildScancelArgs({ jobIds: ['1 2'] })).toThrow(/"1 2" is not valid/);
    expect(() => buildScancelArgs({ name: ' ' })).toThrow(SlurmFormatError);
  });
});
