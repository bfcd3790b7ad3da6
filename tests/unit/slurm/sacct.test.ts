import { describe, expect, it } from 'vitest';
import {
  SACCT_FIELDS,
  buildSacctArgs,
  findBatchStep,
  parseSacct,
  readSacctOutput,
} from '../../../src/slurm/sacct.js';
import { UNIT_SEPARATOR } from '../../../src/slurm/squeue.js';
import { InputError, ControllerUnreachableError, SlurmCommandError } from '../../../src/errors.js';
import { fixture } from './fixtures.js';

describe('buildSacctArgs', () => {
  it('asks for parsable rows with a safe delimiter for all jobs at once', () => {
    expect(buildSacctArgs({ jobIds: ['201', '202'] })).toEqual([
      'sacct',
      '--parsable2',
      '--noheader',
      `--format=${SACCT_FIELDS.join(',')}`,
      `--delimiter=${UNIT_SEPARATOR}`,
      '--jobs=201,202',
    ]);
    expect(buildSacctArgs({ names: ['hpcbench-r1'], startTime: 'now-7days', delimiter: '|' })).toEqual([
      'sacct',
      '--parsable2',
      '--noheader',
      `--format=${SACCT_FIELDS.join(',')}`,
      '--name=hpcbench-r1',
      '--starttime=now-7days',
    ]);
  });
});

describe('parseSacct', () => {
  const jobs = parseSacct(fixture('sacct-parsable2.txt'));
  const byId = new Map(jobs.map((j) => [j.jobId, j]));

  it('groups steps under their job', () => {
    expect(jobs.map((j) => j.jobId)).toEqual([
      '201',
      '202',
      '203',
      '204',
      '205',
      '206',
      '207',
      '210_[4-9%2]',
      '210_1',
      '210_2',
      '210_3',
      '220',
      '230+0',
      '230+1',
    ]);
    expect(byId.get('201')?.steps.map((s) => s.stepId)).toEqual(['batch', 'extern', '0']);
    expect(byId.get('210_1')?.steps.map((s) => s.id)).toEqual(['210_1.batch']);
  });

  it('reads a completed job: times, TRES, memory, exit code', () => {
    const job = byId.get('201');
    expect(job).toMatchObject({
      jobIdRaw: '201',
      name: 'hpcbench-r1-infer',
      partition: 'sequana_gpu',
      state: { name: 'COMPLETED' },
      exitCode: { code: 0, signal: 0 },
      derivedExitCode: { code: 0, signal: 0 },
      elapsedSeconds: 312,
      timeLimitSeconds: 3600,
      cpus: 8,
      nodeCount: 1,
      nodes: 'sdumont8001',
      comment: 'hpcbench:r1',
      submitTime: '2026-11-24T05:00:00',
      startTime: '2026-11-24T05:00:01',
      endTime: '2026-11-24T05:05:13',
      user: 'alice',
      account: 'proj1',
      reqMem: { mib: 32_768, per: 'job' },
      allocTres: { cpus: 8, gpus: 1, memMiB: 32_768, nodes: 1, billing: 8 },
      source: 'sacct',
    });
    expect(job?.totalCpuSeconds).toBeCloseTo(291.234, 6);
    expect(job?.reason).toBeUndefined();
  });

  it('takes the job MaxRSS as the largest over its steps', () => {
    expect(byId.get('201')?.maxRssMiB).toBeCloseTo(24_589_344 / 1024, 6);
    expect(byId.get('201')?.steps.find((s) => s.stepId === 'batch')?.maxRssMiB).toBe(10);
    expect(byId.get('220')?.maxRssMiB).toBe(1536);
    expect(byId.get('207')?.maxRssMiB).toBeUndefined();
  });

  it('reads failure states, exit codes and signals', () => {
    expect(byId.get('202')).toMatchObject({ state: { name: 'FAILED' }, exitCode: { code: 1, signal: 0 } });
    expect(byId.get('203')).toMatchObject({ state: { name: 'TIMEOUT' }, elapsedSeconds: 91, timeLimitSeconds: 60 });
    expect(byId.get('203') && findBatchStep(byId.get('203')!)?.exitCode).toEqual({ code: 0, signal: 15 });
    expect(byId.get('204')).toMatchObject({ state: { name: 'OUT_OF_MEMORY' }, exitCode: { code: 0, signal: 125 } });
    expect(byId.get('205') && findBatchStep(byId.get('205')!)?.state).toEqual({ name: 'CANCELLED', by: '0' });
    expect(byId.get('206')?.state).toEqual({ name: 'CANCELLED', by: '1000' });
    expect(byId.get('206')?.nodes).toBeUndefined();
    expect(byId.get('220')).toMatchObject({ state: { name: 'NODE_FAIL' }, nodes: 'sdumont[1002-1003]', nodeCount: 2 });
    expect(byId.get('220')?.totalCpuSeconds).toBe(86_400 + 2 * 3600 + 3 * 60 + 4);
  });

  it('reads pending jobs: Unknown dates, None assigned nodes, reason', () => {
    const job = byId.get('207');
    expect(job).toMatchObject({ state: { name: 'PENDING' }, reason: 'Priority', timeLimitSeconds: 2 * 86_400 });
    expect(job?.startTime).toBeUndefined();
    expect(job?.endTime).toBeUndefined();
    expect(job?.nodes).toBeUndefined();
    expect(job?.allocTres).toBeUndefined();
  });

  it('reads array tasks and the pending range', () => {
    expect(byId.get('210_[4-9%2]')).toMatchObject({ arrayJobId: '210', arrayTaskId: '4-9%2', arrayPendingRange: true });
    expect(byId.get('210_[4-9%2]')?.jobIdRaw).toBeUndefined();
    expect(byId.get('210_1')).toMatchObject({ jobIdRaw: '211', arrayJobId: '210', arrayTaskId: '1' });
    expect(byId.get('210_3')?.exitCode).toEqual({ code: 2, signal: 0 });
  });

  it('reads heterogeneous components', () => {
    expect(byId.get('230+1')).toMatchObject({ hetJobId: '230', hetJobOffset: '1', jobIdRaw: '231', cpus: 2 });
  });

  it('reads the unit-separator form, where names may contain |', () => {
    const us = parseSacct(fixture('sacct-unit-separator.txt'));
    expect(us).toHaveLength(1);
    expect(us[0]?.name).toBe('infer | batch=8');
    expect(us[0]?.steps).toHaveLength(3);
  });

  it('names the line of a malformed row', () => {
    const text = `${fixture('sacct-parsable2.txt').split('\n')[0]}\n202|202|oops\n`;
    expect(() => parseSacct(text)).toThrow(InputError);
    expect(() => parseSacct(text)).toThrow(/sacct output:2: expected 26 fields/);
    const badId = `JobID${'|'.repeat(SACCT_FIELDS.length - 1)}\n`;
    expect(() => parseSacct(badId)).toThrow(/sacct output:1: JobID "JobID" is not a SLURM job id/);
  });
});

