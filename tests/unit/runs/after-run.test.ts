// `submit <experiment> --after <run>`: an earlier run's jobs stand in for the dependencies.
import { describe, expect, it } from 'vitest';
import { loadConfigText } from '../../../src/config/index.js';
import { UsageError } from '../../../src/errors.js';
import { renderRun } from '../../../src/render/index.js';
import { checkAfterRunJobs, planAfterRun } from '../../../src/runs/after-run.js';
import { readRunRecord, submitRun, type RunRecord } from '../../../src/runs/index.js';
import { createRunRecord } from '../../../src/runs/run-record.js';
import { localConfigText } from '../support/local-config.js';
import { FakeCluster } from './fake-cluster.js';
import { CLUSTER, makeRenderedRun, noSleep } from './helpers.js';

const EARLIER = '20261124-050000-train-0001';
const RUN = '20261124-060000-infer-0002';

const CONFIG = loadConfigText(
  localConfigText(
    [
      '  prep:\n    partition: local\n    command: echo prep',
      '  train:\n    partition: local\n    depends_on: [prep]\n    command: echo train',
      '  infer:\n    partition: local\n    depends_on: [train]\n    command: echo infer',
    ].join('\n'),
  ),
);

/** The run.json of an earlier submission of prep → train with the given job ids. */
function earlierRun(ids: Record<string, string> = { prep: '90', train: '91' }): RunRecord {
  const { manifest } = makeRenderedRun([{ experiment: 'prep' }, { experiment: 'train', depends_on: ['prep'] }], EARLIER);
  const record = createRunRecord(manifest, CLUSTER, new Date('2026-11-24T05:00:00Z'));
  for (const job of record.jobs) {
    const id = ids[job.experiment];
    if (id !== undefined) job.job_id = id;
  }
  record.phase = 'submitted';
  return record;
}

function sbatches(fake: FakeCluster): string[][] {
  return fake.calls.filter((c) => c[0] === 'sbatch');
}

describe('planAfterRun', () => {
  it('leaves the experiments the earlier run provides out of the render, and names the run after the experiment asked for', () => {
    const plan = planAfterRun(CONFIG, 'infer', earlierRun());
    expect(plan.satisfied).toEqual(['prep', 'train']);
    expect(plan.dependsOnEarlier).toEqual({ train: ['prep'], infer: ['train'] });
    const rendered = renderRun(plan.config, 'infer', { now: new Date('2026-11-24T06:00:00Z') });
    expect(rendered.manifest.jobs.map((j) => [j.experiment, j.depends_on])).toEqual([['infer', []]]);
    expect(rendered.runId).toMatch(/^20261124-060000-infer-[0-9a-f]{4}$/);
    // The config given is not changed.
    expect(CONFIG.experiments.infer?.depends_on).toEqual(['train']);
  });

  it('refuses a run that holds none of the dependencies, and a local run, with exit 2', () => {
    const unrelated = earlierRun({});
    expect(() => planAfterRun(CONFIG, 'infer', unrelated)).toThrow(UsageError);
    expect(() => planAfterRun(CONFIG, 'infer', unrelated)).toThrow(/has no job for any dependency of infer \(prep, train\)/);
    const local = { ...earlierRun(), local: true };
    expect(() => planAfterRun(CONFIG, 'infer', local)).toThrow(/ran on this machine/);
  });
});

