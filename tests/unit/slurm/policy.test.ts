import { describe, expect, it } from 'vitest';
import { assessJob } from '../../../src/slurm/policy.js';
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

// The suggestions and the memory-kill check are reached through assessJob, as src/runs sees them.
function afterTimeout(elapsedSeconds: number, timeLimitSeconds?: number, partitionMaxSeconds?: number) {
  return assessJob(
    { state: parseJobState('TIMEOUT'), elapsedSeconds, ...(timeLimitSeconds === undefined ? {} : { timeLimitSeconds }) },
    partitionMaxSeconds === undefined ? {} : { partitionMaxSeconds },
  );
}

function afterMemoryKill(maxRssMiB: number, reqMemMiB: number, nodeMemoryMiB?: number) {
  return assessJob({ state: parseJobState('OUT_OF_MEMORY'), maxRssMiB, reqMemMiB }, nodeMemoryMiB === undefined ? {} : { nodeMemoryMiB });
}

describe('suggestions', () => {
  it('rounds time limits to units people write', () => {
    // 1.5x the time used: 90 s (the 60 s floor), 3600, 3601.5 and 21 601.5 s before rounding.
    expect(afterTimeout(40).suggestedTimeSeconds).toBe(300);
    expect(afterTimeout(2400).suggestedTimeSeconds).toBe(3600);
    expect(afterTimeout(2401).suggestedTimeSeconds).toBe(4500);
    expect(afterTimeout(14_401).suggestedTimeSeconds).toBe(7 * 3600);
  });

  it('asks for 1.5× the time used, above the old limit, capped at the partition maximum', () => {
    expect(afterTimeout(91, 60)).toMatchObject({ action: 'increase-time', suggestedTimeSeconds: 300, advice: 'ask for time: 00:05:00' });
    expect(afterTimeout(7200, 7200)).toMatchObject({ action: 'increase-time', suggestedTimeSeconds: 10_800, advice: 'ask for time: 03:00:00' });
    const capped = afterTimeout(40 * 3600, 40 * 3600, 48 * 3600);
    expect(capped).toMatchObject({ action: 'increase-time', suggestedTimeSeconds: 48 * 3600 });
    expect(capped.advice).toContain('(the partition maximum');
    const exhausted = afterTimeout(48 * 3600, 48 * 3600, 48 * 3600);
    expect(exhausted.action).toBe('fix-and-resubmit');
    expect(exhausted.suggestedTimeSeconds).toBeUndefined();
  });

  it('asks for small jobs in 256 MiB steps', () => {
    expect(afterMemoryKill(1.06, 100).suggestedMemMiB).toBe(256);
    expect(afterMemoryKill(600, 512).suggestedMemMiB).toBe(1024);
  });

  it('asks for 1.5× the larger of peak and request, in whole GiB, capped at the node', () => {
    expect(afterMemoryKill(1023.5, 1024)).toMatchObject({ action: 'increase-memory', suggestedMemMiB: 2048, advice: 'ask for memory: 2G' });
    expect(afterMemoryKill(30_000, 32_768)).toMatchObject({ action: 'increase-memory', suggestedMemMiB: 49_152, advice: 'ask for memory: 48G' });
    const capped = afterMemoryKill(60_000, 64_000, 80_000);
    expect(capped).toMatchObject({ action: 'increase-memory', suggestedMemMiB: 80_000 });
    expect(capped.advice).toContain('(all of a node)');
    const exhausted = afterMemoryKill(60_000, 80_000, 80_000);
    expect(exhausted.action).toBe('fix-and-resubmit');
    expect(exhausted.suggestedMemMiB).toBeUndefined();
  });
});

describe('memory kills', () => {
  // Only a memory kill is judged by assessMemory, whose title says so.
  const killedForMemory = (facts: Parameters<typeof assessJob>[0]) => assessJob(facts).title.startsWith('killed for exceeding its memory');

  it('recognises OUT_OF_MEMORY, the OverMemoryKill form, and the log message', () => {
    expect(killedForMemory(factsFor('204'))).toBe(true);
    expect(killedForMemory(factsFor('205'))).toBe(true);
    expect(killedForMemory({ state: parseJobState('FAILED'), outputTail: 'slurmstepd: error: Exceeded job memory limit\n' })).toBe(true);
    expect(killedForMemory(factsFor('202'))).toBe(false);
    expect(killedForMemory(factsFor('203'))).toBe(false);
    expect(killedForMemory({ state: parseJobState('COMPLETED'), outputTail: 'Exceeded job memory limit' })).toBe(false);
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
