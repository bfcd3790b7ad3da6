import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckFailedError, ConnectionLostError } from '../../../src/errors.js';
import { readRunRecord, submitRun } from '../../../src/runs/index.js';
import { writeRunRecord } from '../../../src/runs/registry.js';
import { createRunRecord } from '../../../src/runs/run-record.js';
import { describeSubmitPlan } from '../../../src/runs/submit.js';
import { CLUSTER, makeRenderedRun, noSleep } from './helpers.js';
import { FakeCluster } from './fake-cluster.js';

const RUN = '20261124-060000-a-0001';
const TAG = `hpcbench:${RUN}`;

function submits(fake: FakeCluster): string[][] {
  return fake.calls.filter((c) => c[0] === 'sbatch' && !c.includes('--test-only'));
}

describe('submitRun', () => {
  it('submits in dependency order with afterok ids, the run tag, --chdir and arrays', async () => {
    const { resultsDir, manifest } = makeRenderedRun([{ experiment: 'a' }, { experiment: 'b', depends_on: ['a'], array: '0-2%2' }]);
    const fake = new FakeCluster();
    const result = await submitRun({ transport: fake, resultsDir, manifest, cluster: CLUSTER, sleep: noSleep });
    const [first, second] = submits(fake);
    expect(first).toContain(`--comment=${TAG}`);
    expect(first).toContain(`--chdir=/scratch/p/u/${RUN}`);
    expect(second).toContain('--dependency=afterok:100');
    expect(second).toContain('--array=0-2%2');
    expect(second?.at(-1)).toBe(`/scratch/p/u/${RUN}/scripts/b.sbatch`);
    expect(result.record.jobs.map((j) => j.job_id)).toEqual(['100', '101']);
    const onDisk = await readRunRecord(resultsDir, RUN);
    expect(onDisk.phase).toBe('submitted');
    expect(onDisk.jobs[1]?.attempts).toEqual([expect.objectContaining({ outcome: 'submitted', job_id: '101' })]);
    // out/<experiment>/<task> directories exist before the jobs start.
    const mkdir = fake.calls.find((c) => c[0] === 'mkdir') ?? [];
    expect(mkdir).toEqual(expect.arrayContaining([`/scratch/p/u/${RUN}/out/a/main`, `/scratch/p/u/${RUN}/out/b/0`, `/scratch/p/u/${RUN}/out/b/2`]));
    expect(fake.uploads).toEqual(expect.arrayContaining([`/scratch/p/u/${RUN}/manifest.json`, `/scratch/p/u/${RUN}/scripts/a.sbatch`]));
  });

  it('looks a lost submission up by its tag instead of submitting it twice', async () => {
    const { resultsDir, manifest } = makeRenderedRun([{ experiment: 'a' }]);
    const fake = new FakeCluster();
    // sbatch runs on the cluster, then the connection drops before its answer arrives.
    fake.fault = (argv) => {
      if (argv[0] !== 'sbatch' || argv.includes('--test-only')) return undefined;
      fake.fault = undefined;
      fake.run(argv);
      return new ConnectionLostError('connection lost', { commandSent: true });
    };
    const events: string[] = [];
    const result = await submitRun({ transport: fake, resultsDir, manifest, cluster: CLUSTER, sleep: noSleep, onEvent: (e) => events.push(e.kind) });
    expect(submits(fake)).toHaveLength(1);
    expect(fake.jobs.size).toBe(1);
    expect(result.record.jobs[0]?.job_id).toBe('100');
    expect(result.record.jobs[0]?.attempts.map((a) => a.outcome)).toEqual(['recovered']);
    expect(events).toContain('ambiguous');
  });

  it('never takes another user\'s job with the same name and directory for the lost submission', async () => {
    const { resultsDir, manifest } = makeRenderedRun([{ experiment: 'a' }]);
    const fake = new FakeCluster();
    // A colleague runs a copy of the same project in a shared project directory.
    fake.addJob({ id: '55', name: 'a', comment: TAG, workDir: `/scratch/p/u/${RUN}`, user: 'colleague', state: 'RUNNING' });
    fake.fault = (argv) => {
      if (argv[0] !== 'sbatch' || argv.includes('--test-only')) return undefined;
      fake.fault = undefined;
      return new ConnectionLostError('connection lost', { commandSent: true });
    };
    const result = await submitRun({ transport: fake, resultsDir, manifest, cluster: CLUSTER, sleep: noSleep });
    expect(result.record.jobs[0]?.job_id).not.toBe('55');
    expect(submits(fake)).toHaveLength(2);
    expect(fake.calls.filter((c) => c[0] === 'squeue' || c[0] === 'sacct').every((c) => c.includes('--user=hpcb'))).toBe(true);
  });

  it('submits again when the lost submission is not found, exactly once more', async () => {
    const { resultsDir, manifest } = makeRenderedRun([{ experiment: 'a' }]);
    const fake = new FakeCluster();
    fake.fault = (argv) => {
      if (argv[0] !== 'sbatch' || argv.includes('--test-only')) return undefined;
      fake.fault = undefined;
      return new ConnectionLostError('connection lost', { commandSent: true });
    };
    const result = await submitRun({ transport: fake, resultsDir, manifest, cluster: CLUSTER, sleep: noSleep });
    expect(submits(fake)).toHaveLength(2);
    expect(fake.jobs.size).toBe(1);
    expect(result.record.jobs[0]?.attempts.map((a) => a.outcome)).toEqual(['ambiguous', 'submitted']);
    // Accounting is asked only about jobs since the run was created, relative to the cluster's clock.
    const sacct = fake.calls.find((c) => c[0] === 'sacct') ?? [];
    expect(sacct.filter((a) => /^--starttime=now-\d+minutes$/.test(a))).toHaveLength(1);
  });

  it('resumes an interrupted submission: a `sending` attempt is looked up first', async () => {
    const { resultsDir, manifest } = makeRenderedRun([{ experiment: 'a' }, { experiment: 'b', depends_on: ['a'] }]);
    const fake = new FakeCluster();
    // A previous process sent sbatch for `a` and died before recording the answer.
    const record = createRunRecord(manifest, CLUSTER, new Date('2026-11-24T06:00:00Z'));
    record.phase = 'submitting';
    record.jobs[0]?.attempts.push({ at: '2026-11-24T06:00:01Z', outcome: 'sending' });
    await writeRunRecord(resultsDir, record);
    fake.addJob({ id: '77', name: 'a', comment: TAG, workDir: `/scratch/p/u/${RUN}` });
    fake.addJob({ id: '78', name: 'a', comment: 'hpcbench:another-run', workDir: '/elsewhere' });
    const result = await submitRun({ transport: fake, resultsDir, manifest, cluster: CLUSTER, sleep: noSleep });
    expect(result.record.jobs.map((j) => j.job_id)).toEqual(['77', '100']);
    expect(submits(fake)).toHaveLength(1);
    expect(submits(fake)[0]).toContain('--dependency=afterok:77');
    // No preflight or upload again for a run that was already uploaded.
    expect(fake.count('mkdir')).toBe(0);
  });

  it('stops at the preflight with every failed check and uploads nothing', async () => {
    const { resultsDir, manifest } = makeRenderedRun([{ experiment: 'a' }]);
    const fake = new FakeCluster();
    fake.workdirState = 'missing';
    fake.modelsPresent.add('org--good');
    const run = submitRun({ transport: fake, resultsDir, manifest, cluster: CLUSTER, hfCache: '/hf', models: ['org/good', 'org/absent'], sleep: noSleep });
    await expect(run).rejects.toBeInstanceOf(CheckFailedError);
    await expect(run).rejects.toThrow(/2 of 4 checks[\s\S]*\/scratch\/p\/u does not exist[\s\S]*org\/absent is not in the offline cache \/hf\/hub\/models--org--absent/);
    expect(fake.uploads).toEqual([]);
    expect(submits(fake)).toEqual([]);
    // The script reached sbatch --test-only on stdin, not as an uploaded file.
    const testOnly = fake.calls.find((c) => c.includes('--test-only'));
    expect(testOnly?.at(-1)).toBe('/dev/stdin');
  });

  it('--test-only runs the checks and neither uploads nor submits', async () => {
    const { resultsDir, manifest } = makeRenderedRun([{ experiment: 'a' }]);
    const fake = new FakeCluster();
    const result = await submitRun({ transport: fake, resultsDir, manifest, cluster: CLUSTER, testOnly: true, sleep: noSleep });
    expect(result.testOnly).toBe(true);
    expect(result.checks.every((c) => c.ok)).toBe(true);
    expect(fake.uploads).toEqual([]);
    expect(submits(fake)).toEqual([]);
  });

  it('a dry-run plan shows the sbatch lines with the dependency wired', () => {
    const { manifest } = makeRenderedRun([{ experiment: 'a' }, { experiment: 'b', depends_on: ['a'] }]);
    const lines = describeSubmitPlan(manifest, CLUSTER);
    expect(lines.join('\n')).toMatch(/sbatch --parsable --job-name=b .*--dependency=afterok:1000 /);
  });
});

