// status and watch show how often SLURM requeued a job and, for a checkpointing job that stopped
// requeueing itself (exit codes 90-93), why and what to do. The fake cluster answers
// `sacct --duplicates` with one row per earlier attempt, interleaved as slurmdbd prints them.
import { describe, expect, it } from 'vitest';
import { queryJobs, readRunRecord, statusRun, watchRun, type RunRecord, type WatchEvent } from '../../../src/runs/index.js';
import { createRunRecord, parseRunRecord } from '../../../src/runs/run-record.js';
import { writeRunRecord } from '../../../src/runs/registry.js';
import { type QueryCounters } from '../../../src/runs/query.js';
import { formatProgressLine, formatStatusTable, outcomeAdvice } from '../../../src/runs/format.js';
import { checkpointAdvice, describeRestarts, formatRestarts, jobRestarts } from '../../../src/runs/restarts.js';
import { CLUSTER, makeRenderedRun, noSleep, type JobSpec } from './helpers.js';
import { FakeCluster } from './fake-cluster.js';

const requeued = (n: number) => Array.from({ length: n }, () => ({ state: 'REQUEUED' }));

/** A submitted run whose jobs get ids 500, 501, …; `checkpoint` marks them rendered with checkpoint:. */
async function submitted(specs: (JobSpec & { checkpoint?: boolean })[]): Promise<{ resultsDir: string; record: RunRecord }> {
  const { resultsDir, manifest } = makeRenderedRun(specs);
  const record = createRunRecord(manifest, CLUSTER, new Date('2026-11-24T06:00:00Z'));
  record.phase = 'submitted';
  record.jobs.forEach((job, i) => {
    job.job_id = String(500 + i);
    job.checkpoint = specs[i]?.checkpoint === true;
  });
  await writeRunRecord(resultsDir, record);
  return { resultsDir, record };
}

describe('restarts from the one sacct call', () => {
  it('adds --duplicates to the single sacct call and counts the earlier attempts per job', async () => {
    const fake = new FakeCluster();
    fake.addJob({ id: '11', state: 'FAILED', exitCode: '92:0', attempts: requeued(2) });
    fake.addJob({ id: '12', state: 'COMPLETED', attempts: requeued(1) });
    fake.addJob({ id: '13', state: 'COMPLETED' });
    fake.addJob({ id: '14', state: 'RUNNING', attempts: requeued(3) });
    const counters: QueryCounters = { squeue: 0, sacct: 0 };
    const result = await queryJobs(fake, ['11', '12', '13', '14'], { counters });
    expect(counters).toEqual({ squeue: 1, sacct: 1 });
    const sacct = fake.calls.find((c) => c[0] === 'sacct') ?? [];
    expect(sacct).toContain('--duplicates');
    expect(sacct).toContain('--jobs=11,12,13');
    const restarts = result.views.map((v) => v.records[0]?.restarts);
    // Job 14 is live in squeue: sacct is not asked about it, and squeue -o cannot say.
    expect(restarts).toEqual([2, 1, 0, undefined]);
    // The earlier attempts' batch steps are not the job's: one step, the current attempt's.
    const job11 = result.views[0]?.records[0] as { steps?: unknown[] } | undefined;
    expect(job11?.steps).toHaveLength(1);
  });
});