describe('checkAfterRunJobs', () => {
  it('completed jobs satisfy the dependency outright, from one squeue and at most one sacct call', async () => {
    const fake = new FakeCluster();
    fake.addJob({ id: '90', state: 'COMPLETED', agedOut: true });
    fake.addJob({ id: '91', state: 'COMPLETED', agedOut: true });
    const counters = { squeue: 0, sacct: 0 };
    const result = await checkAfterRunJobs(fake, earlierRun(), ['prep', 'train'], { counters });
    expect(result.waiting).toEqual({});
    expect(result.after).toEqual({
      run_id: EARLIER,
      remote_dir: `/scratch/p/u/${EARLIER}`,
      jobs: [
        { experiment: 'prep', job_id: '90', state: 'COMPLETED' },
        { experiment: 'train', job_id: '91', state: 'COMPLETED' },
      ],
    });
    expect(counters).toEqual({ squeue: 1, sacct: 1 });
  });

  it('jobs still queued or running are waited for', async () => {
    const fake = new FakeCluster();
    fake.addJob({ id: '90', state: 'COMPLETED', agedOut: true });
    fake.addJob({ id: '91', state: 'RUNNING' });
    const result = await checkAfterRunJobs(fake, earlierRun(), ['prep', 'train']);
    expect(result.waiting).toEqual({ train: '91' });
  });

  it('refuses with exit 2 naming the job that failed, and the failed task of an array', async () => {
    const fake = new FakeCluster();
    fake.addJob({ id: '90', state: 'COMPLETED', agedOut: true });
    fake.addJob({ id: '91', state: 'FAILED', exitCode: '1:0', agedOut: true });
    const error = await checkAfterRunJobs(fake, earlierRun(), ['prep', 'train']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(2);
    expect((error as Error).message).toContain('train (job 91) ended FAILED');

    const arrays = new FakeCluster();
    arrays.addJob({ id: '90', state: 'COMPLETED', agedOut: true });
    arrays.addJob({ id: '91_0', state: 'COMPLETED', agedOut: true });
    arrays.addJob({ id: '91_1', state: 'FAILED', agedOut: true });
    arrays.addJob({ id: '91_2', state: 'RUNNING' });
    await expect(checkAfterRunJobs(arrays, earlierRun(), ['prep', 'train'])).rejects.toThrow(/train \(job 91\) ended FAILED \(task 1\)/);
  });

  it('trusts a completion run.json recorded only when SLURM no longer knows the job', async () => {
    const fake = new FakeCluster();
    fake.accounting = false;
    const earlier = earlierRun({ train: '91' });
    const train = earlier.jobs[1];
    if (!train) throw new Error('no train job');
    await expect(checkAfterRunJobs(fake, earlier, ['train'])).rejects.toThrow(/SLURM no longer knows it/);
    train.state = 'COMPLETED';
    train.final = true;
    const result = await checkAfterRunJobs(fake, earlier, ['train']);
    expect(result.after.jobs).toEqual([{ experiment: 'train', job_id: '91', state: 'COMPLETED' }]);
  });
});

describe('submitRun with --after', () => {
  const after = (waiting: Record<string, string>) => ({
    after: { run_id: EARLIER, remote_dir: `/scratch/p/u/${EARLIER}`, jobs: [{ experiment: 'train', job_id: '91', state: waiting.train ? 'RUNNING' : 'COMPLETED' }] },
    waiting,
    dependsOnEarlier: { infer: ['train'] },
  });

  it('submits only the new job, without a dependency when the earlier job completed, and records what it built on', async () => {
    const { resultsDir, manifest } = makeRenderedRun([{ experiment: 'infer' }], RUN);
    const fake = new FakeCluster();
    await submitRun({ transport: fake, resultsDir, manifest, cluster: CLUSTER, sleep: noSleep, skipPreflight: true, after: after({}) });
    const sent = sbatches(fake);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.some((a) => a.startsWith('--dependency'))).toBe(false);
    expect(sent[0]).toContain(`--export=ALL,HPCBENCH_AFTER_RUN=${EARLIER},HPCBENCH_AFTER_DIR=/scratch/p/u/${EARLIER}`);
    const record = await readRunRecord(resultsDir, RUN);
    expect(record.after?.run_id).toBe(EARLIER);
    expect(record.jobs[0]?.after_job_ids).toBeUndefined();
    expect(record.history.some((h) => h.event === 'note' && h.message?.includes(`built on run ${EARLIER}`))).toBe(true);
  });

  it('waits with afterok for an earlier job still running', async () => {
    const { resultsDir, manifest } = makeRenderedRun([{ experiment: 'infer' }], RUN);
    const fake = new FakeCluster();
    await submitRun({ transport: fake, resultsDir, manifest, cluster: CLUSTER, sleep: noSleep, skipPreflight: true, after: after({ train: '91' }) });
    expect(sbatches(fake)[0]).toContain('--dependency=afterok:91');
    expect((await readRunRecord(resultsDir, RUN)).jobs[0]?.after_job_ids).toEqual(['91']);
  });
});
