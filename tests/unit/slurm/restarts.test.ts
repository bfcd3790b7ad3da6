// Restarts of requeued jobs from `sacct --duplicates`, and why a checkpointing job stopped
// requeueing itself (exit codes 90-93). The real outputs were captured on the test cluster
// (SLURM 22.05.8): job 4 submitted with --requeue and requeued twice by `scontrol requeue`, array
// 5 (tasks 5_0 and 5_1, raw ids 6 and 5) with task 1 requeued once; the "live" file while job 4
// was pending again and the tasks ran, the other after `scancel 4 5`, and plain sacct of the same
// jobs (sacct-requeued-plain-real-22.05.txt) for comparison.
import { describe, expect, it } from 'vitest';
import { SACCT_FIELDS, buildSacctArgs, findBatchStep, parseSacct, readSacctOutput } from '../../../src/slurm/sacct.js';
import { parseJobState } from '../../../src/slurm/job-state.js';
import { assessJob } from '../../../src/slurm/policy.js';
import {
  CHECKPOINT_STOP_REASONS,
  checkpointStopOfExit,
  explainCheckpointStop,
  isCheckpointStopReason,
} from '../../../src/slurm/checkpoint-stop.js';
import { fixture } from './fixtures.js';

function row(values: Partial<Record<(typeof SACCT_FIELDS)[number], string>>): string {
  return SACCT_FIELDS.map((key) => values[key] ?? '').join('|');
}

