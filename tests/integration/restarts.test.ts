// Restarts counted from the real sacct: a job and an array task submitted with --requeue are
// requeued by `scontrol requeue` while running, then cancelled while pending again (a requeued
// job becomes eligible only after about two minutes, so the rerun is not waited for). The one
// sacct call of a status cycle, with --duplicates and the unit-separator format hpcbench uses,
// must then say one restart for each, and none for the task that was never requeued.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { queryJobs, taskFacts, type QueryCounters } from '../../src/runs/query.js';
import { SshTransport } from '../../src/transport/ssh.js';
import { describeCluster, type TestCluster } from './support/cluster.js';
import { QUIET_SSH, clusterSshTarget } from './support/ssh-target.js';

function transportFor(cluster: TestCluster): SshTransport {
  return new SshTransport(clusterSshTarget(cluster), QUIET_SSH);
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, attempts = 120): Promise<T> {
  for (let i = 0; i < attempts; i += 1) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`gave up waiting: ${what}`);
}

describeCluster('restarts from sacct --duplicates on the test cluster', (cluster) => {
  let ssh: SshTransport;
  const submitted: string[] = [];

  beforeAll(() => {
    ssh = transportFor(cluster);
  });

  afterAll(async () => {
    if (submitted.length > 0) await ssh.exec(['scancel', ...submitted]).catch(() => undefined);
    await ssh.close();
  });

  async function run(argv: string[]): Promise<string> {
    const result = await ssh.exec(argv);
    if (result.code !== 0) throw new Error(`${argv.join(' ')} failed (${result.code}): ${result.stderr}`);
    return result.stdout;
  }

  async function states(ids: string[]): Promise<string[]> {
    const out = await run(['squeue', '--noheader', '--states=all', `--jobs=${ids.join(',')}`, '--format=%i %T']);
    return out.trim().split('\n').filter((l) => l !== '');
  }

  it('counts the requeue of a job and of one array task through the one sacct call', async () => {
    const common = ['--parsable', '--requeue', `--partition=${cluster.defaultPartition ?? 'cpu'}`, '--time=2', '--mem=64M', '--chdir=/tmp', '--output=/dev/null'];
    const job = (await run(['sbatch', ...common, '--job-name=hpcb-restarts', '--wrap=sleep 300'])).trim();
    submitted.push(job);
    const array = (await run(['sbatch', ...common, '--job-name=hpcb-restarts-array', '--array=0-1', '--wrap=sleep 300'])).trim();
    submitted.push(array);
    await until('both jobs running', async () => {
      const rows = await states([job, array]);
      return rows.length === 3 && rows.every((r) => r.endsWith(' RUNNING')) ? rows : undefined;
    }, 200);
    await run(['scontrol', 'requeue', job]);
    await run(['scontrol', 'requeue', `${array}_1`]);

    // Pending again: live in squeue, so sacct is not asked and the count is unknown.
    const live = await until('the requeued jobs back in the queue', async () => {
      const counters: QueryCounters = { squeue: 0, sacct: 0 };
      const result = await queryJobs(ssh, [job], { counters });
      return result.views[0]?.state.name === 'PENDING' ? { result, counters } : undefined;
    });
    expect(live.counters).toEqual({ squeue: 1, sacct: 0 });
    expect(live.result.views[0]?.records[0]?.restarts).toBeUndefined();

    // The requeued task too must be pending before the cancel: a task cancelled while its
    // requeue is still completing on the node (slower under proctrack/linuxproc) keeps its
    // REQUEUED row as its last in sacct, and slurmdbd never records the cancellation.
    await until('the requeued array task back in the queue', async () => {
      const rows = await states([`${array}_1`]);
      return rows.some((r) => r.endsWith(' PENDING')) ? rows : undefined;
    });
    await run(['scancel', job, array]);
    // slurmdbd records the cancellation a moment after squeue shows it.
    const ended = await until('sacct to record the cancellations', async () => {
      const counters: QueryCounters = { squeue: 0, sacct: 0 };
      const result = await queryJobs(ssh, [job, array], { counters });
      const done = result.views.every((v) => v.state.name === 'CANCELLED' && v.records.length > 0 && v.records.every((r) => r.source === 'sacct'));
      return done ? { result, counters } : undefined;
    });
    expect(ended.counters).toEqual({ squeue: 1, sacct: 1 });
    const [plain, tasks] = ended.result.views;
    expect(plain?.records.map((r) => [r.jobId, r.restarts])).toEqual([[job, 1]]);
    expect(taskFacts(tasks!)).toEqual({ '0': { exit_code: '0:0', restarts: 0 }, '1': { exit_code: '0:0', restarts: 1 } });
  });
});
