// Faults survived, each against the real test cluster over real SSH: sshd and slurmctld stopped
// and restarted during a watch, the answer to sbatch lost after it ran, a changed host key.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RemoteError, ConnectionLostError } from '../../src/errors.js';
import { main } from '../../src/cli/main.js';
import { listRunIds, readRunRecord, statusRun, watchRun, type WatchEvent } from '../../src/runs/index.js';
import { connectCluster } from '../../src/runs/connect.js';
import { writeRunRecord } from '../../src/runs/registry.js';
import { SshTransport } from '../../src/transport/ssh.js';
import type { Transport } from '../../src/transport/transport.js';
import { ed25519Blob } from '../unit/transport/support/ssh-keys.js';
import { controlClusterDaemon, describeCluster } from './support/cluster.js';
import { cleanUpRuns, connectProject, openProject, quietSsh, renderAndSubmit, writeTestProject, type TestProject } from './submit-helpers.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** An ed25519 public key line that is certainly not the server's. */
function otherHostKeyLine(host: string, port: number): string {
  return `[${host}]:${port} ssh-ed25519 ${ed25519Blob().toString('base64')}\n`;
}

/** A transport that runs sbatch for real and then loses its answer, as a dropped connection would. */
function losingFirstSbatchAnswer(inner: Transport): Transport {
  let lost = false;
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'exec') {
        return async (argv: readonly string[], opts?: Parameters<Transport['exec']>[1]) => {
          const result = await target.exec(argv, opts);
          if (!lost && argv[0] === 'sbatch' && !argv.includes('--test-only')) {
            lost = true;
            throw new ConnectionLostError('the connection was lost while running sbatch', { commandSent: true });
          }
          return result;
        };
      }
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

