import { describe, expect, it } from 'vitest';
import { buildSbatchArgs, parseSbatchTestOnly, readSbatchOutput, type Dependency } from '../../../src/slurm/sbatch.js';
import { InputError, SbatchRejectedError, ControllerUnreachableError, SlurmFormatError } from '../../../src/errors.js';
import { shellCommand } from '../../../src/shell-quote.js';
import { fixture } from './fixtures.js';

// Dependencies reach sbatch only as its --dependency flag.
function dependencyFlag(dependency: Dependency): string | undefined {
  return buildSbatchArgs({ script: 's', dependency }).find((arg) => arg.startsWith('--dependency='));
}

// What `sbatch --parsable` printed, read as a successful submission.
function readParsable(stdout: string) {
  return readSbatchOutput('s', { stdout, stderr: '', exitCode: 0 });
}

describe('buildSbatchArgs', () => {
  it('puts --parsable first and the script last', () => {
    expect(buildSbatchArgs({ script: 'job.slurm' })).toEqual(['sbatch', '--parsable', 'job.slurm']);
  });

  it('maps every option to one argv element', () => {
    const args = buildSbatchArgs({
      script: '/scratch/p/u/run 1/job.slurm',
      scriptArgs: ['--epochs', '3'],
      testOnly: true,
      jobName: 'hpcbench-r1-lora',
      comment: 'hpcbench:r1 sweep a',
      partition: 'sequana_gpu',
      account: 'proj1',
      time: 5400,
      nodes: 1,
      cpusPerTask: 8,
      mem: '64G',
      gpusPerNode: 1,
      exclude: ['node03', 'node04'],
      chdir: '/scratch/p/u/run 1',
      array: { indices: '0-9', maxConcurrent: 4 },
      dependency: { all: [{ type: 'afterok', jobIds: ['1', '2'] }] },
      export: { vars: { HF_HUB_OFFLINE: '1', TRANSFORMERS_OFFLINE: '1' } },
      signal: 'B:USR1@300',
      requeue: false,
      extra: ['--mail-type=END'],
    });
    expect(args).toEqual([
      'sbatch',
      '--parsable',
      '--test-only',
      '--job-name=hpcbench-r1-lora',
      '--comment=hpcbench:r1 sweep a',
      '--partition=sequana_gpu',
      '--account=proj1',
      '--time=01:30:00',
      '--nodes=1',
      '--cpus-per-task=8',
      '--mem=64G',
      '--gpus-per-node=1',
      '--exclude=node03,node04',
      '--chdir=/scratch/p/u/run 1',
      '--array=0-9%4',
      '--dependency=afterok:1:2',
      '--export=ALL,HF_HUB_OFFLINE=1,TRANSFORMERS_OFFLINE=1',
      '--no-requeue',
      '--signal=B:USR1@300',
      '--mail-type=END',
      '/scratch/p/u/run 1/job.slurm',
      '--epochs',
      '3',
    ]);
    // The transport quotes each element; values with spaces stay one word.
    expect(shellCommand(args)).toContain("'--comment=hpcbench:r1 sweep a'");
  });

  it('passes time text through and formats dependencies', () => {
    expect(buildSbatchArgs({ script: 's', time: '1-00:00:00', parsable: false })).toEqual(['sbatch', '--time=1-00:00:00', 's']);
    expect(dependencyFlag({ any: [{ type: 'afterok', jobIds: ['5'] }, { type: 'afternotok', jobIds: ['6_2'] }] })).toBe(
      '--dependency=afterok:5?afternotok:6_2',
    );
    expect(dependencyFlag({ singleton: true })).toBe('--dependency=singleton');
    expect(buildSbatchArgs({ script: 's', export: 'NONE' })).toContain('--export=NONE');
    expect(buildSbatchArgs({ script: 's', export: { vars: { A: 'x' }, inherit: false } })).toContain('--export=A=x');
    expect(buildSbatchArgs({ script: 's', array: '1,3,5' })).toContain('--array=1,3,5');
  });

  it('rejects values sbatch would misread', () => {
    expect(() => buildSbatchArgs({ script: 's', export: { vars: { A: 'x,y' } } })).toThrow(/splits at commas/);
    expect(() => buildSbatchArgs({ script: 's', export: { vars: { '1A': 'x' } } })).toThrow(SlurmFormatError);
    expect(() => dependencyFlag({ all: [{ type: 'afterok', jobIds: [] }] })).toThrow(/at least one job id/);
    expect(() => dependencyFlag({ all: [{ type: 'afterok', jobIds: ['1;rm'] }] })).toThrow(SlurmFormatError);
    expect(() => buildSbatchArgs({ script: 's', extra: ['rm -rf'] })).toThrow(/flag starting with -/);
  });
});

