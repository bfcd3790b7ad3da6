import { describe, expect, it } from 'vitest';
import { idsNeedingAccounting, mergeJobViews } from '../../../src/slurm/merge.js';
import { parseSacct } from '../../../src/slurm/sacct.js';
import type { SlurmJobRecord } from '../../../src/slurm/job-record.js';
import { parseJobState } from '../../../src/slurm/job-state.js';
import { fixture } from './fixtures.js';
import { readSqueueRecords } from './squeue-rows.js';

function rec(jobId: string, state: string, source: SlurmJobRecord['source'], extra: Partial<SlurmJobRecord> = {}): SlurmJobRecord {
  return { jobId, name: 'j', state: parseJobState(state), source, ...extra };
}

describe('mergeJobViews', () => {
  it('prefers squeue for live jobs and sacct for jobs squeue forgot', () => {
    const squeue = [rec('1', 'RUNNING', 'squeue')];
    const sacct = [rec('1', 'PENDING', 'sacct'), rec('2', 'COMPLETED', 'sacct')];
    const views = mergeJobViews(squeue, sacct, ['1', '2']);
    expect(views.map((v) => [v.id, v.state.name, v.source])).toEqual([
      ['1', 'RUNNING', 'squeue'],
      ['2', 'COMPLETED', 'sacct'],
    ]);
    expect(views[0]?.records).toHaveLength(1);
  });

  it('marks jobs found nowhere as UNKNOWN with a note', () => {
    const [view] = mergeJobViews([], undefined, ['9']);
    expect(view?.state).toEqual({ name: 'UNKNOWN', raw: 'not found' });
    expect(view?.source).toBe('none');
    expect(view?.note).toContain('accounting is unavailable');
    expect(view?.note).toContain('MinJobAge');
    expect(mergeJobViews([], [], ['9'])[0]?.note).toContain('neither squeue nor sacct');
    expect(mergeJobViews(undefined, [], ['9'])[0]?.note).toBe('job 9 is not in sacct');
  });

  it('works without accounting (sacct undefined) and without squeue', () => {
    expect(mergeJobViews([rec('3', 'R', 'squeue')], undefined, ['3'])[0]?.state.name).toBe('RUNNING');
    expect(mergeJobViews(undefined, [rec('3', 'CD', 'sacct')], ['3'])[0]?.source).toBe('sacct');
    expect(mergeJobViews(undefined, undefined, ['3'])[0]?.note).toContain('no SLURM command');
  });

  it('summarises an array from both sources: live squeue tasks and aged-out sacct tasks', () => {
    const squeue = readSqueueRecords(fixture('squeue-mixed.txt')).filter((r) => r.arrayJobId === '104');
    const sacct = [
      rec('104_[1-9]', 'PENDING', 'sacct', { arrayJobId: '104', arrayTaskId: '1-9', arrayPendingRange: true }),
      rec('104_0', 'FAILED', 'sacct', { arrayJobId: '104', arrayTaskId: '0', jobIdRaw: '150' }),
      rec('104_1', 'PENDING', 'sacct', { arrayJobId: '104', arrayTaskId: '1', jobIdRaw: '105' }),
    ];
    const [view] = mergeJobViews(squeue, sacct, ['104']);
    expect(view?.records.map((r) => `${r.jobId}:${r.state.name}:${r.source}`).sort()).toEqual([
      '104_0:FAILED:sacct',
      '104_1:RUNNING:squeue',
      '104_2:COMPLETED:squeue',
      '104_[3-9%2]:PENDING:squeue',
    ]);
    expect(view?.state.name).toBe('RUNNING');
    expect(view?.source).toBe('squeue');
    expect(view?.note).toBe('tasks from sacct and squeue');
  });

  it('gives a finished array its worst outcome', () => {
    const sacct = parseSacct(fixture('sacct-parsable2.txt'));
    const done = sacct.filter((j) => j.arrayJobId === '210' && j.jobId !== '210_2' && !j.arrayPendingRange);
    expect(mergeJobViews([], done, ['210'])[0]?.state.name).toBe('FAILED');
    const all = mergeJobViews([], sacct, ['210', '230', '201']);
    expect(all.map((v) => v.state.name)).toEqual(['RUNNING', 'COMPLETED', 'COMPLETED']);
    expect(all[1]?.records.map((r) => r.jobId)).toEqual(['230+0', '230+1']);
  });

  it('keeps a submitted array task separate from its siblings', () => {
    const sacct = [rec('5_1', 'COMPLETED', 'sacct'), rec('5_2', 'FAILED', 'sacct')];
    expect(mergeJobViews([], sacct, ['5_2'])[0]?.records.map((r) => r.jobId)).toEqual(['5_2']);
  });

  it("summarises an array's task states by liveness, then by severity", () => {
    const arrayState = (...states: string[]) =>
      mergeJobViews([], states.map((state, i) => rec(`7_${i}`, state, 'sacct', { arrayJobId: '7', arrayTaskId: String(i) })), ['7'])[0]
        ?.state.name;
    expect(arrayState('COMPLETED', 'PENDING')).toBe('PENDING');
    expect(arrayState('COMPLETED', 'TIMEOUT', 'CANCELLED')).toBe('TIMEOUT');
  });
});

describe('idsNeedingAccounting', () => {
  it('asks sacct only about jobs missing from squeue or finished there', () => {
    const squeue = [rec('1', 'RUNNING', 'squeue'), rec('2', 'COMPLETED', 'squeue')];
    expect(idsNeedingAccounting(squeue, ['1', '2', '3'])).toEqual(['2', '3']);
  });
});
