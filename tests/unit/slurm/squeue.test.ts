import { describe, expect, it } from 'vitest';
import { buildSqueueArgs, readSqueueOutput, UNIT_SEPARATOR } from '../../../src/slurm/squeue.js';
import { InputError, ControllerUnreachableError, SlurmCommandError } from '../../../src/errors.js';
import { shellCommand } from '../../../src/shell-quote.js';
import { fixture } from './fixtures.js';
import { listSqueueFields, readSqueueRecords } from './squeue-rows.js';

describe('buildSqueueArgs', () => {
  it('asks for all jobs of a run in one call with a delimiter that cannot occur in fields', () => {
    const args = buildSqueueArgs({ jobIds: ['101', '102', '104'] });
    expect(args[0]).toBe('squeue');
    expect(args).toContain('--noheader');
    expect(args).toContain('--states=all');
    expect(args).toContain('--jobs=101,102,104');
    const format = args.find((a) => a.startsWith('--format='));
    expect(format?.split(UNIT_SEPARATOR)).toHaveLength(19);
    expect(listSqueueFields()).toEqual([
      'jobId', 'jobIdRaw', 'arrayJobId', 'arrayTaskId', 'name', 'state', 'reason', 'elapsed', 'timeLimit', 'nodes',
      'nodeCount', 'cpus', 'partition', 'user', 'account', 'submitTime', 'startTime', 'workDir', 'comment',
    ]);
    // The unit separator forces quoting, so the remote shell passes it through unchanged.
    expect(shellCommand(args)).toContain(`'--format=%i${UNIT_SEPARATOR}%A`);
  });
  it('filters by name and user, and can leave finished jobs out', () => {
    expect(buildSqueueArgs({ names: ['hpcbench-r1'], user: 'alice', allStates: false })).toEqual([
      'squeue',
      '--noheader',
      expect.stringMatching(/^--format=/),
      '--name=hpcbench-r1',
      '--user=alice',
    ]);
    expect(() => buildSqueueArgs({ names: ['a,b'] })).toThrow(/without commas/);
  });
});

describe('reading squeue output', () => {
  const records = readSqueueRecords(fixture('squeue-mixed.txt'));
  const byId = new Map(records.map((r) => [r.jobId, r]));

  it('reads every row', () => {
    expect(records).toHaveLength(12);
    expect(records.every((r) => r.source === 'squeue')).toBe(true);
  });

  it('reads a running job fully', () => {
    expect(byId.get('101')).toEqual({
      jobId: '101',
      jobIdRaw: '101',
      name: 'hpcbench-r1-lora',
      state: { name: 'RUNNING' },
      elapsedSeconds: 754,
      timeLimitSeconds: 7200,
      timeLimitText: '2:00:00',
      nodes: 'node01',
      nodeCount: 1,
      cpus: 8,
      partition: 'sequana_gpu',
      user: 'alice',
      account: 'proj1',
      submitTime: '2026-11-24T05:50:01',
      startTime: '2026-11-24T05:51:00',
      workDir: '/scratch/proj1/alice/hpcbench/r1',
      comment: 'hpcbench:r1',
      source: 'squeue',
    });
  });

  it('keeps pending reasons and drops placeholders', () => {
    const pending = byId.get('102');
    expect(pending?.reason).toBe('Priority');
    expect(pending?.nodes).toBeUndefined();
    expect(pending?.timeLimitSeconds).toBe(86_400);
    expect(byId.get('103')?.startTime).toBeUndefined();
    expect(byId.get('112')?.reason).toBe('ReqNodeNotAvail, UnavailableNodes:node[03-04]');
    expect(byId.get('107')?.comment).toBeUndefined();
  });

  it('reads array tasks and pending ranges, with | and spaces in names', () => {
    expect(byId.get('104_[3-9%2]')).toMatchObject({
      arrayJobId: '104',
      arrayTaskId: '3-9%2',
      arrayPendingRange: true,
      name: 'eval | sweep 1',
      reason: 'JobArrayTaskLimit',
      workDir: '/home/alice/my runs',
      comment: 'hpcbench:r1 sweep=a|b',
    });
    expect(byId.get('104_[3-9%2]')?.jobIdRaw).toBeUndefined();
    expect(byId.get('104_1')).toMatchObject({ jobIdRaw: '105', arrayJobId: '104', arrayTaskId: '1', elapsedSeconds: 3723 });
  });

  it('reads terminal states still in slurmctld memory and day-long times', () => {
    expect(byId.get('109')?.state).toEqual({ name: 'TIMEOUT' });
    expect(byId.get('110')?.state).toEqual({ name: 'OUT_OF_MEMORY' });
    expect(byId.get('111')).toMatchObject({ elapsedSeconds: 2 * 86_400 + 3 * 3600 + 4 * 60 + 5, timeLimitText: 'UNLIMITED' });
    expect(byId.get('111')?.timeLimitSeconds).toBeUndefined();
  });

  it('names the line when a row has the wrong number of fields', () => {
    const broken = `${fixture('squeue-mixed.txt').split('\n')[0]}\n101${UNIT_SEPARATOR}x\n`;
    expect(() => readSqueueRecords(broken)).toThrow(InputError);
    expect(() => readSqueueRecords(broken)).toThrow(/squeue output:2: expected 19 fields/);
  });

  it('reads empty output as no jobs', () => {
    expect(readSqueueRecords('')).toEqual([]);
  });
});

