import { describe, expect, it } from 'vitest';
import { assessJob, detectMemoryKill, roundTimeLimit, suggestMemory, suggestTimeLimit } from '../../../src/slurm/policy.js';
import { findBatchStep, parseSacct } from '../../../src/slurm/sacct.js';
import { parseJobState } from '../../../src/slurm/job-state.js';
import { fixture } from './fixtures.js';

const sacct = new Map(parseSacct(fixture('sacct-parsable2.txt')).map((j) => [j.jobId, j]));

function factsFor(id: string, outputTail?: string) {
  const job = sacct.get(id);
  if (!job) throw new Error(`fixture has no job ${id}`);
  const batch = findBatchStep(job);
  return {
    state: job.state,
    ...(job.exitCode ? { exitCode: job.exitCode } : {}),
    ...(job.elapsedSeconds === undefined ? {} : { elapsedSeconds: job.elapsedSeconds }),
    ...(job.timeLimitSeconds === undefined ? {} : { timeLimitSeconds: job.timeLimitSeconds }),
    ...(job.maxRssMiB === undefined ? {} : { maxRssMiB: job.maxRssMiB }),
    ...(job.reqMem ? { reqMemMiB: job.reqMem.mib } : {}),
    ...(job.nodes === undefined ? {} : { nodes: job.nodes }),
    ...(job.reason === undefined ? {} : { reason: job.reason }),
    ...(batch ? { batchStepState: batch.state } : {}),
    ...(outputTail === undefined ? {} : { outputTail }),
  };
}

describe('suggestions', () => {
  it('rounds time limits to units people write', () => {
    expect(roundTimeLimit(61)).toBe(300);
    expect(roundTimeLimit(3600)).toBe(3600);
    expect(roundTimeLimit(3601)).toBe(4500);
    expect(roundTimeLimit(6 * 3600 + 1)).toBe(7 * 3600);
  });

  it('asks for 1.5× the time used, above the old limit, capped at the partition maximum', () => {
    expect(suggestTimeLimit(91, { previousLimitSeconds: 60 })).toEqual({ value: 300, capped: false, exhausted: false });
    expect(suggestTimeLimit(7200, { previousLimitSeconds: 7200 })).toEqual({ value: 10_800, capped: false, exhausted: false });
    expect(suggestTimeLimit(40 * 3600, { previousLimitSeconds: 40 * 3600, partitionMaxSeconds: 48 * 3600 })).toEqual({
      value: 48 * 3600,
      capped: true,
      exhausted: false,
    });
    expect(suggestTimeLimit(48 * 3600, { previousLimitSeconds: 48 * 3600, partitionMaxSeconds: 48 * 3600 }).exhausted).toBe(true);
  });

  it('asks for small jobs in 256 MiB steps', () => {
    expect(suggestMemory(1.06, { previousMiB: 100 }).value).toBe(256);
    expect(suggestMemory(600, { previousMiB: 512 }).value).toBe(1024);
  });

  it('asks for 1.5× the larger of peak and request, in whole GiB, capped at the node', () => {
    expect(suggestMemory(1023.5, { previousMiB: 1024 })).toEqual({ value: 2048, capped: false, exhausted: false });
    expect(suggestMemory(30_000, { previousMiB: 32_768 })).toEqual({ value: 49_152, capped: false, exhausted: false });
    expect(suggestMemory(60_000, { previousMiB: 64_000, nodeMemoryMiB: 80_000 })).toEqual({ value: 80_000, capped: true, exhausted: false });
    expect(suggestMemory(60_000, { previousMiB: 80_000, nodeMemoryMiB: 80_000 }).exhausted).toBe(true);
  });
});

describe('detectMemoryKill', () => {
  it('recognises OUT_OF_MEMORY, the OverMemoryKill form, and the log message', () => {
    expect(detectMemoryKill(factsFor('204'))).toBe(true);
    expect(detectMemoryKill(factsFor('205'))).toBe(true);
    expect(detectMemoryKill({ state: parseJobState('FAILED'), outputTail: 'slurmstepd: error: Exceeded job memory limit\n' })).toBe(true);
    expect(detectMemoryKill(factsFor('202'))).toBe(false);
    expect(detectMemoryKill(factsFor('203'))).toBe(false);
    expect(detectMemoryKill({ state: parseJobState('COMPLETED'), outputTail: 'Exceeded job memory limit' })).toBe(false);
  });
});