describe('statusRun', () => {
  it('shows restarts and, for a checkpointing job that stopped, why and what to do', async () => {
    const fake = new FakeCluster();
    const { resultsDir, record } = await submitted([
      { experiment: 'lora', checkpoint: true },
      { experiment: 'plain' },
      { experiment: 'live', checkpoint: true },
    ]);
    fake.addJob({ id: '500', state: 'FAILED', exitCode: '92:0', attempts: requeued(10) });
    fake.addJob({ id: '501', state: 'FAILED', exitCode: '92:0', attempts: requeued(1) });
    fake.addJob({ id: '502', state: 'RUNNING', attempts: requeued(2) });
    const counters: QueryCounters = { squeue: 0, sacct: 0 };
    const result = await statusRun({ transport: fake, resultsDir, record, counters });
    expect(counters).toEqual({ squeue: 1, sacct: 1 });
    // The live job checkpoints: it joins the one sacct call, which alone knows its restarts.
    expect(fake.calls.find((c) => c[0] === 'sacct')).toContain('--jobs=500,501,502');
    expect(result.rows.map((r) => [r.experiment, r.restarts, r.advice])).toEqual([
      ['lora', 10, ['stopped after 10 restarts (checkpoint.max_restarts): raise it, or give the job a longer --time']],
      // Without checkpoint: its 92 is the workload's own exit code.
      ['plain', 1, undefined],
      ['live', 2, undefined],
    ]);
    const table = formatStatusTable(result.rows).split('\n');
    expect(table[0]).toMatch(/EXIT\s+RESTARTS\s+TASKS$/);
    expect(table[1]).toMatch(/^lora\s+500\s+FAILED\s+.*92:0\s+10$/);
    const saved = await readRunRecord(resultsDir, record.run_id);
    expect(saved.jobs.map((j) => j.facts?.restarts)).toEqual([10, 1, 2]);
  });

  it('shows restarts per array task and one advice line per reason', async () => {
    const fake = new FakeCluster();
    const { resultsDir, record } = await submitted([{ experiment: 'sweep', array: '0-3', checkpoint: true }]);
    fake.addJob({ id: '500_0', state: 'COMPLETED', attempts: requeued(1) });
    fake.addJob({ id: '500_1', state: 'FAILED', exitCode: '92:0', attempts: requeued(3) });
    fake.addJob({ id: '500_2', state: 'FAILED', exitCode: '93:0', attempts: requeued(1) });
    fake.addJob({ id: '500_3', state: 'FAILED', exitCode: '92:0', attempts: requeued(3) });
    const result = await statusRun({ transport: fake, resultsDir, record });
    const [row] = result.rows;
    expect(row?.taskRestarts).toEqual({ '0': 1, '1': 3, '2': 1, '3': 3 });
    expect(row?.restarts).toBe(8);
    expect(row?.advice).toEqual([
      'tasks 1, 3: stopped after 3 restarts (checkpoint.max_restarts): raise it, or give the job a longer --time',
      'task 2: no progress since restart 1: the workload did not write a checkpoint into $HPCBENCH_CHECKPOINT_DIR — see docs/checkpointing.md',
    ]);
    expect(formatStatusTable(result.rows)).toContain('8 (task 0: 1, 1: 3, 2: 1, 3: 3)');
    const saved = await readRunRecord(resultsDir, record.run_id);
    expect(saved.jobs[0]?.task_facts?.['2']).toEqual({ exit_code: '93:0', restarts: 1 });
  });

  it('reads restart_count and the exit code from exit.json when SLURM forgot the job', async () => {
    const fake = new FakeCluster();
    fake.accounting = false;
    const { resultsDir, record } = await submitted([{ experiment: 'lora', checkpoint: true }]);
    fake.addJob({ id: '500', state: 'FAILED', agedOut: true });
    fake.files.set(
      `${record.remote_dir}/out/lora/main/exit.json`,
      '{"exit_code": 93, "end_time": "2026-12-01T14:35:17Z", "restart_count": 4, "signal": "USR1", "requeued": false, "stop_reason": "no-progress"}',
    );
    const result = await statusRun({ transport: fake, resultsDir, record });
    expect(result.rows[0]).toMatchObject({ state: 'FAILED', source: 'exit.json', exitCode: '93:0', restarts: 4 });
    expect(result.rows[0]?.advice).toEqual([expect.stringMatching(/^no progress since restart 4: /)]);
  });
});