describe('readSacctOutput', () => {
  it('returns accounting-disabled as a condition the caller falls back on', () => {
    const output = { stdout: '', stderr: fixture('sacct-disabled.stderr.txt'), exitCode: 1 };
    expect(readSacctOutput(output)).toEqual({
      kind: 'unavailable',
      reason: 'accounting-disabled',
      message: 'sacct: error: Slurm accounting storage is disabled',
    });
  });
  it('recognises slurmdbd being down', () => {
    const result = readSacctOutput({ stdout: '', stderr: fixture('sacct-dbd-down.stderr.txt'), exitCode: 1 });
    expect(result).toMatchObject({ kind: 'unavailable', reason: 'database-unreachable' });
  });
  it('throws ControllerUnreachableError and SlurmCommandError for the rest', () => {
    expect(() =>
      readSacctOutput({ stdout: '', stderr: 'sacct: error: Unable to contact slurm controller (connect failure)\n', exitCode: 1 }),
    ).toThrow(ControllerUnreachableError);
    expect(() => readSacctOutput({ stdout: '', stderr: 'sacct: error: Unknown arguments\n', exitCode: 1 })).toThrow(SlurmCommandError);
  });
  it('parses a good answer', () => {
    const result = readSacctOutput({ stdout: fixture('sacct-parsable2.txt'), stderr: '', exitCode: 0 });
    expect(result.kind).toBe('ok');
    if (result.kind === 'ok') expect(result.jobs).toHaveLength(14);
  });
});

