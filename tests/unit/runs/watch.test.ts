import { describe, expect, it } from 'vitest';
import { queryJobs, readRunRecord, statusRun, watchRun, type WatchEvent } from '../../../src/runs/index.js';
import { createRunRecord } from '../../../src/runs/run-record.js';
import { writeRunRecord } from '../../../src/runs/registry.js';
import { type QueryCounters } from '../../../src/runs/query.js';
import { CLUSTER, makeRenderedRun, noSleep } from './helpers.js';
import { FakeCluster } from './fake-cluster.js';
import { ConnectionLostError, ControllerUnreachableError, RemoteError, SshConnectError } from '../../../src/errors.js';

describe('queryJobs', () => {
  it('asks about N jobs with one squeue and no sacct while none has finished', async () => {
    const fake = new FakeCluster();
    const ids = Array.from({ length: 50 }, (_, i) => String(1000 + i));
    for (const id of ids) fake.addJob({ id, state: 'RUNNING' });
    const counters: QueryCounters = { squeue: 0, sacct: 0 };
    const result = await queryJobs(fake, ids, { counters });
    expect(result.views).toHaveLength(50);
    expect(result.views.every((v) => v.state.name === 'RUNNING')).toBe(true);
    expect(counters).toEqual({ squeue: 1, sacct: 0 });
    expect(fake.calls).toHaveLength(1);
  });

  it('asks sacct once, only about the jobs finished or gone from squeue', async () => {
    const fake = new FakeCluster();
    const ids = Array.from({ length: 20 }, (_, i) => String(2000 + i));
    ids.forEach((id, i) => fake.addJob({ id, state: i < 5 ? 'COMPLETED' : 'RUNNING', agedOut: i < 3 }));
    const counters: QueryCounters = { squeue: 0, sacct: 0 };
    const result = await queryJobs(fake, ids, { counters });
    expect(counters).toEqual({ squeue: 1, sacct: 1 });
    const sacct = fake.calls.find((c) => c[0] === 'sacct') ?? [];
    expect(sacct).toContain('--jobs=2000,2001,2002,2003,2004');
    expect(result.views.filter((v) => v.state.name === 'COMPLETED')).toHaveLength(5);
  });

  it('falls back to squeue alone when accounting is disabled', async () => {
    const fake = new FakeCluster();
    fake.accounting = false;
    fake.addJob({ id: '1', state: 'COMPLETED' });
    fake.addJob({ id: '2', state: 'COMPLETED', agedOut: true });
    const result = await queryJobs(fake, ['1', '2']);
    expect(result.accounting).toBe('unavailable');
    expect(result.views[0]?.state.name).toBe('COMPLETED');
    expect(result.views[1]?.source).toBe('none');
  });
});

async function submittedRun(fake: FakeCluster, states: string[]) {
  const { resultsDir, manifest } = makeRenderedRun(states.map((_, i) => ({ experiment: `e${i}` })));
  const record = createRunRecord(manifest, CLUSTER, new Date('2026-11-24T06:00:00Z'));
  record.phase = 'submitted';
  states.forEach((state, i) => {
    const job = record.jobs[i];
    if (!job) return;
    job.job_id = String(500 + i);
    fake.addJob({ id: job.job_id, name: job.job_name, state, elapsed: '1:00', timeLimit: '1:00', exitCode: state === 'FAILED' ? '3:0' : '0:0' });
  });
  await writeRunRecord(resultsDir, record);
  return { resultsDir, runId: record.run_id };
}