describe('submitRun on a local cluster', () => {
  it('does not copy files onto themselves when the workdir is the results directory', async () => {
    const { LocalTransport } = await import('../../../src/transport/local.js');
    const { resultsDir, manifest } = makeRenderedRun([{ experiment: 'a' }]);
    const local = new LocalTransport();
    const uploaded: string[] = [];
    const transport = Object.assign(Object.create(local) as typeof local, {
      upload: async (from: string, to: string) => {
        uploaded.push(`${from}->${to}`);
      },
      exec: async (argv: readonly string[]) => (argv[0] === 'sbatch' ? { stdout: '9\n', stderr: '', code: 0 } : local.exec(argv)),
    });
    const cluster = { name: 'here', transport: 'local' as const, workdir: resultsDir };
    const result = await submitRun({ transport, resultsDir, manifest, cluster, skipPreflight: true, sleep: noSleep });
    expect(uploaded).toEqual([]);
    expect(result.record.jobs[0]?.job_id).toBe('9');
    expect(result.record.remote_dir).toBe(`${resultsDir}/${manifest.run_id}`);
  });
});

describe('uploadRun', () => {
  it('uploads a folder named in `files:` file by file, in the same layout', async () => {
    const { uploadRun } = await import('../../../src/runs/upload.js');
    const { runDir, manifest } = makeRenderedRun([{ experiment: 'a' }]);
    const project = mkdtempSync(join(tmpdir(), 'hpcbench-project-'));
    mkdirSync(join(project, 'workloads', 'recipes'), { recursive: true });
    writeFileSync(join(project, 'workloads', 'train.py'), 'print(1)\n');
    writeFileSync(join(project, 'workloads', 'recipes', 'loop.py'), 'print(2)\n');
    writeFileSync(join(project, 'prompts.txt'), 'hi\n');
    manifest.files = [
      { local: 'workloads/', path: 'files/workloads' },
      { local: 'prompts.txt', path: 'files/prompts.txt' },
    ];
    const uploaded: string[] = [];
    const made: string[] = [];
    const transport = {
      kind: 'ssh' as const,
      target: 'fake',
      exec: async (argv: readonly string[]) => {
        made.push(...argv.slice(3));
        return { stdout: '', stderr: '', code: 0 };
      },
      upload: async (from: string, to: string) => {
        uploaded.push(`${from.slice(project.length + 1)} -> ${to}`);
      },
    } as unknown as Parameters<typeof uploadRun>[0];
    await uploadRun(transport, runDir, '/scratch/run', manifest, project);
    expect(uploaded.filter((u) => !u.includes('scripts/') && !u.includes('manifest.json')).sort()).toEqual([
      'prompts.txt -> /scratch/run/files/prompts.txt',
      'workloads/recipes/loop.py -> /scratch/run/files/workloads/recipes/loop.py',
      'workloads/train.py -> /scratch/run/files/workloads/train.py',
    ]);
    expect(made).toContain('/scratch/run/files/workloads/recipes');
  });
});

