// hpcbench status against the real SLURM test cluster over real SSH: for a job that has finished,
// squeue and sacct are asked at the same time on one connection, and the answer is the one the
// sequential path (squeue, then sacct for the jobs that need it) gives. Both are compared only once
// slurmdbd holds the job's whole allocation row, and that row is checked against sacct's own.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { queryJobs, type QueryCounters } from '../../src/runs/query.js';
import { readRunRecord, statusRun, watchRun } from '../../src/runs/index.js';
import type { Transport } from '../../src/transport/transport.js';
import { runCli as cli } from '../unit/cli/run-cli.js';
import { waitForCompleteAccounting, type AccountedJob } from './support/accounting.js';
import { describeCluster } from './support/cluster.js';
import { cleanUpRuns, connectProject, openProject, renderAndSubmit, writeTestProject, type TestProject } from './submit-helpers.js';

describeCluster('hpcbench status in one round trip', (cluster) => {
  let project: TestProject;
  let transport: Transport;
  let runId: string;
  let jobId: string;
  let accounted: AccountedJob;

  beforeAll(async () => {
    project = openProject(writeTestProject(cluster, { quick: { command: 'echo done' } }));
    transport = connectProject(project);
    const submitted = await renderAndSubmit(project, transport, 'quick');
    runId = submitted.record.run_id;
    jobId = submitted.record.jobs[0]?.job_id ?? '';
    const watched = await watchRun({ transport, resultsDir: project.resultsDir, runId, pollFloorMs: 1000, pollCeilingMs: 3000 });
    expect(watched.exitCode).toBe(0);
    // watch ends on the job's end state, which slurmdbd may hold before the job's start record
    // (name, partition, ReqTRES...): until then two sacct calls a second apart differ. The
    // comparisons below are about hpcbench, so they start from the row slurmdbd has finished.
    accounted = await waitForCompleteAccounting(transport, jobId, { expectedName: 'quick' });
  });

  afterAll(async () => {
    if (transport) await cleanUpRuns(project, transport);
    await transport?.close();
  });

  it('asks squeue and sacct once each, and reads the finished job from sacct', async () => {
    const counters: QueryCounters = { squeue: 0, sacct: 0 };
    const record = await readRunRecord(project.resultsDir, runId);
    const result = await statusRun({ transport, resultsDir: project.resultsDir, record, counters });
    expect(counters).toEqual({ squeue: 1, sacct: 1 });
    expect(result.accounting).toBe('ok');
    expect(result.rows).toMatchObject([{ experiment: 'quick', jobId, state: 'COMPLETED', source: 'sacct', exitCode: '0:0', restarts: 0 }]);
  });

  it('gives the views of the sequential path', async () => {
    const record = await readRunRecord(project.resultsDir, runId);
    const sequential = await queryJobs(transport, [jobId], { restartIds: [], runCreatedAt: record.created_at });
    const alongside = await queryJobs(transport, [jobId], { restartIds: [], runCreatedAt: record.created_at, accountingAlongside: true });
    expect(alongside).toEqual(sequential);
    // And both say what sacct says, not just the same thing as each other.
    expect(sequential.accounting).toBe('ok');
    expect(sequential.views[0]?.records).toMatchObject([
      { jobId, name: accounted.name, partition: accounted.partition, workDir: accounted.workDir, state: { name: accounted.state.split(' ')[0] } },
    ]);
  });

  it('prints the same through the CLI (--json), exit 0', async () => {
    const status = await cli(['status', runId, '--json', '--config', project.config, '--results', project.resultsDir]);
    expect(status.code).toBe(0);
    const parsed = JSON.parse(status.stdout) as { rows: { state: string; jobId: string }[] };
    expect(parsed.rows).toMatchObject([{ state: 'COMPLETED', jobId }]);
  });
});