describe('real SLURM 22.05 squeue output (test cluster)', () => {
  const real = new Map(readSqueueRecords(fixture('squeue-real-22.05.txt')).map((r) => [r.jobId, r]));

  it('parses every row with the states and reasons SLURM printed', () => {
    expect([...real.values()].map((r) => `${r.jobId}:${r.state.name}:${r.reason ?? ''}`)).toEqual([
      '11:COMPLETED:',
      '15_0:COMPLETED:',
      '15_1:COMPLETED:',
      '12:FAILED:NonZeroExitCode',
      '14:OUT_OF_MEMORY:OutOfMemory',
      '15_[4-5%2]:PENDING:JobArrayTaskLimit',
      '19:PENDING:BeginTime',
      '18:PENDING:JobHeldUser',
      '13:RUNNING:',
      '15_2:RUNNING:',
      '15_3:RUNNING:',
    ]);
  });

  it('reads a one-minute limit printed as 1:00 and a comment with a space', () => {
    expect(real.get('13')).toMatchObject({ timeLimitSeconds: 60, elapsedSeconds: 5, nodes: 'hpcbench-node' });
    expect(real.get('11')?.comment).toBe('hpcbench:check one');
    expect(real.get('15_2')).toMatchObject({ jobIdRaw: '22', arrayJobId: '15', arrayTaskId: '2' });
    expect(real.get('19')?.startTime).toBe('2026-11-24T07:26:12');
  });
});

describe('readSqueueOutput', () => {
  it('reports aged-out job ids instead of failing', () => {
    const result = readSqueueOutput({ stdout: '', stderr: fixture('squeue-invalid-job-id.stderr.txt'), exitCode: 1 });
    expect(result).toEqual({ records: [], invalidJobId: true });
  });
  it('throws ControllerUnreachableError for a controller that is down or slow', () => {
    for (const name of ['squeue-controller-down.stderr.txt', 'squeue-socket-timeout.stderr.txt']) {
      expect(() => readSqueueOutput({ stdout: '', stderr: fixture(name), exitCode: 1 })).toThrow(ControllerUnreachableError);
    }
  });
  it('throws SlurmCommandError for other failures', () => {
    expect(() => readSqueueOutput({ stdout: '', stderr: 'squeue: error: Invalid user: nobody2\n', exitCode: 1 })).toThrow(
      SlurmCommandError,
    );
  });
  it('parses a normal answer', () => {
    const result = readSqueueOutput({ stdout: fixture('squeue-mixed.txt'), stderr: '', exitCode: 0 });
    expect(result.invalidJobId).toBe(false);
    expect(result.records).toHaveLength(12);
  });
});