describe('watchRun', () => {
  it('reports restarts in progress and outcomes, and the checkpoint advice at the end', async () => {
    const fake = new FakeCluster();
    const { resultsDir, record } = await submitted([
      { experiment: 'lora', checkpoint: true },
      { experiment: 'sweep', array: '0-1', checkpoint: true },
    ]);
    fake.addJob({ id: '500', state: 'RUNNING' });
    fake.addJob({ id: '501_0', state: 'RUNNING' });
    fake.addJob({ id: '501_1', state: 'RUNNING' });
    const events: WatchEvent[] = [];
    const counters: QueryCounters = { squeue: 0, sacct: 0 };
    const result = await watchRun({
      transport: fake,
      resultsDir,
      runId: record.run_id,
      counters,
      onEvent: (e) => events.push(e),
      sleep: async () => {
        Object.assign(fake.jobs.get('500') ?? {}, { state: 'FAILED', exitCode: '92:0', attempts: requeued(2) });
        Object.assign(fake.jobs.get('501_0') ?? {}, { state: 'COMPLETED', attempts: requeued(1) });
        Object.assign(fake.jobs.get('501_1') ?? {}, { state: 'FAILED', exitCode: '90:0' });
      },
    });
    expect(result.exitCode).toBe(1);
    expect(counters.sacct).toBeLessThanOrEqual(counters.squeue);
    expect(result.jobs[1]?.taskRestarts).toEqual({ '0': 1, '1': 0 });
    expect(result.jobs.map((j) => [j.experiment, j.restarts, j.verdict.checkpointStop, j.checkpointAdvice])).toEqual([
      ['lora', 2, 'max-restarts', ['stopped after 2 restarts (checkpoint.max_restarts): raise it, or give the job a longer --time']],
      ['sweep', 1, 'requeue-disabled', [expect.stringMatching(/^task 1: checkpointed and stopped \(requeue: false\): resubmit to resume/)]],
    ]);
    const change = events.find((e) => e.kind === 'change' && e.experiment === 'lora' && e.to === 'FAILED');
    expect(change?.kind === 'change' && change.verdict.title).toBe('stopped after 2 restarts (exit code 92)');
    const progress = events.filter((e) => e.kind === 'progress').at(-1);
    expect(progress?.kind === 'progress' && formatProgressLine(progress.jobs)).toBe('lora 500 FAILED (2 restarts) · sweep 501 [1 COMPLETED, 1 FAILED, 1 restart]');
  });

  it('prints the checkpoint advice per task, and other advice as before', async () => {
    const fake = new FakeCluster();
    const { resultsDir, record } = await submitted([
      { experiment: 'sweep', array: '0-2', checkpoint: true },
      { experiment: 'lora', checkpoint: true },
      { experiment: 'ok', checkpoint: true },
    ]);
    // Task 0 timed out (the worst state speaks for the array), tasks 1 and 2 stopped requeueing.
    fake.addJob({ id: '500_0', state: 'TIMEOUT', elapsed: '1:00', timeLimit: '1:00' });
    fake.addJob({ id: '500_1', state: 'FAILED', exitCode: '93:0', attempts: requeued(2) });
    fake.addJob({ id: '500_2', state: 'FAILED', exitCode: '91:0' });
    fake.addJob({ id: '501', state: 'FAILED', exitCode: '90:0' });
    fake.addJob({ id: '502', state: 'COMPLETED', attempts: requeued(1) });
    const result = await watchRun({ transport: fake, resultsDir, runId: record.run_id, sleep: noSleep });
    const [sweep, lora, ok] = result.jobs;
    expect(outcomeAdvice(sweep!)).toEqual([
      expect.stringMatching(/^ask for time: /),
      expect.stringMatching(/^task 1: no progress since restart 2: /),
      expect.stringMatching(/^task 2: scontrol requeue failed: /),
    ]);
    expect(outcomeAdvice(lora!)).toEqual([expect.stringMatching(/^checkpointed and stopped \(requeue: false\): resubmit to resume/)]);
    expect(outcomeAdvice(ok!)).toEqual([]);
    expect(ok?.verdict.title).toBe('completed after 1 restart');
  });

  it('resumes from run.json with the same outcome', async () => {
    const fake = new FakeCluster();
    const { resultsDir, record } = await submitted([{ experiment: 'lora', checkpoint: true }]);
    fake.addJob({ id: '500', state: 'FAILED', exitCode: '93:0', attempts: requeued(1) });
    const first = await watchRun({ transport: fake, resultsDir, runId: record.run_id, sleep: noSleep });
    const again = await watchRun({ transport: fake, resultsDir, runId: record.run_id, sleep: noSleep });
    expect(again.jobs).toEqual(first.jobs);
    expect(again.jobs[0]).toMatchObject({ restarts: 1, verdict: { action: 'fix-and-resubmit', checkpointStop: 'no-progress' } });
  });
});

describe('run.json', () => {
  it('reads files written before restarts, task facts and checkpoint were recorded', () => {
    const { manifest } = makeRenderedRun([{ experiment: 'a' }]);
    const record = createRunRecord(manifest, CLUSTER, new Date('2026-11-24T06:00:00Z'));
    const old = JSON.parse(JSON.stringify(record)) as { jobs: Record<string, unknown>[] };
    for (const job of old.jobs) delete job.checkpoint;
    const parsed = parseRunRecord(JSON.stringify(old), 'run.json');
    expect(parsed.jobs[0]?.checkpoint).toBeUndefined();
    expect(jobRestarts(parsed.jobs[0]!)).toBeUndefined();
    expect(checkpointAdvice({ ...parsed.jobs[0]!, state: 'FAILED', facts: { exit_code: '92:0', restarts: 3 } })).toEqual([]);
  });

  it('records at submission whether the manifest names a checkpoint directory', () => {
    const { manifest } = makeRenderedRun([{ experiment: 'a' }, { experiment: 'b' }]);
    const withCheckpoint = { ...manifest, jobs: manifest.jobs.map((j, i) => (i === 0 ? { ...j, checkpoint_dir: 'checkpoints' } : j)) };
    expect(createRunRecord(withCheckpoint, CLUSTER, new Date()).jobs.map((j) => j.checkpoint)).toEqual([true, false]);
  });
});

describe('restart wording', () => {
  it('lists the tasks that restarted, numerically, at most six', () => {
    expect(describeRestarts(null)).toBe('');
    expect(describeRestarts(0)).toBe('0');
    expect(describeRestarts(3, { '10': 1, '2': 2, '3': 0 })).toBe('3 (task 2: 2, 10: 1)');
    const many = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [String(i), 1]));
    expect(describeRestarts(8, many)).toBe('8 (task 0: 1, 1: 1, 2: 1, 3: 1, 4: 1, 5: 1, +2 more)');
  });

  it('counts an array job as the sum of its tasks', () => {
    const { manifest } = makeRenderedRun([{ experiment: 'a', array: '0-2' }]);
    const job = createRunRecord(manifest, CLUSTER, new Date()).jobs[0]!;
    job.task_facts = { '0': { restarts: 2 }, '1': { exit_code: '0:0' }, '2': { restarts: 1 } };
    expect(jobRestarts(job)).toBe(3);
    expect(formatRestarts(job)).toBe('3 (task 0: 2, 2: 1)');
  });
});
