// submit → watch → status → fetch → cancel against the real SLURM test cluster over real SSH.
// Every job is started in beforeAll and followed concurrently, so the slowest one (TIMEOUT,
// a little over a minute) sets the duration of the whole file.
import { existsSync, readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fetchRun, readRunRecord, resolveRunId, statusRun, watchRun, type WatchRunResult } from '../../src/runs/index.js';
import type { Transport } from '../../src/transport/transport.js';
import { readMetricsDocument } from '../../src/contracts/metrics.js';
import { runCli as cli } from '../unit/cli/run-cli.js';
import { describeCluster } from './support/cluster.js';
import { cleanUpRuns, connectProject, openProject, renderAndSubmit, writeTestProject, type TestProject } from './submit-helpers.js';

describeCluster('submit, watch, status, fetch and cancel on the test cluster', (cluster) => {
  let project: TestProject;
  let transport: Transport;
  const watches = new Map<string, Promise<WatchRunResult>>();
  const runIds = new Map<string, string>();

  const follow = async (experiment: string): Promise<void> => {
    const submitted = await renderAndSubmit(project, transport, experiment);
    runIds.set(experiment, submitted.record.run_id);
    const watch = watchRun({ transport, resultsDir: project.resultsDir, runId: submitted.record.run_id, pollFloorMs: 1000, pollCeilingMs: 5000 });
    watch.catch(() => undefined);
    watches.set(experiment, watch);
  };

  beforeAll(async () => {
    process.env.HPCBENCH_TEST_POLL_FLOOR_MS = '1000';
    project = openProject(
      writeTestProject(cluster, {
        first: { command: 'echo first; sleep 2' },
        second: { command: 'echo "task $HPCBENCH_TASK x=$x" > "$HPCBENCH_OUT_DIR/result.txt"', depends_on: ['first'], sweep: { x: [1, 2, 3] } },
        fails: { command: 'echo broken >&2; exit 3' },
        slow: { command: 'sleep 600', time: '1' },
        // Holds 1.5 GiB until it is killed: a job that peaks and exits between two samples would
        // slip past OverMemoryKill (the test cluster's enforcement where cgroup v1 is not writable).
        hungry: { command: `python3 -c 'import time; b = bytes([1]) * (1536 << 20); time.sleep(300)'`, mem: '100M' },
        doomed: { command: 'sleep 600' },
        later: { command: 'echo never', extra: ['--begin=now+1hour'] },
        sweep: { command: 'echo "point $HPCBENCH_TASK of $HPCBENCH_RUN_ID: n=$n" > "$HPCBENCH_OUT_DIR/point.txt"', sweep: { n: [10, 20, 30, 40] } },
      }),
    );
    transport = connectProject(project);
    await Promise.all(['fails', 'slow', 'hungry', 'doomed', 'sweep'].map(follow));
  });

  afterAll(async () => {
    delete process.env.HPCBENCH_TEST_POLL_FLOOR_MS;
    // Nothing of ours may keep running on the shared cluster, nor stay in its work directory.
    if (transport) await cleanUpRuns(project, transport);
    await transport?.close();
  });

  it('runs a dependency chain into an array through the CLI: submit, watch (exit 0), status, fetch (resumable)', async () => {
    const submitted = await cli(['submit', 'second', '--config', project.config, '--results', project.resultsDir]);
    expect(submitted.code).toBe(0);
    const runId = await resolveRunId(project.resultsDir, submitted.stdout.trim());
    const record = await readRunRecord(project.resultsDir, runId);
    expect(record.jobs.map((j) => j.experiment)).toEqual(['first', 'second']);
    const [first, second] = record.jobs;
    expect(first?.job_id).toMatch(/^\d+$/);
    expect(second?.array?.size).toBe(3);

    const watched = await cli(['watch', runId, '--config', project.config, '--results', project.resultsDir]);
    expect(watched.code).toBe(0);
    expect(watched.stdout).toMatch(/second\s+\d+\s+COMPLETED/);

    const status = await cli(['status', runId, '--json', '--results', project.resultsDir]);
    expect(status.code).toBe(0);
    const rows = (JSON.parse(status.stdout) as { rows: { experiment: string; state: string; tasks?: Record<string, string> }[] }).rows;
    expect(rows.map((r) => r.state)).toEqual(['COMPLETED', 'COMPLETED']);
    expect(rows[1]?.tasks).toEqual({ '0': 'COMPLETED', '1': 'COMPLETED', '2': 'COMPLETED' });

    // The dependency held: the array started only after `first` ended.
    const after = await readRunRecord(project.resultsDir, runId);
    const firstDone = after.history.find((h) => h.experiment === 'first' && h.state === 'COMPLETED');
    const secondRan = after.history.find((h) => h.experiment === 'second' && (h.state === 'RUNNING' || h.state === 'COMPLETED'));
    expect(firstDone && secondRan && firstDone.at <= secondRan.at).toBe(true);

    const fetched = await cli(['fetch', runId, '--json', '--results', project.resultsDir]);
    expect(fetched.code).toBe(0);
    const runDir = join(project.resultsDir, runId);
    for (const task of ['0', '1', '2']) {
      expect(readFileSync(join(runDir, 'out', 'second', task, 'result.txt'), 'utf8')).toMatch(new RegExp(`^task ${task} x=${Number(task) + 1}`));
      expect(existsSync(join(runDir, 'out', 'second', task, 'job.out'))).toBe(true);
      expect(existsSync(join(runDir, 'out', 'second', task, 'metadata.json'))).toBe(true);
    }
    expect(readFileSync(join(runDir, 'out', 'first', 'main', 'job.out'), 'utf8')).toContain('first');
    const again = JSON.parse((await cli(['fetch', runId, '--json', '--results', project.resultsDir])).stdout) as { bytes: number; skipped: number; files: unknown[] };
    expect(again.bytes).toBe(0);
    expect(again.skipped).toBe(again.files.length);

    // The accounting fetched with the logs reaches the profile: sacct facts for every task.
    // slurmdbd records array tasks a few seconds after they end; fetch says so, and again completes it.
    let accounting = (JSON.parse((await cli(['fetch', runId, '--json', '--results', project.resultsDir])).stdout) as { accounting: { status: string } }).accounting;
    for (let i = 0; i < 15 && accounting.status === 'partial'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 2000));
      accounting = (JSON.parse((await cli(['fetch', runId, '--json', '--results', project.resultsDir])).stdout) as { accounting: { status: string } }).accounting;
    }
    expect(accounting.status).toBe('saved');
    expect(existsSync(join(runDir, 'sacct.txt'))).toBe(true);
    const profiled = await cli(['profile', runDir, '--config', project.config]);
    expect(profiled.code).toBe(0);
    const metrics = readMetricsDocument(join(runDir, 'metrics.json'));
    expect(metrics.tasks.map((t) => `${t.experiment}/${t.task}`)).toEqual(['first/main', 'second/0', 'second/1', 'second/2']);
    for (const task of metrics.tasks) {
      expect(task.accounting?.state, `${task.experiment}/${task.task}`).toBe('COMPLETED');
      expect(task.accounting?.queueWaitSeconds).toBeGreaterThanOrEqual(0);
      expect(task.accounting?.exitCode).toBe('0:0');
      // Each task is matched to its own sacct record: the array task's id, not the array's.
      expect(task.accounting?.jobId).toMatch(task.experiment === 'first' ? /^\d+$/ : new RegExp(`^\\d+_${task.task}$`));
    }
    const reported = await cli(['report', runDir, '--format', 'md,csv', '--config', project.config]);
    expect(reported.code).toBe(0);
    expect(readFileSync(join(runDir, 'report', 'report.md'), 'utf8')).toMatch(/second/);
  });

  it('submits a sweep as one array job whose tasks each get their point and output directory', async () => {
    const result = await watches.get('sweep');
    expect(result?.exitCode).toBe(0);
    const runId = runIds.get('sweep') ?? '';
    const record = await readRunRecord(project.resultsDir, runId);
    const job = record.jobs[0];
    expect(job?.array).toEqual({ spec: expect.stringMatching(/^0-3/), size: 4 });
    expect(job?.tasks).toEqual({ '0': 'COMPLETED', '1': 'COMPLETED', '2': 'COMPLETED', '3': 'COMPLETED' });
    // One sbatch for the whole sweep.
    expect(job?.attempts).toHaveLength(1);
    await fetchRun({ transport, record, runDir: join(project.resultsDir, runId) });
    const points = ['0', '1', '2', '3'].map((t) => readFileSync(join(project.resultsDir, runId, 'out', 'sweep', t, 'point.txt'), 'utf8').trim());
    expect(points).toEqual([10, 20, 30, 40].map((n, i) => `point ${i} of ${runId}: n=${n}`));
  });

  it('submit --test-only checks the work directory, the offline HF cache and sbatch --test-only, and uploads nothing', async () => {
    const hf = `${cluster.remoteWorkdir}/hf-cache-${process.pid}`;
    await transport.exec(['mkdir', '-p', `${hf}/hub/models--org--present/snapshots/0123abcd`]);
    await transport.exec(['touch', `${hf}/hub/models--org--present/snapshots/0123abcd/config.json`]);
    try {
      const good = writeTestProject(cluster, { infer: { command: 'true', models: ['org/present'] } }, { hfCache: hf });
      const ok = await cli(['submit', 'infer', '--test-only', '--config', good.config, '--quiet']);
      expect(ok.code).toBe(0);
      expect(ok.stdout).toMatch(/preflight passed for run (\S+); nothing was uploaded or submitted/);
      const runId = /run (\S+);/.exec(ok.stdout)?.[1] ?? '';
      expect(await transport.stat(`${cluster.remoteWorkdir}/${runId}`)).toBeUndefined();

      const bad = writeTestProject(cluster, { infer: { command: 'true', models: ['org/present', 'org/absent'] } }, { hfCache: hf, workdir: '/does-not-exist' }); // submit creates a missing workdir: this one it cannot
      const failed = await cli(['submit', 'infer', '--config', bad.config]);
      expect(failed.code).toBe(1);
      const text = failed.stderr;
      expect(text).toMatch(/preflight failed \(2 of 4 checks\)/);
      expect(text).toMatch(/does-not-exist does not exist/);
      expect(text).toMatch(/org\/absent is not in the offline cache .*models--org--absent/);
      expect(text).not.toMatch(/org\/present is not/);
    } finally {
      await transport.exec(['rm', '-rf', '--', hf]);
    }
  });

  it('watch --pending-limit cancels a job pending too long and says why', async () => {
    const submitted = await renderAndSubmit(project, transport, 'later');
    const runId = submitted.record.run_id;
    runIds.set('later', runId);
    const watched = await cli(['watch', runId, '--pending-limit', '0:02', '--results', project.resultsDir]);
    expect(watched.code).toBe(1);
    expect(watched.stderr).toMatch(/later \(job \d+\) cancelled: pending for .* over the limit of .*BeginTime/);
    const record = await readRunRecord(project.resultsDir, runId);
    expect(record.jobs[0]?.state).toMatch(/^CANCELLED/);
    expect(record.history.some((h) => h.event === 'cancel' && /BeginTime/.test(h.message ?? ''))).toBe(true);
  });

  it('Ctrl-C stops watch with exit code 130 and leaves the job queued', async () => {
    const submitted = await renderAndSubmit(project, transport, 'later');
    const runId = submitted.record.run_id;
    // The real binary in its own process, as a user runs it, so that SIGINT is a real signal.
    const child = spawn(process.execPath, [resolve('bin/hpcbench.js'), 'watch', runId, '--results', project.resultsDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    // Interrupt once it is watching (at most 60 s, for a busy machine), and a poll or two later.
    for (let i = 0; i < 600 && !stderr.includes(`watching run ${runId}`); i++) await new Promise((r) => setTimeout(r, 100));
    expect(stderr).toContain(`watching run ${runId}`);
    await new Promise((r) => setTimeout(r, 2000));
    child.kill('SIGINT');
    expect(await exited, stderr).toBe(130);
    expect(stderr).toContain(`hpcbench: stopped watching run ${runId}; its jobs keep running`);
    expect(stderr).toContain(`hint: Resume with \`hpcbench watch ${runId}\``);
    const jobId = submitted.record.jobs[0]?.job_id ?? '';
    const queued = await transport.exec(['squeue', '--noheader', '--jobs', jobId, '--format=%T']);
    expect(queued.stdout.trim()).toBe('PENDING');
  });

  it('reports a job exiting non-zero as FAILED with its exit code', async () => {
    const result = await watches.get('fails');
    expect(result?.exitCode).toBe(1);
    expect(result?.jobs[0]).toMatchObject({ state: 'FAILED', verdict: { action: 'fix-and-resubmit' } });
    expect(result?.jobs[0]?.verdict.title).toMatch(/exit code 3/);
  });

  it('reports a job over its memory limit as out of memory with the memory to ask for next', async () => {
    const result = await watches.get('hungry');
    expect(result?.exitCode).toBe(1);
    const job = result?.jobs[0];
    // cgroup enforcement gives OUT_OF_MEMORY; OverMemoryKill gives FAILED + batch step CANCELLED by 0.
    expect(job?.verdict.effectiveState.name).toBe('OUT_OF_MEMORY');
    expect(job?.verdict).toMatchObject({ action: 'increase-memory', suggestedMem: expect.any(String) });
  });

  it('cancels a running job through the CLI and watch reports it CANCELLED', async () => {
    const runId = runIds.get('doomed') ?? '';
    // Let it start first: cancelling a running job is the interesting case.
    for (let i = 0; i < 60; i++) {
      const record = await readRunRecord(project.resultsDir, runId);
      if (record.jobs[0]?.state === 'RUNNING') break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const cancelled = await cli(['cancel', runId, '--results', project.resultsDir]);
    expect(cancelled.code).toBe(0);
    expect(cancelled.stdout).toMatch(/cancelled doomed \(job \d+\)/);
    const result = await watches.get('doomed');
    expect(result?.exitCode).toBe(1);
    expect(result?.jobs[0]?.state).toMatch(/^CANCELLED/);
    const record = await readRunRecord(project.resultsDir, runId);
    expect(record.history.some((h) => h.event === 'cancel')).toBe(true);
  });

  it('reports a job past its time limit as TIMEOUT with the time to ask for next', async () => {
    const result = await watches.get('slow');
    expect(result?.exitCode).toBe(1);
    expect(result?.jobs[0]).toMatchObject({ state: 'TIMEOUT', verdict: { action: 'increase-time', suggestedTime: expect.any(String) } });
    // A status call after the end still answers from one squeue and at most one sacct.
    const record = await readRunRecord(project.resultsDir, runIds.get('slow') ?? '');
    const status = await statusRun({ transport, resultsDir: project.resultsDir, record });
    expect(status.rows[0]?.state).toBe('TIMEOUT');
    const fetched = await fetchRun({ transport, record, runDir: join(project.resultsDir, record.run_id) });
    expect(fetched.files.map((f) => f.path)).toContain('out/slow/main/job.err');
  });
});