describe('preflight of a checkpointing job', () => {
  async function preflightWith(killWaitLine: string, termGrace: number) {
    const { resultsDir, manifest } = makeRenderedRun([{ experiment: 'train' }]);
    manifest.jobs[0]!.term_grace_s = termGrace;
    const fake = new FakeCluster();
    const exec = fake.exec.bind(fake);
    fake.exec = async (argv, opts) =>
      argv.join(' ') === 'scontrol show config' ? { stdout: `Configuration data as of 2026-12-01T14:00:00\n${killWaitLine}\nMinJobAge = 300 sec\n`, stderr: '', code: 0 } : exec(argv, opts);
    return submitRun({ transport: fake, resultsDir, manifest, cluster: CLUSTER, testOnly: true, sleep: noSleep });
  }

  it("refuses a TERM wait that SLURM's KillWait would cut short, naming the key and the bound", async () => {
    const error = await preflightWith('KillWait                = 10 sec', 20).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckFailedError);
    expect((error as Error).message).toMatch(
      /term grace train: checkpoint.term_grace_seconds is 20 s but this cluster's KillWait is 10 s: .* set experiments.train.checkpoint.term_grace_seconds to at most 8/,
    );
  });

  it('accepts a TERM wait below KillWait', async () => {
    const result = await preflightWith('KillWait                = 30 sec', 20);
    expect(result.checks).toContainEqual({ name: 'term grace train', ok: true, detail: '20 s after SIGTERM, below KillWait (30 s)' });
  });
});