describe('watchRun', () => {
  it('follows jobs to the end with one squeue per cycle and reports success', async () => {
    const fake = new FakeCluster();
    const { resultsDir, runId } = await submittedRun(fake, ['PENDING', 'RUNNING', 'RUNNING']);
    let cycle = 0;
    const counters: QueryCounters = { squeue: 0, sacct: 0 };
    const events: WatchEvent[] = [];
    const result = await watchRun({
      transport: fake,
      resultsDir,
      runId,
      counters,
      sleep: async () => {
        cycle += 1;
        for (const job of fake.jobs.values()) job.state = cycle === 1 ? 'RUNNING' : 'COMPLETED';
      },
      onEvent: (e) => events.push(e),
    });
    expect(result.exitCode).toBe(0);
    expect(result.jobs.map((j) => j.state)).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED']);
    expect(counters.squeue).toBe(3);
    expect(counters.sacct).toBeLessThanOrEqual(counters.squeue);
    const record = await readRunRecord(resultsDir, runId);
    expect(record.jobs.every((j) => j.final)).toBe(true);
    expect(record.history.filter((h) => h.event === 'state' && h.experiment === 'e0').map((h) => h.state)).toEqual(['PENDING', 'RUNNING', 'COMPLETED']);
  });

  it('resumes from run.json: finished jobs are not asked about, known states are not reported again', async () => {
    const fake = new FakeCluster();
    const { resultsDir, runId } = await submittedRun(fake, ['COMPLETED', 'RUNNING']);
    const record = await readRunRecord(resultsDir, runId);
    Object.assign(record.jobs[0] ?? {}, { state: 'COMPLETED', final: true });
    Object.assign(record.jobs[1] ?? {}, { state: 'RUNNING' });
    await writeRunRecord(resultsDir, record);
    const events: WatchEvent[] = [];
    const result = await watchRun({
      transport: fake,
      resultsDir,
      runId,
      sleep: async () => {
        const job = fake.jobs.get('501');
        if (job) job.state = 'COMPLETED';
      },
      onEvent: (e) => events.push(e),
    });
    expect(result.exitCode).toBe(0);
    const squeues = fake.calls.filter((c) => c[0] === 'squeue');
    expect(squeues.every((c) => c.includes('--jobs=501'))).toBe(true);
    const changes = events.filter((e) => e.kind === 'change');
    expect(changes).toEqual([expect.objectContaining({ jobId: '501', from: 'RUNNING', to: 'COMPLETED' })]);
  });

  it('retries an unreachable controller as such, never as a job failure', async () => {
    const fake = new FakeCluster();
    const { resultsDir, runId } = await submittedRun(fake, ['RUNNING']);
    let failures = 2;
    fake.fault = (argv) => {
      if (argv[0] !== 'squeue' || failures === 0) return undefined;
      failures -= 1;
      return { stdout: '', stderr: 'slurm_load_jobs error: Unable to contact slurm controller (connect failure)\n', code: 1 };
    };
    const events: WatchEvent[] = [];
    const result = await watchRun({
      transport: fake,
      resultsDir,
      runId,
      sleep: async () => {
        if (failures === 0) for (const job of fake.jobs.values()) job.state = 'COMPLETED';
      },
      onEvent: (e) => events.push(e),
    });
    const retries = events.filter((e) => e.kind === 'retrying');
    expect(retries).toHaveLength(2);
    expect(retries[0]).toMatchObject({ message: expect.stringMatching(/^controller unreachable, retrying/) });
    expect(result.exitCode).toBe(0);
  });

  it('exits 1 with advice for FAILED and TIMEOUT', async () => {
    const fake = new FakeCluster();
    const { resultsDir, runId } = await submittedRun(fake, ['FAILED', 'TIMEOUT']);
    const result = await watchRun({ transport: fake, resultsDir, runId, sleep: noSleep });
    expect(result.exitCode).toBe(1);
    expect(result.jobs[0]?.verdict.title).toMatch(/exit code 3/);
    expect(result.jobs[1]?.verdict).toMatchObject({ action: 'increase-time', suggestedTime: expect.any(String) });
  });

  it('cancels a job pending past the limit, with its reason', async () => {
    const fake = new FakeCluster();
    const { resultsDir, runId } = await submittedRun(fake, ['PENDING']);
    const job = fake.jobs.get('500');
    if (job) Object.assign(job, { reason: 'Resources', submitTime: '2026-11-24T05:00:00' });
    const events: WatchEvent[] = [];
    const result = await watchRun({
      transport: fake,
      resultsDir,
      runId,
      pendingLimitSeconds: 600,
      now: () => new Date('2026-11-24T06:00:00'),
      sleep: noSleep,
      onEvent: (e) => events.push(e),
    });
    expect(fake.calls.some((c) => c[0] === 'scancel' && c.includes('500'))).toBe(true);
    expect(events.find((e) => e.kind === 'cancelled-pending')).toMatchObject({ reason: expect.stringMatching(/Resources/) });
    expect(result.jobs[0]?.state).toMatch(/^CANCELLED/);
    expect(result.exitCode).toBe(1);
  });

  it('resubmits a NODE_FAIL job excluding the node when retries allow', async () => {
    const fake = new FakeCluster();
    const { resultsDir, runId } = await submittedRun(fake, ['NODE_FAIL']);
    const record = await readRunRecord(resultsDir, runId);
    Object.assign(record.jobs[0] ?? {}, { retries_left: 1 });
    await writeRunRecord(resultsDir, record);
    const bad = fake.jobs.get('500');
    if (bad) bad.nodes = 'node7';
    const events: WatchEvent[] = [];
    const result = await watchRun({
      transport: fake,
      resultsDir,
      runId,
      sleep: async () => {
        const fresh = fake.jobs.get('100');
        if (fresh) fresh.state = 'COMPLETED';
      },
      onEvent: (e) => events.push(e),
    });
    const sbatch = fake.calls.find((c) => c[0] === 'sbatch');
    expect(sbatch).toContain('--exclude=node7');
    expect(events.find((e) => e.kind === 'resubmitted')).toMatchObject({ oldId: '500', newId: '100' });
    expect(result.jobs[0]).toMatchObject({ jobId: '100', state: 'COMPLETED' });
    expect(result.record.jobs[0]?.previous_job_ids).toEqual(['500']);
    expect(result.exitCode).toBe(0);
  });
});