describe('sbatch outputs', () => {
  it('reads --parsable ids with and without cluster', () => {
    expect(readParsable(fixture('sbatch-parsable.txt'))).toEqual({ jobId: '123' });
    expect(readParsable(fixture('sbatch-parsable-cluster.txt'))).toEqual({ jobId: '123', cluster: 'sdumont' });
  });

  it('reports garbage on stdout as an InputError with the text', () => {
    expect(() => readParsable('Welcome to the cluster!\n')).toThrow(InputError);
    expect(() => readParsable('Welcome to the cluster!\n')).toThrow(/sbatch --parsable output:1: expected a job id/);
    expect(() => readParsable('')).toThrow(/found ""/);
  });

  it('reads --test-only estimates', () => {
    const result = parseSbatchTestOnly({ stdout: '', stderr: fixture('sbatch-test-only.stderr.txt') });
    expect(result).toEqual({
      ok: true,
      jobId: '3',
      startTime: '2026-11-24T06:20:01',
      processors: 8,
      nodes: 'sdumont8001',
      partition: 'sequana_gpu',
    });
  });

  it('turns sbatch errors into structured text', () => {
    expect(parseSbatchTestOnly({ stdout: '', stderr: fixture('sbatch-rejected-partition.stderr.txt') })).toEqual({
      ok: false,
      errors: ['invalid partition specified: sequana_gpux', 'Batch job submission failed: Invalid partition name specified'],
    });
    const result = parseSbatchTestOnly({ stdout: '', stderr: fixture('sbatch-rejected-time.stderr.txt') });
    expect(result).toEqual({
      ok: false,
      errors: ['Batch job submission failed: Requested time limit is invalid (missing or exceeds some limit)'],
    });
  });

  it('reads the refusal --test-only prints without the sbatch prefix (real 22.05 output)', () => {
    expect(parseSbatchTestOnly({ stdout: '', stderr: fixture('sbatch-test-only-bad-partition.stderr.txt') })).toEqual({
      ok: false,
      errors: ['invalid partition specified: nope', 'Invalid partition name specified'],
    });
  });

  it('throws SbatchRejectedError (exit 1) naming the script and reasons', () => {
    const output = { stdout: '', stderr: fixture('sbatch-rejected-partition.stderr.txt'), exitCode: 1 };
    expect(() => readSbatchOutput('lora.slurm', output)).toThrow(SbatchRejectedError);
    try {
      readSbatchOutput('lora.slurm', output);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(SbatchRejectedError);
      expect((error as SbatchRejectedError).message).toContain('lora.slurm');
      expect((error as SbatchRejectedError).errors).toEqual([
        'invalid partition specified: sequana_gpux',
        'Batch job submission failed: Invalid partition name specified',
      ]);
      expect((error as SbatchRejectedError).exitCode).toBe(1);
      expect((error as SbatchRejectedError).hint).toContain('--test-only');
    }
  });

  it('treats a controller that does not answer as unreachable, not as a rejection', () => {
    const output = { stdout: '', stderr: fixture('sbatch-controller-down.stderr.txt'), exitCode: 1 };
    expect(() => readSbatchOutput('lora.slurm', output)).toThrow(ControllerUnreachableError);
  });

  it('returns the id of a successful submission', () => {
    expect(readSbatchOutput('s', { stdout: '42\n', stderr: '', exitCode: 0 })).toEqual({ jobId: '42' });
  });
});
