// Two `hpcbench submit` of one run started at once (a double-click, two terminals) against the
// real test cluster: exactly one submits each job, the other exits 2 naming the first; and the
// uploaded scripts and files are private to their owner on the cluster.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readRunRecord } from '../../src/runs/index.js';
import type { Transport } from '../../src/transport/transport.js';
import { describeCluster } from './support/cluster.js';
import { cleanUpRuns, connectProject, openProject, writeTestProject, type TestProject } from './submit-helpers.js';

const BIN = resolve('bin/hpcbench.js');

interface Finished {
  pid: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

function startCli(args: string[]): Promise<Finished> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SSH_AUTH_SOCK: '' } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((done, fail) => {
    child.on('error', fail);
    child.on('close', (code) => done({ pid: child.pid ?? -1, code, stdout, stderr }));
  });
}

async function execOk(transport: Transport, argv: string[]): Promise<string> {
  const result = await transport.exec(argv);
  if (result.code !== 0) throw new Error(`${argv.join(' ')} exited ${String(result.code)}: ${result.stderr}`);
  return result.stdout;
}

describeCluster('the run lock on the test cluster', (cluster) => {
  const tag = `${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;
  const first = `lk${tag}a`;
  const second = `lk${tag}b`;
  const runId = `20261201-120000-lock-${tag}`;
  let project: TestProject;
  let transport: Transport;

  beforeAll(() => {
    project = openProject(
      writeTestProject(cluster, {
        // Long enough to stay in squeue while the test looks; cancelled in afterAll.
        [first]: { command: 'sleep 120' },
        [second]: { command: 'echo done', depends_on: [first] },
      }),
    );
    transport = connectProject(project);
  });

  afterAll(async () => {
    if (transport) await cleanUpRuns(project, transport);
    await transport?.close();
  });

  it('two submits of one run at once: one submits each job once, the other exits 2 naming it', async () => {
    expect(existsSync('dist/cli-bundle/main.js'), 'run `npm run build` first (npm test does)').toBe(true);
    const args = ['submit', second, '--run-id', runId, '--config', project.config, '--results', project.resultsDir];
    const results = await Promise.all([startCli(args), startCli(args)]);
    const winner = results.find((r) => r.code === 0);
    const loser = results.find((r) => r !== winner);
    expect(results.map((r) => r.code).sort(), results.map((r) => r.stderr).join('\n---\n')).toEqual([0, 2]);
    if (!winner || !loser) throw new Error('unreachable');
    expect(winner.stdout.trim()).toBe(runId);
    expect(loser.stderr).toMatch(
      new RegExp(`run ${runId} is being changed by pid ${winner.pid} on host ${hostname().replace(/\./g, '\\.')} \\(hpcbench submit, since \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\)`),
    );
    expect(loser.stderr).not.toMatch(/\n\s+at /);

    // run.json holds both ids, and SLURM knows each job name of this run exactly once.
    const record = await readRunRecord(project.resultsDir, runId);
    const ids = record.jobs.map((j) => j.job_id);
    expect(ids.every((id) => id !== undefined && /^\d+$/.test(id))).toBe(true);
    const queued = (await execOk(transport, ['squeue', '--noheader', '--format=%i|%j|%k', `--user=${cluster.username}`]))
      .split('\n')
      .map((line) => line.trim().split('|'))
      .filter((fields) => fields[2] === `hpcbench:${runId}`);
    expect(queued.map((f) => f[1]).sort()).toEqual([first, second].sort());
    expect(queued.map((f) => f[0]).sort()).toEqual([...ids].sort());
    // sacct keeps every submission, also one that would have ended already. It lists a job once
    // it is eligible (not the one pending on its dependency), a moment after sbatch: wait for it.
    const sacct = ['sacct', '-X', '--noheader', '--parsable2', '--format=JobID,JobName', `--name=${first},${second}`, '--starttime=now-1hours'];
    const accounted = async (): Promise<string[][]> =>
      (await execOk(transport, sacct))
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => line.split('|'));
    let rows = await accounted();
    for (let i = 0; i < 30 && !rows.some((r) => r[1] === first); i += 1) {
      await new Promise((r) => setTimeout(r, 1000));
      rows = await accounted();
    }
    expect(rows.filter((r) => r[1] === first).map((r) => r[0])).toEqual([ids[0]]);
    expect(rows.filter((r) => r[1] === second).length).toBeLessThanOrEqual(1);

    // The lock is gone after the winner ended; a later submit of the same run is refused by run.json.
    expect(existsSync(join(project.resultsDir, runId, '.lock'))).toBe(false);
    const again = await startCli(args);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(new RegExp(`run ${runId} was already submitted`));
  }, 180_000);

  it('uploaded scripts are 700 and other files 600 on the cluster, in a 700 run directory', async () => {
    const record = await readRunRecord(project.resultsDir, runId);
    const script = `${record.remote_dir}/${record.jobs[0]?.script ?? ''}`;
    const modes = (await execOk(transport, ['stat', '-c', '%a %n', '--', record.remote_dir, script, `${record.remote_dir}/manifest.json`])).trim().split('\n');
    expect(modes).toEqual([`700 ${record.remote_dir}`, `700 ${script}`, `600 ${record.remote_dir}/manifest.json`]);
  }, 60_000);
});
