// `hpcbench resubmit`: only what did not complete is submitted again, with the same task ids.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { acquireRunLock } from '../../../src/runs/lock.js';
import { planResubmit, resubmitRun } from '../../../src/runs/resubmit.js';
import { readRunRecord, type RunRecord } from '../../../src/runs/index.js';
import { createRunRecord } from '../../../src/runs/run-record.js';
import { writeRunRecord, writeRunRecordMerged } from '../../../src/runs/registry.js';
import { runCli } from '../cli/run-cli.js';
import { FakeCluster } from './fake-cluster.js';
import { CLUSTER, makeRenderedRun, noSleep, type JobSpec } from './helpers.js';

const RUN = '20261124-060000-sweep-0001';

async function submittedRun(jobs: JobSpec[], ids: Record<string, string>): Promise<{ resultsDir: string; record: RunRecord }> {
  const { resultsDir, manifest } = makeRenderedRun(jobs, RUN);
  const record = createRunRecord(manifest, CLUSTER, new Date('2026-11-24T06:00:00Z'));
  for (const job of record.jobs) {
    const id = ids[job.experiment];
    if (id === undefined) continue;
    job.job_id = id;
    job.attempts.push({ at: '2026-11-24T06:00:01.000Z', outcome: 'submitted', job_id: id });
  }
  record.phase = 'submitted';
  await writeRunRecord(resultsDir, record);
  return { resultsDir, record };
}

function sbatches(fake: FakeCluster): string[][] {
  return fake.calls.filter((c) => c[0] === 'sbatch');
}

/** train is an array of three whose task 1 failed; infer never ran (cancelled by --kill-on-invalid-dep). */
async function failedSweep(): Promise<{ resultsDir: string; record: RunRecord; fake: FakeCluster }> {
  const { resultsDir, record } = await submittedRun([{ experiment: 'train', array: '0-2' }, { experiment: 'infer', depends_on: ['train'] }], { train: '100', infer: '101' });
  const fake = new FakeCluster();
  fake.nextId = 200;
  fake.addJob({ id: '100_0', state: 'COMPLETED', agedOut: true });
  fake.addJob({ id: '100_1', state: 'FAILED', exitCode: '1:0', agedOut: true });
  fake.addJob({ id: '100_2', state: 'COMPLETED', agedOut: true });
  fake.addJob({ id: '101', state: 'CANCELLED', reason: 'DependencyNeverSatisfied', agedOut: true });
  return { resultsDir, record, fake };
}

describe('planResubmit', () => {
  it('finds the failed task of an array and the dependent that never ran, from one squeue and one sacct call', async () => {
    const { record, fake } = await failedSweep();
    const counters = { squeue: 0, sacct: 0 };
    const plan = await planResubmit(fake, record, counters);
    expect(plan.resubmit).toEqual([
      { experiment: 'train', job_id: '100', tasks: ['1'], states: { 1: 'FAILED' }, array: '1', waits_for: [], after_job_ids: [] },
      { experiment: 'infer', job_id: '101', tasks: ['main'], states: { main: 'CANCELLED' }, waits_for: ['train'], after_job_ids: [] },
    ]);
    expect(counters).toEqual({ squeue: 1, sacct: 1 });
  });

  it('keeps the %N limit of the rendered array spec', async () => {
    const { record } = await submittedRun([{ experiment: 'sweep', array: '0-5%2' }], { sweep: '100' });
    const fake = new FakeCluster();
    for (const t of [0, 1, 2, 3, 4, 5]) fake.addJob({ id: `100_${t}`, state: t === 1 ? 'TIMEOUT' : t === 4 ? 'OUT_OF_MEMORY' : 'COMPLETED', agedOut: true });
    const plan = await planResubmit(fake, record);
    expect(plan.resubmit[0]?.array).toBe('1,4%2');
    expect(plan.resubmit[0]?.states).toEqual({ 1: 'TIMEOUT', 4: 'OUT_OF_MEMORY' });
  });

  it('leaves a run whose jobs completed or still run alone', async () => {
    const { record } = await submittedRun([{ experiment: 'a' }, { experiment: 'b' }], { a: '100', b: '101' });
    const fake = new FakeCluster();
    fake.addJob({ id: '100', state: 'COMPLETED', agedOut: true });
    fake.addJob({ id: '101', state: 'RUNNING' });
    const plan = await planResubmit(fake, record);
    expect(plan.resubmit).toEqual([]);
    expect(plan.completed).toEqual(['a']);
    expect(plan.running).toEqual([{ experiment: 'b', job_id: '101', tasks: 1 }]);
  });

  it('refuses a local run and a run not completely submitted, with exit 2', async () => {
    const { record } = await submittedRun([{ experiment: 'a' }], { a: '100' });
    const fake = new FakeCluster();
    await expect(planResubmit(fake, { ...record, local: true })).rejects.toBeInstanceOf(UsageError);
    await expect(planResubmit(fake, { ...record, phase: 'submitting' })).rejects.toMatchObject({ exitCode: 2, hint: expect.stringContaining('submit --resume') as unknown });
    expect(fake.calls).toEqual([]);
  });

  it('uses what run.json last saw when SLURM no longer knows the job', async () => {
    const { record } = await submittedRun([{ experiment: 'sweep', array: '0-2' }], { sweep: '100' });
    const job = record.jobs[0];
    if (!job) throw new Error('no job');
    Object.assign(job, { final: true, state: 'FAILED', tasks: { 0: 'COMPLETED', 1: 'COMPLETED', 2: 'NODE_FAIL' } });
    const fake = new FakeCluster();
    fake.accounting = false;
    expect((await planResubmit(fake, record)).resubmit[0]?.array).toBe('2');
  });
});