describe('sacct --duplicates', () => {
  it('is asked for by a flag', () => {
    expect(buildSacctArgs({ jobIds: ['4'], duplicates: true, delimiter: '|' })).toEqual([
      'sacct',
      '--parsable2',
      '--noheader',
      `--format=${SACCT_FIELDS.join(',')}`,
      '--jobs=4',
      '--duplicates',
    ]);
    expect(buildSacctArgs({ jobIds: ['4'] })).not.toContain('--duplicates');
  });

  it('groups the interleaved attempts of real output by job: the last row is the current attempt', () => {
    const jobs = parseSacct(fixture('sacct-duplicates-real-22.05.txt'), { duplicates: true });
    // One job per id, in the order each id first appeared.
    expect(jobs.map((j) => `${j.jobId}:${j.state.name}:${j.restarts}`)).toEqual(['4:CANCELLED:2', '5_0:CANCELLED:0', '5_1:CANCELLED:1']);
    const byId = new Map(jobs.map((j) => [j.jobId, j]));
    // Job 4's last attempt never started: none of the two earlier attempts' batch steps is its.
    expect(byId.get('4')).toMatchObject({ state: { name: 'CANCELLED', by: '1001' }, submitTime: '2026-12-01T14:40:51', steps: [] });
    expect(byId.get('4')?.startTime).toBeUndefined();
    // Task 1's current attempt has one batch step (3372K), not both attempts' (3384K was the first).
    const task1 = byId.get('5_1');
    expect(task1?.steps.map((s) => s.id)).toEqual(['5_1.batch']);
    expect(task1?.maxRssMiB).toBeCloseTo(3372 / 1024, 9);
    expect(task1).toMatchObject({ jobIdRaw: '5', startTime: '2026-12-01T14:40:47', elapsedSeconds: 13 });
    expect(task1 && findBatchStep(task1)?.elapsedSeconds).toBe(14);
  });

  it('counts restarts of jobs still pending or running again', () => {
    const jobs = parseSacct(fixture('sacct-duplicates-live-real-22.05.txt'), { duplicates: true });
    expect(jobs.map((j) => `${j.jobId}:${j.state.name}:${j.restarts}:${j.steps.length}`)).toEqual(['4:PENDING:2:0', '5_0:RUNNING:0:1', '5_1:RUNNING:1:1']);
  });

  it('reads the same current attempts as plain sacct (captured from the same jobs), which lists only those', () => {
    const plain = parseSacct(fixture('sacct-requeued-plain-real-22.05.txt'));
    const dup = parseSacct(fixture('sacct-duplicates-real-22.05.txt'), { duplicates: true });
    const strip = (jobs: typeof dup) => new Map(jobs.map(({ restarts: _r, ...rest }) => [rest.jobId, rest]));
    expect(strip(dup)).toEqual(strip(plain));
    // Without --duplicates nothing says whether the job restarted: unknown, not 0.
    expect(plain.every((j) => j.restarts === undefined)).toBe(true);
  });

  it('knows 0 restarts only when the output came from --duplicates', () => {
    const text = `${row({ JobID: '9', JobIDRaw: '9', State: 'COMPLETED', ExitCode: '0:0' })}\n`;
    expect(parseSacct(text)[0]?.restarts).toBeUndefined();
    expect(parseSacct(text, { duplicates: true })[0]?.restarts).toBe(0);
    expect(readSacctOutput({ stdout: text, stderr: '', exitCode: 0 }, { duplicates: true })).toMatchObject({ kind: 'ok', jobs: [{ restarts: 0 }] });
  });

  it('counts preemptions and node failures that SLURM requeued, but not an older job that reused the id', () => {
    const text = [
      row({ JobID: '7', JobIDRaw: '7', State: 'COMPLETED', ExitCode: '0:0', Submit: '2025-01-01T00:00:00' }),
      row({ JobID: '7', JobIDRaw: '7', State: 'PREEMPTED', ExitCode: '0:0' }),
      row({ JobID: '7', JobIDRaw: '7', State: 'NODE_FAIL', ExitCode: '0:0' }),
      row({ JobID: '7', JobIDRaw: '7', State: 'REQUEUED', ExitCode: '0:0' }),
      row({ JobID: '7', JobIDRaw: '7', State: 'FAILED', ExitCode: '92:0' }),
      row({ JobID: '7.batch', JobIDRaw: '7.batch', State: 'FAILED', ExitCode: '92:0' }),
    ].join('\n');
    const [job] = parseSacct(text, { duplicates: true });
    expect(job).toMatchObject({ restarts: 3, state: { name: 'FAILED' }, exitCode: { code: 92, signal: 0 } });
    expect(job?.steps).toHaveLength(1);
    // One earlier attempt: a requeue counts as a restart, a cancel (the id reused) does not.
    const twoAttempts = (earlier: string) =>
      [
        row({ JobID: '8', JobIDRaw: '8', State: earlier, ExitCode: '0:0' }),
        row({ JobID: '8', JobIDRaw: '8', State: 'COMPLETED', ExitCode: '0:0' }),
      ].join('\n');
    expect(parseSacct(twoAttempts('REQUEUED'), { duplicates: true })[0]?.restarts).toBe(1);
    expect(parseSacct(twoAttempts('CANCELLED by 0'), { duplicates: true })[0]?.restarts).toBe(0);
  });
});