describeCluster('faults survived on the test cluster', (cluster) => {
  let project: TestProject;
  const runs: string[] = [];
  let cleanup: Transport;

  beforeAll(() => {
    project = openProject(
      writeTestProject(cluster, {
        steady: { command: 'sleep 25; echo done' },
        lost: { command: 'sleep 1' },
        upstream: { command: 'sleep 1' },
        downstream: { command: 'sleep 1', depends_on: ['upstream'] },
      }),
    );
    cleanup = connectProject(project);
  });

  afterAll(async () => {
    // Whatever happened, the daemons are running again and our jobs are gone.
    try {
      controlClusterDaemon('start', 'sshd');
    } catch {
      // already running
    }
    try {
      controlClusterDaemon('start', 'slurmctld');
    } catch {
      // already running
    }
    await cleanUpRuns(project, cleanup);
    await cleanup.close();
  });

  async function watchThrough(fault: { stop: () => void; start: () => void; outageMs: number }): Promise<{ events: WatchEvent[]; transport: SshTransport; result: Awaited<ReturnType<typeof watchRun>> }> {
    const transport = connectProject(project, { reconnect: { attempts: 3, baseDelayMs: 500, maxDelayMs: 2000 } }) as SshTransport;
    const submitted = await renderAndSubmit(project, transport, 'steady');
    runs.push(submitted.record.run_id);
    const events: WatchEvent[] = [];
    let injected: Promise<void> | undefined;
    try {
      const result = await watchRun({
        transport,
        resultsDir: project.resultsDir,
        runId: submitted.record.run_id,
        pollFloorMs: 1000,
        pollCeilingMs: 3000,
        onEvent: (event) => {
          events.push(event);
          // Once the job runs, take the daemon away for a while, then bring it back.
          if (!injected && event.kind === 'progress' && event.jobs[0]?.state === 'RUNNING') {
            fault.stop();
            injected = sleep(fault.outageMs).then(fault.start);
          }
        },
      });
      return { events, transport, result };
    } finally {
      // Bring the daemon back even when the watch failed, so later tests find it running.
      await injected;
      await transport.close();
    }
  }

  it('reconnects after sshd is stopped and restarted during watch, and finishes correctly', async () => {
    const { events, transport, result } = await watchThrough({
      stop: () => controlClusterDaemon('stop', 'sshd'),
      start: () => controlClusterDaemon('start', 'sshd'),
      outageMs: 12_000,
    });
    expect(result.exitCode).toBe(0);
    expect(result.jobs[0]?.state).toBe('COMPLETED');
    const retries = events.filter((e) => e.kind === 'retrying').map((e) => (e.kind === 'retrying' ? e.message : ''));
    expect(retries.length).toBeGreaterThan(0);
    expect(retries.every((m) => m.startsWith('connection lost, reconnecting'))).toBe(true);
    expect(transport.reconnects).toBeGreaterThanOrEqual(1);
    // The outage never shows up as a state of the job.
    const record = await readRunRecord(project.resultsDir, result.record.run_id);
    expect(record.history.filter((h) => h.event === 'state').map((h) => h.state)).not.toContain('FAILED');
  });

  it('reports a stopped slurmctld as "controller unreachable, retrying", never as a job failure', async () => {
    const { events, result } = await watchThrough({
      stop: () => controlClusterDaemon('stop', 'slurmctld'),
      start: () => controlClusterDaemon('start', 'slurmctld'),
      // squeue itself keeps trying to reach slurmctld for ~18 s before it gives up.
      outageMs: 30_000,
    });
    const retries = events.filter((e) => e.kind === 'retrying').map((e) => (e.kind === 'retrying' ? e.message : ''));
    expect(retries.length).toBeGreaterThan(0);
    expect(retries.filter((m) => m.startsWith('controller unreachable, retrying')), retries.join('\n')).not.toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.jobs[0]?.state).toBe('COMPLETED');
    const states = result.record.history.filter((h) => h.event === 'state').map((h) => h.state);
    expect(states.filter((s) => s !== 'PENDING' && s !== 'RUNNING' && s !== 'COMPLETED')).toEqual([]);
  });

  it('never submits twice when the answer to sbatch is lost after it ran', async () => {
    const inner = connectProject(project);
    try {
      const submitted = await renderAndSubmit(project, losingFirstSbatchAnswer(inner), 'lost');
      runs.push(submitted.record.run_id);
      const job = submitted.record.jobs[0];
      expect(job?.attempts.map((a) => a.outcome)).toEqual(['recovered']);
      // SLURM holds exactly one job with this run's tag.
      const listed = await inner.exec(['squeue', '--noheader', '--states=all', '--name=lost', '--format=%i %k']);
      const mine = listed.stdout.split('\n').filter((l) => l.includes(`hpcbench:${submitted.record.run_id}`));
      expect(mine).toHaveLength(1);
      expect(mine[0]?.split(' ')[0]).toBe(job?.job_id);
    } finally {
      await inner.close();
    }
  });

  it('resumes a submission interrupted half-way through the CLI, submitting nothing twice', async () => {
    const inner = connectProject(project);
    let sbatches = 0;
    // The process "dies" (a non-retryable error) right before the second sbatch.
    const dying = new Proxy(inner, {
      get(target, prop, receiver) {
        if (prop === 'exec') {
          return async (argv: readonly string[], opts?: Parameters<Transport['exec']>[1]) => {
            if (argv[0] === 'sbatch' && !argv.includes('--test-only') && ++sbatches === 2) throw new RemoteError('simulated crash');
            return target.exec(argv, opts);
          };
        }
        const value = Reflect.get(target, prop, receiver) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    try {
      await expect(renderAndSubmit(project, dying, 'downstream')).rejects.toThrow(/simulated crash/);
    } finally {
      await inner.close();
    }
    const interrupted = (await listRunIds(project.resultsDir)).filter((id) => id.includes('-downstream-'));
    expect(interrupted).toHaveLength(1);
    const runId = interrupted[0] ?? '';
    runs.push(runId);
    const before = await readRunRecord(project.resultsDir, runId);
    const upstreamId = before.jobs[0]?.job_id;
    expect(upstreamId).toMatch(/^\d+$/);
    expect(before.jobs[1]?.job_id).toBeUndefined();
    expect(before.phase).toBe('submitting');

    const code = await main(['submit', '--resume', runId, '--results', project.resultsDir, '--quiet']);
    expect(code).toBe(0);
    const after = await readRunRecord(project.resultsDir, runId);
    expect(after.phase).toBe('submitted');
    expect(after.jobs[0]?.job_id).toBe(upstreamId);
    expect(after.jobs[0]?.attempts).toHaveLength(1);
    expect(after.jobs[1]?.job_id).toMatch(/^\d+$/);
    const result = await watchRun({ transport: cleanup, resultsDir: project.resultsDir, runId, pollFloorMs: 1000 });
    expect(result.exitCode).toBe(0);
  });

  it('refuses a changed host key with its fingerprint and touches nothing', async () => {
    const badKnownHosts = join(project.dir, 'known_hosts.changed');
    writeFileSync(badKnownHosts, otherHostKeyLine(cluster.host, cluster.port));
    const changed = { ...project.cluster, ssh: { ...(project.cluster.ssh ?? { host: cluster.host }), known_hosts: badKnownHosts } };
    const transport = connectCluster(changed, quietSsh);
    const submitted = await renderAndSubmit(project, cleanup, 'lost');
    runs.push(submitted.record.run_id);
    const record = await readRunRecord(project.resultsDir, submitted.record.run_id);
    try {
      const attempt = statusRun({ transport, resultsDir: project.resultsDir, record });
      await expect(attempt).rejects.toBeInstanceOf(RemoteError);
      await expect(attempt).rejects.toThrow(/host key/i);
      await expect(attempt).rejects.toThrow(/SHA256:/);
    } finally {
      await transport.close();
    }
    // Through the CLI: exit code 3, even with --accept-new-host-key (a changed key is never pinned).
    record.cluster = changed;
    await writeRunRecord(project.resultsDir, record);
    const code = await main(['status', record.run_id, '--results', project.resultsDir, '--accept-new-host-key', '--quiet']);
    expect(code).toBe(3);
  });
});