describe('resubmitRun', () => {
  it('sends one sbatch --array=<failed ids> and the dependent after the new id, keeping every attempt in run.json', async () => {
    const { resultsDir, record, fake } = await failedSweep();
    fake.expandArrays = true;
    const result = await resubmitRun(record, { transport: fake, resultsDir, sleep: noSleep });
    expect(result.submitted).toEqual({ train: '200', infer: '201' });
    const [train, infer] = sbatches(fake);
    expect(train).toContain('--array=1');
    expect(train?.some((a) => a.startsWith('--dependency'))).toBe(false);
    expect(infer).toContain('--dependency=afterok:200');
    expect(infer).not.toContain('--array=1');
    // Only the failed task exists in the new submission: the completed ones are not run again.
    expect([...fake.jobs.keys()].filter((id) => id.startsWith('200'))).toEqual(['200_1']);
    const disk = await readRunRecord(resultsDir, RUN);
    const job = disk.jobs[0];
    expect(job?.job_id).toBe('200');
    expect(job?.previous_job_ids).toEqual(['100']);
    expect(job?.attempts.map((a) => [a.outcome, a.job_id, a.array])).toEqual([
      ['submitted', '100', undefined],
      ['submitted', '200', '1'],
    ]);
    expect(job?.array?.spec).toBe('0-2');
    expect(disk.history.filter((h) => h.event === 'resubmitted').map((h) => h.experiment)).toEqual(['train', 'infer']);
    expect(disk.history.find((h) => h.event === 'resubmitted')?.message).toContain('the other tasks keep their results under job 100');
  });

  it('a second resubmit after the retried task failed again sends that task only', async () => {
    const { resultsDir, record, fake } = await failedSweep();
    fake.expandArrays = true;
    await resubmitRun(record, { transport: fake, resultsDir, sleep: noSleep });
    const retried = fake.jobs.get('200_1');
    if (!retried) throw new Error('task 1 was not resubmitted');
    retried.state = 'FAILED';
    const cancelled = fake.jobs.get('201');
    if (cancelled) cancelled.state = 'CANCELLED';
    const again = await resubmitRun(await readRunRecord(resultsDir, RUN), { transport: fake, resultsDir, sleep: noSleep });
    expect(again.plan.resubmit.map((p) => [p.experiment, p.array ?? null])).toEqual([
      ['train', '1'],
      ['infer', null],
    ]);
    expect((await readRunRecord(resultsDir, RUN)).jobs[0]?.previous_job_ids).toEqual(['100', '200']);
  });

  it('points a dependent still pending at the new id instead of submitting it again', async () => {
    const { resultsDir, record } = await submittedRun([{ experiment: 'train' }, { experiment: 'infer', depends_on: ['train'] }], { train: '100', infer: '101' });
    const fake = new FakeCluster();
    fake.nextId = 300;
    fake.addJob({ id: '100', state: 'NODE_FAIL', agedOut: true });
    fake.addJob({ id: '101', state: 'PENDING', reason: 'DependencyNeverSatisfied' });
    await resubmitRun(record, { transport: fake, resultsDir, sleep: noSleep });
    expect(sbatches(fake)).toHaveLength(1);
    expect(fake.calls).toContainEqual(['scontrol', 'update', 'JobId=101', 'Dependency=afterok:300']);
  });

  it('a dry run submits nothing and leaves run.json as it was', async () => {
    const { resultsDir, record, fake } = await failedSweep();
    const before = readFileSync(join(resultsDir, RUN, 'run.json'), 'utf8');
    const result = await resubmitRun(record, { transport: fake, resultsDir, dryRun: true });
    expect(result.plan.resubmit).toHaveLength(2);
    expect(sbatches(fake)).toEqual([]);
    expect(readFileSync(join(resultsDir, RUN, 'run.json'), 'utf8')).toBe(before);
  });
});

describe('a watch that read run.json before a resubmit', () => {
  it('writes the new job id back, not the old one, and follows the new submission', async () => {
    const { resultsDir, record, fake } = await failedSweep();
    const watching = await readRunRecord(resultsDir, RUN);
    const train = watching.jobs[0];
    if (!train) throw new Error('no job');
    Object.assign(train, { state: 'FAILED', final: true, tasks: { 0: 'COMPLETED', 1: 'FAILED', 2: 'COMPLETED' } });
    await resubmitRun(record, { transport: fake, resultsDir, sleep: noSleep });
    await writeRunRecordMerged(resultsDir, watching);
    const disk = await readRunRecord(resultsDir, RUN);
    expect(disk.jobs.map((j) => j.job_id)).toEqual(['200', '201']);
    // The watch's own object now describes the new submission (same object, so it polls the new id).
    expect(train.job_id).toBe('200');
    expect(train.final).toBe(false);
    expect(train.tasks).toBeUndefined();
  });
});

describe('hpcbench resubmit', () => {
  it('exits 2 naming the holder while another command holds the run lock, and connects to nothing', async () => {
    const { resultsDir } = await submittedRun([{ experiment: 'a' }], { a: '100' });
    const lock = acquireRunLock(join(resultsDir, RUN), { command: 'hpcbench watch (resubmit)', handleSignals: false });
    try {
      const result = await runCli(['resubmit', RUN, '--results', resultsDir]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`run ${RUN} is being changed by pid ${process.pid} on host ${hostname()} (hpcbench watch (resubmit)`);
    } finally {
      lock.release();
    }
  });

  it('is listed in --help', async () => {
    const result = await runCli(['--help']);
    expect(result.stdout).toMatch(/resubmit \[run\]\s+Submit again only the jobs and array tasks/);
  });
});
