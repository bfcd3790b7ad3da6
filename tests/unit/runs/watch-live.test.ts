// watchRun with the live view on: the fake cluster answers squeue, and the live command runs its
// real script on local files standing in for the cluster's (LocalTransport), so a cycle's cost
// and the events it produces are those of a real watch.
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeRunRecord } from '../../../src/runs/registry.js';
import { createRunRecord } from '../../../src/runs/run-record.js';
import { watchRun, type WatchEvent } from '../../../src/runs/watch.js';
import { LocalTransport } from '../../../src/transport/local.js';
import type { ExecOptions, ExecResult, Transport } from '../../../src/transport/transport.js';
import { FakeCluster } from './fake-cluster.js';
import { CLUSTER, makeRenderedRun } from './helpers.js';

/** SLURM commands go to the fake cluster, shell scripts (the live read) to this machine. */
function splitTransport(fake: FakeCluster, shells: string[]): Transport {
  const local = new LocalTransport();
  return Object.assign(Object.create(fake) as FakeCluster, {
    execShell: (script: string, opts?: ExecOptions): Promise<ExecResult> => {
      shells.push(script);
      return local.execShell(script, opts);
    },
  });
}

describe('watchRun with the live view', () => {
  it('adds one remote command per cycle for all running tasks, and emits task events and a TIMEOUT warning once', async () => {
    const fake = new FakeCluster();
    const { resultsDir, runDir, manifest } = makeRenderedRun([{ experiment: 'train' }, { experiment: 'other' }]);
    // As render writes it: every job names its training log (relative to its task directory).
    const onDisk = JSON.parse(readFileSync(join(runDir, 'manifest.json'), 'utf8')) as { jobs: Record<string, unknown>[] };
    for (const job of onDisk.jobs) job.training_log = 'train.jsonl';
    writeFileSync(join(runDir, 'manifest.json'), JSON.stringify(onDisk));
    const record = createRunRecord(manifest, CLUSTER, new Date('2026-11-24T06:00:00Z'));
    record.phase = 'submitted';
    // The run's directory "on the cluster" is a local one: the live script reads it with sh.
    record.remote_dir = mkdtempSync(join(tmpdir(), 'hpcbench-remote-'));
    const outDir = join(record.remote_dir, 'out', 'train', 'main');
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, 'train.jsonl'), '{"step": 10, "loss": 1.0, "max_steps": 1000}\n');
    const [train, other] = record.jobs;
    if (!train || !other) throw new Error('two jobs expected');
    train.job_id = '700';
    other.job_id = '701';
    fake.addJob({ id: '700', name: train.job_name, state: 'RUNNING', elapsed: '1:00', timeLimit: '5:00' });
    fake.addJob({ id: '701', name: other.job_name, state: 'RUNNING', elapsed: '1:00', timeLimit: '5:00' });
    await writeRunRecord(resultsDir, record);

    const shells: string[] = [];
    const events: WatchEvent[] = [];
    let clock = Date.parse('2026-11-24T07:00:00Z');
    let cycle = 0;
    const result = await watchRun({
      transport: splitTransport(fake, shells),
      resultsDir,
      runId: record.run_id,
      now: () => new Date(clock),
      live: { thresholds: { sstat: false } },
      sleep: async () => {
        cycle += 1;
        clock += 10_000;
        // 10 steps per 10 s: 1 step/s with 970 steps left, far beyond the 5-minute limit.
        appendFileSync(join(outDir, 'train.jsonl'), `{"step": ${10 + 10 * cycle}, "loss": 0.9}\n`);
        if (cycle === 3) for (const job of fake.jobs.values()) job.state = 'COMPLETED';
      },
      onEvent: (e) => events.push(e),
    });
    expect(result.exitCode).toBe(0);
    const squeues = fake.calls.filter((c) => c[0] === 'squeue').length;
    // Cycles 1–3 saw running jobs (one live command each, for both jobs); cycle 4 saw them end.
    expect(squeues).toBe(4);
    expect(shells).toHaveLength(3);
    const tasks = events.filter((e) => e.kind === 'task');
    expect(tasks.map((t) => `${t.experiment}/${t.task}`)).toEqual(['train/main', 'other/main', 'train/main', 'other/main', 'train/main', 'other/main']);
    const last = tasks.filter((t) => t.experiment === 'train').at(-1);
    expect(last?.progress).toMatchObject({ done: 30, total: 1000, ratePerS: 1, rateSource: 'window', etaS: 970 });
    const warnings = events.filter((e) => e.kind === 'warning');
    expect(warnings.map((w) => [w.experiment, w.code])).toEqual([['train', 'timeout-risk']]);
  });

  it('follows job states alone when the live read fails for good, saying so once', async () => {
    const fake = new FakeCluster();
    const { resultsDir, manifest } = makeRenderedRun([{ experiment: 'train' }]);
    const record = createRunRecord(manifest, CLUSTER, new Date('2026-11-24T06:00:00Z'));
    record.phase = 'submitted';
    const [train] = record.jobs;
    if (!train) throw new Error('one job expected');
    train.job_id = '800';
    fake.addJob({ id: '800', name: train.job_name, state: 'RUNNING', elapsed: '1:00', timeLimit: '5:00' });
    await writeRunRecord(resultsDir, record);
    const transport = Object.assign(Object.create(fake) as FakeCluster, {
      execShell: (): Promise<ExecResult> => Promise.reject(new Error('sh: permission denied')),
    });
    const events: WatchEvent[] = [];
    let cycle = 0;
    const result = await watchRun({
      transport,
      resultsDir,
      runId: record.run_id,
      live: {},
      sleep: async () => {
        cycle += 1;
        if (cycle === 3) for (const job of fake.jobs.values()) job.state = 'COMPLETED';
      },
      onEvent: (e) => events.push(e),
    });
    expect(result.exitCode).toBe(0);
    expect(events.filter((e) => e.kind === 'live-off')).toEqual([{ kind: 'live-off', message: 'live progress stopped: sh: permission denied' }]);
  });
});
