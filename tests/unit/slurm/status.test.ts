import { describe, expect, it } from 'vitest';
import { fetchJobViews } from '../../../src/slurm/status.js';
import { mergeJobViews } from '../../../src/slurm/merge.js';
import { ControllerUnreachableError, type SlurmCommandOutput } from '../../../src/slurm/errors.js';
import { parseSqueue } from '../../../src/slurm/squeue.js';
import { parseSacct } from '../../../src/slurm/sacct.js';
import { fixture } from './fixtures.js';

function fakeRun(answers: Record<string, SlurmCommandOutput>) {
  const calls: string[][] = [];
  const run = async (argv: readonly string[]): Promise<SlurmCommandOutput> => {
    calls.push([...argv]);
    const answer = answers[argv[0] ?? ''];
    if (!answer) throw new Error(`unexpected command ${argv.join(' ')}`);
    return answer;
  };
  return { run, calls };
}

const ok = (stdout: string): SlurmCommandOutput => ({ stdout, stderr: '', exitCode: 0 });
const realSqueue = fixture('squeue-real-22.05.txt');
const realSacct = fixture('sacct-real-22.05.txt');

describe('fetchJobViews', () => {
  it('uses one squeue call when every job is live', async () => {
    const live = realSqueue
      .split('\n')
      .filter((l) => /RUNNING|PENDING/.test(l))
      .join('\n');
    const { run, calls } = fakeRun({ squeue: ok(live) });
    const result = await fetchJobViews(run, ['13', '18', '19']);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.[0]).toBe('squeue');
    expect(calls[0]).toContain('--jobs=13,18,19');
    expect(result).toMatchObject({ accounting: 'not-needed', commands: 1, agedOut: false });
    expect(result.views.map((v) => v.state.name)).toEqual(['RUNNING', 'PENDING', 'PENDING']);
  });

  it('asks sacct once, only about finished or missing jobs', async () => {
    const { run, calls } = fakeRun({ squeue: ok(realSqueue), sacct: ok(realSacct) });
    // Job 2 has aged out of squeue; job 14 is still there but finished.
    const result = await fetchJobViews(run, ['13', '2', '14', '404'], { since: '2026-11-24T06:00:00' });
    expect(calls.map((c) => c[0])).toEqual(['squeue', 'sacct']);
    expect(calls[1]).toContain('--jobs=2,14,404');
    expect(calls[1]).toContain('--starttime=2026-11-24T06:00:00');
    // Earlier attempts of requeued jobs come in the same call: restarts, 0 when none.
    expect(calls[1]).toContain('--duplicates');
    expect(result.views.find((v) => v.id === '2')?.records[0]?.restarts).toBe(0);
    expect(result.accounting).toBe('used');
    expect(result.views.map((v) => `${v.id}:${v.state.name}:${v.source}`)).toEqual([
      '13:RUNNING:squeue',
      '2:FAILED:sacct',
      '14:OUT_OF_MEMORY:squeue',
      '404:UNKNOWN:none',
    ]);
  });

  it('falls back to squeue alone when accounting is disabled, and can skip sacct afterwards', async () => {
    const disabled = { stdout: '', stderr: fixture('sacct-disabled.stderr.txt'), exitCode: 1 };
    const { run } = fakeRun({ squeue: ok(realSqueue), sacct: disabled });
    const result = await fetchJobViews(run, ['12', '404']);
    expect(result).toMatchObject({ accounting: 'unavailable', accountingMessage: expect.stringContaining('disabled') });
    expect(result.views.map((v) => `${v.id}:${v.state.name}:${v.source}`)).toEqual(['12:FAILED:squeue', '404:UNKNOWN:none']);
    expect(result.views[1]?.note).toContain('MinJobAge');
    const again = fakeRun({ squeue: ok(realSqueue) });
    const off = await fetchJobViews(again.run, ['12'], { accounting: 'off' });
    expect(again.calls).toHaveLength(1);
    expect(off.accounting).toBe('off');
  });

  it('handles a single aged-out id (squeue exits 1) by asking sacct', async () => {
    const { run } = fakeRun({
      squeue: { stdout: '', stderr: fixture('squeue-invalid-job-id.stderr.txt'), exitCode: 1 },
      sacct: ok(realSacct),
    });
    const result = await fetchJobViews(run, ['3']);
    expect(result.agedOut).toBe(true);
    expect(result.views[0]).toMatchObject({ state: { name: 'TIMEOUT' }, source: 'sacct' });
  });

  it('lets ControllerUnreachableError through for the poller to retry', async () => {
    const { run } = fakeRun({ squeue: { stdout: '', stderr: fixture('squeue-controller-down.stderr.txt'), exitCode: 1 } });
    await expect(fetchJobViews(run, ['1'])).rejects.toBeInstanceOf(ControllerUnreachableError);
  });

  it('runs nothing for no jobs', async () => {
    const { run, calls } = fakeRun({});
    expect((await fetchJobViews(run, [])).views).toEqual([]);
    expect(calls).toHaveLength(0);
  });
});

describe('squeue vs sacct precedence', () => {
  const squeue = parseSqueue(realSqueue);
  const sacct = parseSacct(realSacct);
  // The fixtures come from two runs of the test cluster; give sacct's failed job 2 squeue's id 12.
  const sacctAs12 = sacct.filter((j) => j.jobId === '2').map((j) => ({ ...j, jobId: '12', jobIdRaw: '12' }));

  it('takes sacct once both say the job is over (exit codes, steps)', () => {
    const [view] = mergeJobViews(squeue, sacctAs12, ['12']);
    expect(view).toMatchObject({ source: 'sacct', state: { name: 'FAILED' } });
    expect(view?.records[0]).toHaveProperty('steps');
  });

  it('keeps squeue while sacct lags behind', () => {
    const lagging = sacctAs12.map((j) => ({ ...j, jobId: '13', jobIdRaw: '13', state: { name: 'PENDING' as const } }));
    const [view] = mergeJobViews(squeue, lagging, ['13']);
    expect(view).toMatchObject({ source: 'squeue', state: { name: 'RUNNING' } });
    expect(view?.records).toHaveLength(1);
  });
});