describe('statusRun', () => {
  it('shows every job from one squeue and at most one sacct call, and records the states', async () => {
    const fake = new FakeCluster();
    const { resultsDir, runId } = await submittedRun(fake, ['PENDING', 'RUNNING', 'COMPLETED', 'FAILED']);
    const record = await readRunRecord(resultsDir, runId);
    const result = await statusRun({ transport: fake, resultsDir, record });
    expect(fake.count('squeue')).toBe(1);
    expect(fake.count('sacct')).toBe(1);
    expect(result.rows.map((r) => r.state)).toEqual(['PENDING', 'RUNNING', 'COMPLETED', 'FAILED']);
    expect(result.rows[3]?.exitCode).toBe('3:0');
    const saved = await readRunRecord(resultsDir, runId);
    expect(saved.jobs.map((j) => j.final)).toEqual([false, false, true, true]);
  });
});

describe('watchRun faults', () => {
  /** Watches one RUNNING job whose first squeue throws `error`; the job completes after that. */
  async function watchThrough(error: Error): Promise<{ events: WatchEvent[]; result: Promise<unknown> }> {
    const fake = new FakeCluster();
    const { resultsDir, runId } = await submittedRun(fake, ['RUNNING']);
    let thrown = false;
    fake.fault = (argv) => {
      if (argv[0] !== 'squeue' || thrown) return undefined;
      thrown = true;
      return error;
    };
    const events: WatchEvent[] = [];
    const result = watchRun({
      transport: fake,
      resultsDir,
      runId,
      sleep: async () => {
        for (const job of fake.jobs.values()) job.state = 'COMPLETED';
      },
      onEvent: (e) => events.push(e),
    });
    return { events, result };
  }

  const retryMessages = (events: readonly WatchEvent[]): string[] => events.flatMap((e) => (e.kind === 'retrying' ? [e.message] : []));

  it('retries lost connections, refused connects, an unreachable controller and a timed-out command, and says which', async () => {
    const cases: [Error, string][] = [
      [new ConnectionLostError('lost', { commandSent: true }), 'connection lost, reconnecting (lost)'],
      [new SshConnectError('refused', { transient: true }), 'connection lost, reconnecting (refused)'],
      [new ControllerUnreachableError('connect failure'), 'controller unreachable, retrying (connect failure)'],
      [new RemoteError('squeue timed out after 30 s'), 'connection lost, reconnecting (squeue timed out after 30 s)'],
    ];
    for (const [error, message] of cases) {
      const { events, result } = await watchThrough(error);
      await expect(result).resolves.toMatchObject({ exitCode: 0 });
      expect(retryMessages(events)).toEqual([message]);
    }
  });

  it('does not retry a refused host key or a bug: the watch fails with it', async () => {
    for (const error of [new SshConnectError('host key changed', { transient: false }), new Error('bug'), new RemoteError('squeue: invalid option')]) {
      const { events, result } = await watchThrough(error);
      await expect(result).rejects.toBe(error);
      expect(retryMessages(events)).toEqual([]);
    }
  });
});

