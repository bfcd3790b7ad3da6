import { ControllerUnreachableError } from '../../../src/errors.js';
import { describe, expect, it } from 'vitest';
import { mergeJobViews } from '../../../src/slurm/merge.js';
import { parseSacct } from '../../../src/slurm/sacct.js';
import { planResubmit, queryJobs, statusRun, watchRun, type RunRecord } from '../../../src/runs/index.js';
import { createRunRecord } from '../../../src/runs/run-record.js';
import { writeRunRecord } from '../../../src/runs/registry.js';
import { formatAccountingStartTime } from '../../../src/runs/query.js';
import type { ExecResult, Transport } from '../../../src/transport/transport.js';
import { asFollowFields, fixture } from '../slurm/fixtures.js';
import { readSqueueRecords } from '../slurm/squeue-rows.js';
import { CLUSTER, createExecOnlyTransport, makeRenderedRun, noSleep } from './helpers.js';
import { FakeCluster } from './fake-cluster.js';

/** A transport that answers each command by its program name with a recorded output. */
function answering(answers: Record<string, ExecResult>): { transport: Transport; calls: string[][] } {
  const calls: string[][] = [];
  const transport = createExecOnlyTransport(async (argv) => {
    calls.push([...argv]);
    const answer = answers[argv[0] ?? ''];
    if (!answer) throw new Error(`unexpected command ${argv.join(' ')}`);
    return answer;
  });
  return { transport, calls };
}

const ok = (stdout: string): ExecResult => ({ stdout, stderr: '', code: 0 });
const realSqueue = fixture('squeue-real-22.05.txt');
const realSacct = fixture('sacct-real-22.05.txt');
/** What queryJobs' sacct call prints for the same jobs (it asks for no TRES column). */
const realSacctFollow = asFollowFields(realSacct);

describe('queryJobs', () => {
  it('uses one squeue call when every job is live', async () => {
    const live = realSqueue
      .split('\n')
      .filter((l) => /RUNNING|PENDING/.test(l))
      .join('\n');
    const { transport, calls } = answering({ squeue: ok(live) });
    const result = await queryJobs(transport, ['13', '18', '19']);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.[0]).toBe('squeue');
    expect(calls[0]).toContain('--jobs=13,18,19');
    expect(result.accounting).toBe('not-asked');
    expect(result.views.map((v) => v.state.name)).toEqual(['RUNNING', 'PENDING', 'PENDING']);
  });

  it('asks sacct once, only about finished or missing jobs, since the run was created', async () => {
    const { transport, calls } = answering({ squeue: ok(realSqueue), sacct: ok(realSacctFollow) });
    // Job 2 has aged out of squeue; job 14 is still there but finished.
    const createdAt = new Date(Date.now() - 90 * 60_000).toISOString();
    const result = await queryJobs(transport, ['13', '2', '14', '404'], { runCreatedAt: createdAt });
    expect(calls.map((c) => c[0])).toEqual(['squeue', 'sacct']);
    expect(calls[1]).toContain('--jobs=2,14,404');
    const startTime = calls[1]?.find((a) => a.startsWith('--starttime='));
    // 90 minutes ago plus the slack (a slow test may have crossed one more minute).
    expect(startTime).toMatch(/^--starttime=now-9[23]minutes$/);
    // Earlier attempts of requeued jobs come in the same call: restarts, 0 when none.
    expect(calls[1]).toContain('--duplicates');
    expect(result.views.find((v) => v.id === '2')?.records[0]?.restarts).toBe(0);
    expect(result.accounting).toBe('ok');
    expect(result.views.map((v) => `${v.id}:${v.state.name}:${v.source}`)).toEqual([
      '13:RUNNING:squeue',
      '2:FAILED:sacct',
      '14:OUT_OF_MEMORY:squeue',
      '404:UNKNOWN:none',
    ]);
  });

  it('falls back to squeue alone when accounting is disabled, and can skip sacct afterwards', async () => {
    const disabled = { stdout: '', stderr: fixture('sacct-disabled.stderr.txt'), code: 1 };
    const { transport } = answering({ squeue: ok(realSqueue), sacct: disabled });
    const result = await queryJobs(transport, ['12', '404']);
    expect(result).toMatchObject({ accounting: 'unavailable', accountingMessage: expect.stringContaining('disabled') });
    expect(result.views.map((v) => `${v.id}:${v.state.name}:${v.source}`)).toEqual(['12:FAILED:squeue', '404:UNKNOWN:none']);
    expect(result.views[1]?.note).toContain('MinJobAge');
    const again = answering({ squeue: ok(realSqueue) });
    const off = await queryJobs(again.transport, ['12'], { useAccounting: false });
    expect(again.calls).toHaveLength(1);
    expect(off.accounting).toBe('not-asked');
  });

  it('handles a single aged-out id (squeue exits 1) by asking sacct', async () => {
    const { transport } = answering({
      squeue: { stdout: '', stderr: fixture('squeue-invalid-job-id.stderr.txt'), code: 1 },
      sacct: ok(realSacctFollow),
    });
    const result = await queryJobs(transport, ['3']);
    expect(result.views[0]).toMatchObject({ state: { name: 'TIMEOUT' }, source: 'sacct' });
  });

  it('lets ControllerUnreachableError through for the poller to retry', async () => {
    const { transport } = answering({ squeue: { stdout: '', stderr: fixture('squeue-controller-down.stderr.txt'), code: 1 } });
    await expect(queryJobs(transport, ['1'])).rejects.toBeInstanceOf(ControllerUnreachableError);
  });

  it('runs nothing for no jobs', async () => {
    const { transport, calls } = answering({});
    expect((await queryJobs(transport, [])).views).toEqual([]);
    expect(calls).toHaveLength(0);
  });
});

