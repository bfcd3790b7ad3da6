// Runs you can build on, against the real SLURM test cluster over real SSH, through the CLI as a
// user types it: `submit infer --after <train run>` reuses the trained run instead of training
// again, and `resubmit <run>` sends only the array task that failed, with the same task id.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readRunRecord, resolveRunId, type RunRecord } from '../../src/runs/index.js';
import type { Transport } from '../../src/transport/transport.js';
import { runCli } from '../unit/cli/run-cli.js';
import { describeCluster } from './support/cluster.js';
import { cleanUpRuns, connectProject, openProject, writeTestProject, type TestProject } from './submit-helpers.js';

describeCluster('submit --after and resubmit on the test cluster', (cluster) => {
  let project: TestProject;
  let transport: Transport;

  const cli = (args: string[]): ReturnType<typeof runCli> => runCli([...args, '--config', project.config, '--results', project.resultsDir]);

  const submit = async (args: string[]): Promise<RunRecord> => {
    const result = await cli(['submit', ...args]);
    expect(result.code, result.stderr).toBe(0);
    return readRunRecord(project.resultsDir, await resolveRunId(project.resultsDir, result.stdout.trim()));
  };

  /** sacct's rows (JobID|WorkDir) for a job name, today, of this account. */
  const accounted = async (name: string): Promise<{ id: string; workDir: string }[]> => {
    // Relative to the cluster's clock: a calendar date would drop a job submitted before midnight.
    const result = await transport.exec(['sacct', '-X', '-n', '-P', `--name=${name}`, '--starttime=now-180minutes', '-o', 'JobID,WorkDir']);
    expect(result.code, result.stderr).toBe(0);
    return result.stdout
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => {
        const [id = '', workDir = ''] = l.split('|');
        return { id, workDir: workDir.replace(/\/+$/, '') };
      });
  };

  beforeAll(() => {
    process.env.HPCBENCH_TEST_POLL_FLOOR_MS = '1000';
    const written = writeTestProject(cluster, {
      // A pause that is not a number fails the training (sleep exits 1).
      train: { command: 'sleep "$pause" && echo "trained by $SLURM_JOB_ID" > "$HPCBENCH_OUT_DIR/model.txt"' },
      // Reads what the run it was built on trained, where HPCBENCH_AFTER_DIR says it is.
      infer: { command: 'cat "$HPCBENCH_AFTER_DIR/out/train/main/model.txt" > "$HPCBENCH_OUT_DIR/used.txt"', depends_on: ['train'] },
      // Task 1 (n=20) fails until a flag file appears in the run directory on the cluster.
      sweep: {
        command: 'if test "$n" = 20 && ! test -e "$HPCBENCH_RUN_DIR/fixed"; then echo "n=20 is broken" >&2; exit 3; fi; echo "n=$n job=$SLURM_ARRAY_JOB_ID" > "$HPCBENCH_OUT_DIR/point.txt"',
        sweep: { n: [10, 20, 30] },
      },
    });
    // train's pause is a parameter, so `--set pause=N` makes a slow training for one run.
    const text = readFileSync(written.config, 'utf8').replace('  train:\n', '  train:\n    parameters: { pause: 0 }\n');
    writeFileSync(written.config, text);
    project = openProject(written);
    transport = connectProject(project);
  });

  afterAll(async () => {
    delete process.env.HPCBENCH_TEST_POLL_FLOOR_MS;
    if (transport) await cleanUpRuns(project, transport);
    await transport?.close();
  });

  it('submit infer --after a completed train run submits infer alone, with no dependency, and infer reads what train wrote', async () => {
    const train = await submit(['train']);
    expect((await cli(['watch', train.run_id])).code).toBe(0);

    const infer = await submit(['infer', '--after', train.run_id]);
    expect(infer.run_id).toMatch(/-infer-/);
    expect(infer.jobs.map((j) => j.experiment)).toEqual(['infer']);
    expect(infer.after).toEqual({ run_id: train.run_id, remote_dir: train.remote_dir, jobs: [{ experiment: 'train', job_id: train.jobs[0]?.job_id, state: 'COMPLETED' }] });
    expect(infer.jobs[0]?.after_job_ids).toBeUndefined();
    const inferId = infer.jobs[0]?.job_id ?? '';
    // SLURM's own view of the job: no dependency at all.
    const shown = await transport.exec(['scontrol', 'show', 'job', inferId]);
    if (shown.code === 0) expect(shown.stdout).toMatch(/Dependency=\(null\)/);

    expect((await cli(['watch', infer.run_id])).code).toBe(0);
    expect((await cli(['fetch', infer.run_id])).code).toBe(0);
    expect(readFileSync(join(project.resultsDir, infer.run_id, 'out', 'infer', 'main', 'used.txt'), 'utf8')).toBe(`trained by ${train.jobs[0]?.job_id ?? ''}\n`);

    // slurmdbd records a job some seconds after it ends (later on a busy controller): ask again until it has one.
    const accountedIn = async (name: string, dirs: string[]): Promise<{ id: string; workDir: string }[]> => {
      let rows: { id: string; workDir: string }[] = [];
      for (let i = 0; i < 20 && rows.length === 0; i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, 1500));
        rows = (await accounted(name)).filter((r) => dirs.includes(r.workDir));
      }
      return rows;
    };
    // Training was submitted once: in the train run's directory, never in the infer run's.
    expect(await accountedIn('train', [train.remote_dir, infer.remote_dir])).toEqual([{ id: train.jobs[0]?.job_id, workDir: train.remote_dir }]);
    expect(await accountedIn('infer', [infer.remote_dir])).toEqual([{ id: inferId, workDir: infer.remote_dir }]);
  });

  it('submit infer --after a train run still running waits for it with afterok', async () => {
    const train = await submit(['train', '--set', 'pause=40']);
    const trainId = train.jobs[0]?.job_id ?? '';
    const infer = await submit(['infer', '--after', train.run_id]);
    expect(infer.jobs[0]?.after_job_ids).toEqual([trainId]);
    const shown = await transport.exec(['scontrol', 'show', 'job', infer.jobs[0]?.job_id ?? '']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(new RegExp(`Dependency=afterok:${trainId}\\b`));
    // Not left to run: the afterAll cleanup cancels both anyway.
    expect((await cli(['cancel', infer.run_id])).code).toBe(0);
    expect((await cli(['cancel', train.run_id])).code).toBe(0);
  });

  it('submit infer --after a train run that failed exits 2 naming the job, and submits nothing', async () => {
    const train = await submit(['train', '--set', 'pause=not-a-number']);
    expect((await cli(['watch', train.run_id])).code).toBe(1);
    const before = readdirSync(project.resultsDir).sort();
    const refused = await cli(['submit', 'infer', '--after', train.run_id]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`cannot build on run ${train.run_id}: train (job ${train.jobs[0]?.job_id ?? ''}) ended FAILED`);
    expect(refused.stderr).toContain(`hpcbench resubmit ${train.run_id}`);
    // Refused before anything was rendered, uploaded or submitted: no new run directory.
    expect(readdirSync(project.resultsDir).sort()).toEqual(before);
  });

  it('resubmit sends only the failed array task (sbatch --array=1), which then completes; run.json keeps both attempts', async () => {
    const run = await submit(['sweep']);
    const firstId = run.jobs[0]?.job_id ?? '';
    expect((await cli(['watch', run.run_id])).code).toBe(1);

    const planned = await cli(['resubmit', run.run_id, '--dry-run', '--json']);
    expect(planned.code, planned.stderr).toBe(0);
    const plan = JSON.parse(planned.stdout) as { resubmit: { experiment: string; tasks: string[]; array?: string; states: Record<string, string> }[]; submitted: object };
    expect(plan.resubmit).toEqual([{ experiment: 'sweep', job_id: firstId, tasks: ['1'], states: { 1: 'FAILED' }, array: '1', waits_for: [], after_job_ids: [] }]);
    expect(plan.submitted).toEqual({});
    expect((await readRunRecord(project.resultsDir, run.run_id)).jobs[0]?.job_id).toBe(firstId);

    // The cause is fixed on the cluster, as a user would fix their input.
    expect((await transport.exec(['touch', `${run.remote_dir}/fixed`])).code).toBe(0);
    const resubmitted = await cli(['resubmit', run.run_id, '--json']);
    expect(resubmitted.code, resubmitted.stderr).toBe(0);
    const secondId = (JSON.parse(resubmitted.stdout) as { submitted: Record<string, string> }).submitted.sweep ?? '';
    expect(secondId).toMatch(/^\d+$/);
    expect(secondId).not.toBe(firstId);

    expect((await cli(['watch', run.run_id])).code).toBe(0);
    // SLURM ran one task under the new id: task 1, nothing else.
    // slurmdbd records array tasks a few seconds after they end, and for a moment may list the
    // one-task array under its bare id (926|COMPLETED, seen once): ask again until every row is a task.
    let rows: string[] = [];
    for (let i = 0; i < 20 && (rows.length === 0 || !rows.every((r) => r.startsWith(`${secondId}_`))); i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 1500));
      const tasks = await transport.exec(['sacct', '-j', secondId, '-X', '-n', '-P', '-o', 'JobID,State']);
      rows = tasks.stdout.split('\n').filter((l) => l.trim() !== '');
    }
    expect(rows).toEqual([`${secondId}_1|COMPLETED`]);

    const record = await readRunRecord(project.resultsDir, run.run_id);
    const job = record.jobs[0];
    expect(job?.job_id).toBe(secondId);
    expect(job?.previous_job_ids).toEqual([firstId]);
    expect(job?.attempts.map((a) => [a.outcome, a.job_id, a.array ?? null])).toEqual([
      ['submitted', firstId, null],
      ['submitted', secondId, '1'],
    ]);
    expect(record.history.filter((h) => h.event === 'resubmitted').map((h) => h.job_id)).toEqual([secondId]);

    // Same task ids, same directories: the completed tasks' results are the first job's, task 1's the second's.
    expect((await cli(['fetch', run.run_id])).code).toBe(0);
    const point = (task: string): string => readFileSync(join(project.resultsDir, run.run_id, 'out', 'sweep', task, 'point.txt'), 'utf8');
    expect(point('0')).toBe(`n=10 job=${firstId}\n`);
    expect(point('1')).toBe(`n=20 job=${secondId}\n`);
    expect(point('2')).toBe(`n=30 job=${firstId}\n`);
  });
});