describe('watchRun interrupted', () => {
  it('Ctrl-C stops watching, never the jobs; the next watch resumes from run.json', async () => {
    const fake = new FakeCluster();
    const { resultsDir, runId } = await submittedRun(fake, ['PENDING']);
    const controller = new AbortController();
    const first = await watchRun({
      transport: fake,
      resultsDir,
      runId,
      signal: controller.signal,
      sleep: async () => {
        fake.jobs.get('500')!.state = 'RUNNING';
        controller.abort();
      },
    });
    expect(first.outcome).toBe('aborted');
    expect(fake.count('scancel')).toBe(0);
    expect((await readRunRecord(resultsDir, runId)).jobs[0]?.state).toBe('PENDING');
    const events: WatchEvent[] = [];
    const second = await watchRun({
      transport: fake,
      resultsDir,
      runId,
      sleep: async () => {
        fake.jobs.get('500')!.state = 'COMPLETED';
      },
      onEvent: (e) => events.push(e),
    });
    expect(second.outcome).toBe('done');
    expect(events.filter((e) => e.kind === 'change').map((e) => (e.kind === 'change' ? `${e.from ?? ''}>${e.to}` : ''))).toEqual(['PENDING>RUNNING', 'RUNNING>COMPLETED']);
  });
});

describe('watchRun when SLURM forgets a job', () => {
  it('reads the job exit.json when the job left squeue and accounting is off', async () => {
    const fake = new FakeCluster();
    fake.accounting = false;
    const { resultsDir, runId } = await submittedRun(fake, ['RUNNING', 'RUNNING']);
    const record = await readRunRecord(resultsDir, runId);
    fake.files.set(`${record.remote_dir}/out/e0/main/exit.json`, '{"exit_code": 0, "signal": null}');
    fake.files.set(`${record.remote_dir}/out/e1/main/exit.json`, '{"exit_code": 2, "signal": null}');
    const result = await watchRun({
      transport: fake,
      resultsDir,
      runId,
      sleep: async () => {
        for (const job of fake.jobs.values()) job.agedOut = true;
      },
    });
    expect(result.jobs.map((j) => j.state)).toEqual(['COMPLETED', 'FAILED']);
    expect(result.jobs[1]?.verdict.title).toMatch(/exit code 2/);
    expect(result.exitCode).toBe(1);
    const saved = await readRunRecord(resultsDir, runId);
    expect(saved.history.some((h) => h.event === 'note' && /read from exit.json/.test(h.message ?? ''))).toBe(true);
  });

  it('keeps the last known state, marked final, when there is no exit.json either', async () => {
    const fake = new FakeCluster();
    fake.accounting = false;
    const { resultsDir, runId } = await submittedRun(fake, ['RUNNING']);
    const result = await watchRun({
      transport: fake,
      resultsDir,
      runId,
      sleep: async () => {
        for (const job of fake.jobs.values()) job.agedOut = true;
      },
    });
    expect(result.outcome).toBe('done');
    expect(result.record.jobs[0]).toMatchObject({ state: 'RUNNING', final: true });
    expect(result.exitCode).toBe(1);
  });
});