describe('formatAccountingStartTime', () => {
  const created = '2026-11-24T06:00:00.000Z';

  it('counts whole minutes back from the cluster clock, rounded up, plus two of slack', () => {
    expect(formatAccountingStartTime(created, new Date('2026-11-24T06:00:00.000Z'))).toBe('now-2minutes');
    expect(formatAccountingStartTime(created, new Date('2026-11-24T06:00:01.000Z'))).toBe('now-3minutes');
    expect(formatAccountingStartTime(created, new Date('2026-11-25T06:00:00.000Z'))).toBe('now-1442minutes');
  });

  it('never looks into the future when this clock is behind the creation time', () => {
    expect(formatAccountingStartTime(created, new Date('2026-11-24T05:00:00.000Z'))).toBe('now-2minutes');
  });

  it('gives no start time for a creation time that is not a time', () => {
    expect(formatAccountingStartTime('yesterday-ish', new Date())).toBeUndefined();
  });
});

describe('the product paths ask sacct with --starttime', () => {
  async function finishedRun(): Promise<{ resultsDir: string; record: RunRecord; fake: FakeCluster }> {
    const { resultsDir, manifest } = makeRenderedRun([{ experiment: 'lora' }]);
    const record = createRunRecord(manifest, CLUSTER, new Date('2026-11-24T06:00:00Z'));
    record.phase = 'submitted';
    const [job] = record.jobs;
    if (job) job.job_id = '500';
    await writeRunRecord(resultsDir, record);
    const fake = new FakeCluster();
    fake.addJob({ id: '500', state: 'COMPLETED', agedOut: true });
    return { resultsDir, record, fake };
  }
  const sacctStartTime = (fake: FakeCluster): string | undefined =>
    fake.calls.find((c) => c[0] === 'sacct')?.find((a) => a.startsWith('--starttime='));

  it('status', async () => {
    const { resultsDir, record, fake } = await finishedRun();
    await statusRun({ transport: fake, resultsDir, record });
    expect(sacctStartTime(fake)).toMatch(/^--starttime=now-\d+minutes$/);
  });

  it('watch', async () => {
    const { resultsDir, record, fake } = await finishedRun();
    await watchRun({ transport: fake, resultsDir, runId: record.run_id, sleep: noSleep });
    expect(sacctStartTime(fake)).toMatch(/^--starttime=now-\d+minutes$/);
  });

  it('resubmit', async () => {
    const { record, fake } = await finishedRun();
    await planResubmit(fake, record);
    expect(sacctStartTime(fake)).toMatch(/^--starttime=now-\d+minutes$/);
  });
});

describe('squeue vs sacct precedence', () => {
  const squeue = readSqueueRecords(realSqueue);
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