describe('assessJob', () => {
  it('COMPLETED is a success with nothing to do but fetch', () => {
    expect(assessJob(factsFor('201'))).toMatchObject({ outcome: 'success', action: 'none', resubmit: false });
  });

  it('TIMEOUT suggests a new time limit from the elapsed time', () => {
    const v = assessJob(factsFor('203'));
    expect(v).toMatchObject({ outcome: 'failure', action: 'increase-time', suggestedTimeSeconds: 300, suggestedTime: '00:05:00' });
    expect(v.title).toContain('00:01:31');
    expect(v.advice).toContain('00:05:00');
  });

  it('TIMEOUT at the partition maximum says asking for more will not help', () => {
    const v = assessJob(
      { state: parseJobState('TIMEOUT'), elapsedSeconds: 96 * 3600, timeLimitSeconds: 96 * 3600 },
      { partitionMaxSeconds: 96 * 3600 },
    );
    expect(v.action).toBe('fix-and-resubmit');
    expect(v.advice).toContain('4-00:00:00');
    expect(v.advice).toContain('checkpoint');
    expect(v.suggestedTime).toBeUndefined();
  });

  it('OUT_OF_MEMORY suggests memory from MaxRSS', () => {
    const v = assessJob(factsFor('204'));
    expect(v).toMatchObject({ action: 'increase-memory', suggestedMemMiB: 2048, suggestedMem: '2G', effectiveState: { name: 'OUT_OF_MEMORY' } });
    expect(v.title).toContain('of 1G');
  });

  it('judges a FAILED job killed by OverMemoryKill as out of memory', () => {
    const v = assessJob(factsFor('205'));
    expect(v.effectiveState).toEqual({ name: 'OUT_OF_MEMORY' });
    expect(v.suggestedMem).toBe('2G');
    const fromLog = assessJob({ state: parseJobState('FAILED'), reqMemMiB: 4096, outputTail: 'Exceeded job memory limit' });
    expect(fromLog.suggestedMem).toBe('6G');
  });

  it('OUT_OF_MEMORY on a full node says to use less memory instead', () => {
    const v = assessJob({ state: parseJobState('OUT_OF_MEMORY'), reqMemMiB: 384_000, maxRssMiB: 383_000 }, { nodeMemoryMiB: 384_000 });
    expect(v.action).toBe('fix-and-resubmit');
    expect(v.advice).toContain('batch size');
  });

  it('NODE_FAIL resubmits without the failed nodes when retries remain', () => {
    const v = assessJob(factsFor('220'), { retriesLeft: 2, excludedNodes: ['sdumont1001'] });
    expect(v).toMatchObject({
      action: 'resubmit-excluding-nodes',
      resubmit: true,
      excludeNodes: ['sdumont1001', 'sdumont1002', 'sdumont1003'],
    });
    expect(v.advice).toContain('2 retries left');
    const noRetries = assessJob(factsFor('220'));
    expect(noRetries.resubmit).toBe(false);
    expect(noRetries.advice).toContain('--exclude=sdumont1002,sdumont1003');
    expect(assessJob({ state: parseJobState('BOOT_FAIL'), nodes: 'gpu7' }, { retriesLeft: 1 }).excludeNodes).toEqual(['gpu7']);
  });

  it('PREEMPTED and REQUEUED mean wait', () => {
    expect(assessJob({ state: parseJobState('PR') })).toMatchObject({ outcome: 'waiting', action: 'wait' });
    expect(assessJob({ state: parseJobState('RQ') })).toMatchObject({ outcome: 'waiting', action: 'wait' });
  });

  it('FAILED explains the exit code', () => {
    expect(assessJob(factsFor('202')).title).toBe('failed (exit code 1)');
    expect(assessJob({ state: parseJobState('FAILED'), exitCode: { code: 127, signal: 0 } }).title).toContain('not found');
    expect(assessJob({ state: parseJobState('FAILED'), exitCode: { code: 0, signal: 9 } }).title).toContain('signal 9');
  });

  it('CANCELLED names who cancelled', () => {
    expect(assessJob(factsFor('206')).title).toBe('cancelled by uid 1000');
    expect(assessJob({ state: parseJobState('CANCELLED by 0') }).advice).toContain('admins');
  });

  it('a job pending over the limit may be cancelled, with its reason', () => {
    const v = assessJob({ ...factsFor('207'), pendingSeconds: 7200 }, { pendingLimitSeconds: 3600 });
    expect(v).toMatchObject({ outcome: 'waiting', action: 'cancel' });
    expect(v.title).toContain('02:00:00');
    expect(v.title).toContain('Priority');
    const young = assessJob({ ...factsFor('207'), pendingSeconds: 60 }, { pendingLimitSeconds: 3600 });
    expect(young.action).toBe('keep-watching');
  });

  it('a job that can never start is cancellable at once', () => {
    const v = assessJob({ state: parseJobState('PD'), reason: 'DependencyNeverSatisfied' });
    expect(v.action).toBe('cancel');
    expect(v.title).toContain('cannot start');
  });

  it('judges the real test-cluster outcomes', () => {
    const real = new Map(parseSacct(fixture('sacct-real-22.05.txt')).map((j) => [j.jobId, j]));
    const timeout = real.get('3');
    const oom = real.get('4');
    const dep = real.get('6');
    expect(assessJob({ state: timeout!.state, elapsedSeconds: timeout!.elapsedSeconds!, timeLimitSeconds: timeout!.timeLimitSeconds! }).suggestedTime).toBe('00:05:00');
    expect(assessJob({ state: oom!.state, reqMemMiB: oom!.reqMem!.mib, maxRssMiB: oom!.maxRssMiB! }).suggestedMem).toBe('256M');
    expect(assessJob({ state: dep!.state, reason: dep!.reason! }).action).toBe('cancel');
  });

  it('running and unknown jobs need no action yet', () => {
    expect(assessJob({ state: parseJobState('R') })).toMatchObject({ outcome: 'active', action: 'keep-watching' });
    expect(assessJob({ state: parseJobState('???') })).toMatchObject({ outcome: 'active', action: 'keep-watching' });
    expect(assessJob({ state: parseJobState('DL') }).outcome).toBe('failure');
  });
});