describe('checkpoint stop codes', () => {
  // The exit codes partials/checkpoint.njk ends the job script with, one per stop reason.
  const EXIT_CODES: Record<(typeof CHECKPOINT_STOP_REASONS)[number], number> = {
    'requeue-disabled': 90,
    'requeue-failed': 91,
    'max-restarts': 92,
    'no-progress': 93,
  };

  it('maps 90-93 without a signal to the stop reasons, and nothing else', () => {
    expect(CHECKPOINT_STOP_REASONS.map((r) => EXIT_CODES[r])).toEqual([90, 91, 92, 93]);
    expect(checkpointStopOfExit({ code: 90, signal: 0 })).toBe('requeue-disabled');
    expect(checkpointStopOfExit({ code: 91, signal: 0 })).toBe('requeue-failed');
    expect(checkpointStopOfExit({ code: 92, signal: 0 })).toBe('max-restarts');
    expect(checkpointStopOfExit({ code: 93, signal: 0 })).toBe('no-progress');
    expect(checkpointStopOfExit({ code: 92, signal: 9 })).toBeUndefined();
    expect(checkpointStopOfExit({ code: 94, signal: 0 })).toBeUndefined();
    expect(checkpointStopOfExit(undefined)).toBeUndefined();
    expect(isCheckpointStopReason('no-progress')).toBe(true);
    expect(isCheckpointStopReason('requeued')).toBe(false);
  });

  it('says why in plain words and what to do, with the restart count when known', () => {
    expect(explainCheckpointStop('max-restarts', 10).advice).toBe('stopped after 10 restarts (checkpoint.max_restarts): raise it, or give the job a longer --time');
    expect(explainCheckpointStop('max-restarts', 1).advice).toMatch(/^stopped after 1 restart \(/);
    expect(explainCheckpointStop('max-restarts').advice).toMatch(/^stopped at its restart limit \(checkpoint.max_restarts\)/);
    expect(explainCheckpointStop('max-restarts', 0).advice).toBe('stopped without restarting (checkpoint.max_restarts is 0): raise it, or give the job a longer --time');
    expect(explainCheckpointStop('no-progress', 3).advice).toBe(
      'no progress since restart 3: the workload did not write a checkpoint into $HPCBENCH_CHECKPOINT_DIR — see docs/checkpointing.md',
    );
    expect(explainCheckpointStop('no-progress').advice).toMatch(/^no progress in its last attempt: /);
    expect(explainCheckpointStop('requeue-failed').advice).toMatch(/^scontrol requeue failed: the work done so far is in the checkpoint directory; resubmit to resume/);
    expect(explainCheckpointStop('requeue-disabled').advice).toMatch(/^checkpointed and stopped \(requeue: false\): resubmit to resume/);
    for (const reason of CHECKPOINT_STOP_REASONS) {
      expect(explainCheckpointStop(reason, 2).title).toContain(`exit code ${EXIT_CODES[reason]}`);
    }
  });
});

describe('assessJob for checkpointing jobs', () => {
  const failed = (code: number, restarts?: number) => ({ state: parseJobState('FAILED'), exitCode: { code, signal: 0 }, ...(restarts === undefined ? {} : { restarts }) });

  it('explains exit codes 90-93 of a job rendered with checkpoint:', () => {
    expect(assessJob(failed(92, 10), { checkpointing: true })).toMatchObject({
      outcome: 'failure',
      action: 'raise-max-restarts',
      checkpointStop: 'max-restarts',
      title: 'stopped after 10 restarts (exit code 92)',
      advice: 'stopped after 10 restarts (checkpoint.max_restarts): raise it, or give the job a longer --time',
    });
    expect(assessJob(failed(93, 4), { checkpointing: true })).toMatchObject({ action: 'fix-and-resubmit', checkpointStop: 'no-progress', advice: expect.stringMatching(/^no progress since restart 4: /) });
    expect(assessJob(failed(91), { checkpointing: true })).toMatchObject({ action: 'resubmit-to-resume', checkpointStop: 'requeue-failed' });
    expect(assessJob(failed(90), { checkpointing: true })).toMatchObject({ action: 'resubmit-to-resume', checkpointStop: 'requeue-disabled' });
  });

  it('leaves 90-93 to the workload when the job does not checkpoint', () => {
    for (const context of [{}, { checkpointing: false }]) {
      const verdict = assessJob(failed(92, 1), context);
      expect(verdict).toMatchObject({ action: 'fix-and-resubmit', title: 'failed (exit code 92)' });
      expect(verdict.checkpointStop).toBeUndefined();
    }
  });

  it('says how many restarts a completed job took', () => {
    expect(assessJob({ state: parseJobState('COMPLETED'), restarts: 2 }).title).toBe('completed after 2 restarts');
    expect(assessJob({ state: parseJobState('COMPLETED'), restarts: 1 }).title).toBe('completed after 1 restart');
    expect(assessJob({ state: parseJobState('COMPLETED'), restarts: 0 }).title).toBe('completed');
  });
});