describe('real SLURM 22.05 sacct output (test cluster)', () => {
  const real = new Map(parseSacct(fixture('sacct-real-22.05.txt')).map((j) => [j.jobId, j]));

  it('reads the outcomes the cluster produced', () => {
    expect([...real.values()].map((j) => `${j.jobId}:${j.state.name}`)).toEqual([
      '1:COMPLETED',
      '2:FAILED',
      '3:TIMEOUT',
      '4:OUT_OF_MEMORY',
      '6:PENDING',
      '7:CANCELLED',
      '5_0:COMPLETED',
      '5_1:COMPLETED',
      '5_2:COMPLETED',
      '5_3:COMPLETED',
      '5_4:COMPLETED',
      '5_5:COMPLETED',
    ]);
    expect(real.get('2')?.exitCode).toEqual({ code: 3, signal: 0 });
    expect(real.get('3')).toMatchObject({ elapsedSeconds: 75, timeLimitSeconds: 60 });
    expect(real.get('3')?.steps[0]).toMatchObject({ stepId: 'batch', state: { name: 'CANCELLED' }, exitCode: { code: 0, signal: 15 } });
    expect(real.get('4')).toMatchObject({ reqMem: { mib: 100, per: 'job' }, exitCode: { code: 0, signal: 125 } });
    expect(real.get('7')?.state).toEqual({ name: 'CANCELLED', by: '1001' });
    expect(real.get('5_5')).toMatchObject({ jobIdRaw: '5', arrayJobId: '5', arrayTaskId: '5' });
    expect(real.get('5_0')?.steps.map((s) => s.id)).toEqual(['5_0.batch']);
  });

  it('keeps Partition_Limit as text and DependencyNeverSatisfied as the reason', () => {
    expect(real.get('6')).toMatchObject({ timeLimitText: 'Partition_Limit', reason: 'DependencyNeverSatisfied' });
    expect(real.get('6')?.timeLimitSeconds).toBeUndefined();
    // Without AccountingStoreFlags=job_comment, sacct leaves Comment empty.
    expect(real.get('1')?.comment).toBeUndefined();
  });
});

// Captured on the test cluster (SLURM 22.05.8) from the same seven jobs, one call right after the
// other, with buildSacctArgs({ jobIds, duplicates: true }) and the same with fields: 'follow':
// out of memory, failed, an array with a failed task, three requeues then completed, a time-out,
// a cancelled requeued job and array.
describe("the 'follow' field set (status, watch): everything but the TRES columns", () => {
  const full = parseSacct(fixture('sacct-full-pair-real-22.05.txt'), { duplicates: true });
  const follow = parseSacct(fixture('sacct-follow-pair-real-22.05.txt'), { duplicates: true, fields: 'follow' });

  it('asks sacct for no TRES field, each of which costs a slurmdbd call', () => {
    const args = buildSacctArgs({ jobIds: ['7'], fields: 'follow' });
    const format = args.find((a) => a.startsWith('--format='));
    expect(format).toBe(`--format=${SACCT_FIELDS.filter((f) => f !== 'AllocTRES' && f !== 'ReqTRES').join(',')}`);
    expect(format).not.toMatch(/TRES/);
  });

  it('reads from real output the same jobs, states, restarts and steps as the full call, without TRES', () => {
    expect(full.map((j) => `${j.jobId}:${j.state.name}:${j.restarts}`)).toContain('2847:COMPLETED:3');
    expect(full.some((j) => j.allocTres !== undefined)).toBe(true);
    const withoutTres = full.map(({ allocTres: _a, reqTres: _r, ...rest }) => rest);
    expect(follow).toEqual(withoutTres);
  });

  it('refuses, naming the line, output read with the other field set', () => {
    expect(() => parseSacct(fixture('sacct-full-pair-real-22.05.txt'), { fields: 'follow' })).toThrow(/sacct output:1: expected 24 fields/);
    expect(() => readSacctOutput({ stdout: fixture('sacct-follow-pair-real-22.05.txt'), stderr: '', exitCode: 0 })).toThrow(/expected 26 fields/);
  });
});
