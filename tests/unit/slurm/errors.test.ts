import { describe, expect, it } from 'vitest';
import { checkControllerReachable } from '../../../src/slurm/errors.js';
import { ExitCode, RemoteError, AccountingUnavailableError, ControllerUnreachableError, SlurmCommandError } from '../../../src/errors.js';
import { fixture } from './fixtures.js';

// The stderr classifier is reached through checkControllerReachable, as every command reads it.
function classify(stderr: string) {
  return checkControllerReachable({ stdout: '', stderr, exitCode: 1 });
}

describe('checkControllerReachable classifies stderr', () => {
  it.each(['squeue-controller-down.stderr.txt', 'squeue-socket-timeout.stderr.txt', 'sbatch-controller-down.stderr.txt'])(
    '%s → ControllerUnreachableError',
    (name) => {
      expect(() => classify(fixture(name))).toThrow(ControllerUnreachableError);
    },
  );

  it.each([
    ['squeue-invalid-job-id.stderr.txt', 'invalid-job-id'],
    ['scancel-invalid.stderr.txt', 'invalid-job-id'],
    ['sacct-disabled.stderr.txt', 'accounting-disabled'],
    ['sacct-dbd-down.stderr.txt', 'database-unreachable'],
    ['sbatch-rejected-time.stderr.txt', 'submission-rejected'],
  ])('%s → %s', (name, kind) => {
    expect(classify(fixture(name))?.kind).toBe(kind);
  });

  it('keeps the relevant line and ignores empty stderr', () => {
    expect(classify(fixture('sacct-dbd-down.stderr.txt'))?.message).toBe(
      'sacct: error: Problem talking to the database: Connection refused',
    );
    expect(() => classify(fixture('squeue-controller-down.stderr.txt'))).toThrow(
      'SLURM controller unreachable: slurm_load_jobs error: Unable to contact slurm controller (connect failure)',
    );
    expect(classify('')).toBeUndefined();
    expect(classify('squeue: warning: something minor\n')).toBeUndefined();
    expect(classify('squeue: error: odd\n')).toEqual({ kind: 'other', message: 'squeue: error: odd' });
  });
});

describe('error classes', () => {
  it('ControllerUnreachableError is a RemoteError (exit 3) with a hint', () => {
    expect(() => checkControllerReachable({ stdout: '', stderr: fixture('squeue-controller-down.stderr.txt'), exitCode: 1 })).toThrow(
      ControllerUnreachableError,
    );
    const error = new ControllerUnreachableError('connect failure');
    expect(error).toBeInstanceOf(RemoteError);
    expect(error.exitCode).toBe(ExitCode.remote);
    expect(error.hint).toContain('retries');
    expect(error.message).toBe('SLURM controller unreachable: connect failure');
  });
  it('AccountingUnavailableError explains the fallback', () => {
    expect(new AccountingUnavailableError('accounting-disabled', 'x').hint).toContain('MinJobAge');
  });
  it('SlurmCommandError names the command and the first error line', () => {
    const stderr = 'squeue: error: Invalid user: bob2\n';
    const error = new SlurmCommandError('squeue', { stdout: '', stderr, exitCode: 1 }, classify(stderr));
    expect(error.message).toBe('squeue failed: squeue: error: Invalid user: bob2');
    expect(new SlurmCommandError('sinfo', { stdout: '', stderr: '', exitCode: null }, undefined).message).toBe('sinfo failed: exit code null');
  });
});
