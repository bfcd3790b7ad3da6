// The status query of a run asks sacct only about jobs since the run was created
// (`--starttime=now-<minutes>`, relative to the cluster's clock): the real sacct must accept that
// form together with --jobs and --duplicates and still report a job submitted after the run began.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { queryJobs, type QueryCounters } from '../../src/runs/query.js';
import { SshTransport } from '../../src/transport/ssh.js';
import { describeCluster } from './support/cluster.js';
import { QUIET_SSH, clusterSshTarget } from './support/ssh-target.js';

async function until<T>(what: string, probe: () => Promise<T | undefined>, attempts = 120): Promise<T> {
  for (let i = 0; i < attempts; i += 1) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`gave up waiting: ${what}`);
}

describeCluster('sacct --starttime on the test cluster', (cluster) => {
  let ssh: SshTransport;
  const submitted: string[] = [];

  beforeAll(() => {
    ssh = new SshTransport(clusterSshTarget(cluster), QUIET_SSH);
  });

  afterAll(async () => {
    if (submitted.length > 0) await ssh.exec(['scancel', ...submitted]).catch(() => undefined);
    await ssh.close();
  });

  it('reports a finished job of the run from the one sacct call that carries --starttime', async () => {
    const runCreatedAt = new Date().toISOString();
    const sbatch = await ssh.exec(['sbatch', '--parsable', `--partition=${cluster.defaultPartition ?? 'cpu'}`, '--time=1', '--mem=64M', '--chdir=/tmp', '--output=/dev/null', '--job-name=hpcb-starttime', '--wrap=true']);
    expect(sbatch.code, sbatch.stderr).toBe(0);
    const job = sbatch.stdout.trim();
    submitted.push(job);
    // slurmdbd records the end a moment after squeue shows it.
    const ended = await until('sacct to record the job as completed', async () => {
      const counters: QueryCounters = { squeue: 0, sacct: 0 };
      const result = await queryJobs(ssh, [job], { counters, runCreatedAt });
      const view = result.views[0];
      return view?.source === 'sacct' && view.state.name === 'COMPLETED' ? { result, counters } : undefined;
    });
    expect(ended.counters).toEqual({ squeue: 1, sacct: 1 });
    expect(ended.result.accounting).toBe('ok');
    expect(ended.result.views[0]?.records.map((r) => [r.jobId, r.restarts])).toEqual([[job, 0]]);
  });
});