describe('pending limit clock', () => {
  it('measures pending time from the submission recorded in run.json, not SLURM local timestamps', async () => {
    const fake = new FakeCluster();
    const { resultsDir, runId } = await submittedRun(fake, ['PENDING']);
    const record = await readRunRecord(resultsDir, runId);
    Object.assign(record.jobs[0] ?? {}, { submitted_at: '2026-11-24T06:59:00.000Z' });
    await writeRunRecord(resultsDir, record);
    // The cluster's clock is in another time zone: its local submit time looks hours old.
    Object.assign(fake.jobs.get('500') ?? {}, { reason: 'Priority', submitTime: '2026-11-24T03:59:00' });
    const result = await watchRun({
      transport: fake,
      resultsDir,
      runId,
      pendingLimitSeconds: 600,
      now: () => new Date('2026-11-24T07:00:00.000Z'),
      sleep: async () => {
        Object.assign(fake.jobs.get('500') ?? {}, { state: 'COMPLETED' });
      },
    });
    expect(fake.count('scancel')).toBe(0);
    expect(result.exitCode).toBe(0);
  });
});

describe('statusRun when SLURM forgot the jobs', () => {
  it('shows the outcome from exit.json, and the last known state otherwise', async () => {
    const fake = new FakeCluster();
    fake.accounting = false;
    const { resultsDir, runId } = await submittedRun(fake, ['COMPLETED', 'COMPLETED']);
    for (const job of fake.jobs.values()) job.agedOut = true;
    const record = await readRunRecord(resultsDir, runId);
    Object.assign(record.jobs[1] ?? {}, { state: 'RUNNING' });
    fake.files.set(`${record.remote_dir}/out/e0/main/exit.json`, '{"exit_code": 1, "signal": null}');
    const result = await statusRun({ transport: fake, resultsDir, record });
    expect(result.accounting).toBe('unavailable');
    expect(result.rows.map((r) => [r.state, r.source, r.exitCode])).toEqual([
      ['FAILED', 'exit.json', '1:0'],
      ['RUNNING', 'run.json', null],
    ]);
    expect((await readRunRecord(resultsDir, runId)).jobs[0]).toMatchObject({ state: 'FAILED', final: true });
  });
});

describe('watchRun and preemption', () => {
  it('keeps watching a preempted job that the partition requeues', async () => {
    const fake = new FakeCluster();
    const { resultsDir, runId } = await submittedRun(fake, ['RUNNING']);
    const script = ['PREEMPTED', 'PENDING', 'RUNNING', 'COMPLETED'];
    const result = await watchRun({
      transport: fake,
      resultsDir,
      runId,
      sleep: async () => {
        Object.assign(fake.jobs.get('500') ?? {}, { state: script.shift() ?? 'COMPLETED' });
      },
    });
    expect(result.exitCode).toBe(0);
    const states = result.record.history.filter((h) => h.event === 'state').map((h) => h.state);
    expect(states).toEqual(['RUNNING', 'PREEMPTED', 'PENDING', 'RUNNING', 'COMPLETED']);
  });

  it('ends on PREEMPTED when the job does not come back', async () => {
    const fake = new FakeCluster();
    const { resultsDir, runId } = await submittedRun(fake, ['PREEMPTED']);
    const result = await watchRun({ transport: fake, resultsDir, runId, sleep: noSleep });
    expect(result.outcome).toBe('done');
    expect(result.jobs[0]?.state).toBe('PREEMPTED');
    expect(fake.count('squeue')).toBe(3);
  });
});
