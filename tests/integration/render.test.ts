// Rendered scripts on the real test cluster: sbatch --test-only accepts every shipped job
// template's output, and the CPU, gpu-gres and sweep jobs run to COMPLETED with a stand-in
// workload (the node has no nvidia-smi: the sidecar notes it and the job goes on). Checkpoint and
// requeue are proven in checkpoint.test.ts.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Client } from 'ssh2';
import { parseDocument } from 'yaml';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfigText } from '../../src/config/index.js';
import { renderRun, type RenderedRun } from '../../src/render/index.js';
import { parseExitDocument } from '../../src/contracts/exit.js';
import { shellCommand } from '../../src/shell-quote.js';
import { describeCluster } from './support/cluster.js';
import { connectToCluster, execRemote, execRemoteOk, uploadRenderings, waitForJobEnd } from './support/remote.js';

const CONFIG = resolve('tests/fixtures/render/cluster.yaml');

describeCluster('rendered job scripts on the test cluster', (cluster) => {
  let client: Client;
  let rendered: RenderedRun;
  let runDir: string;
  const experiments = ['cpu-job', 'gpu-job', 'sweep-job', 'pernode-job', 'ckpt-job', 'multi-job'];
  const runs = new Map<string, RenderedRun>();
  const sbatch = (args: string[]) => shellCommand(['sbatch', `--chdir=${runDir}`, ...args]);

  beforeAll(async () => {
    const doc = parseDocument(readFileSync(CONFIG, 'utf8'));
    for (const name of ['test', 'test-pernode']) {
      doc.setIn(['clusters', name, 'ssh'], { host: cluster.host, port: cluster.port, user: cluster.username });
      doc.setIn(['clusters', name, 'workdir'], cluster.remoteWorkdir);
      doc.setIn(['clusters', name, 'hf_cache'], `${cluster.remoteWorkdir}/hf-cache`);
      if (cluster.account !== undefined) doc.setIn(['clusters', name, 'account'], cluster.account);
    }
    const config = loadConfigText(doc.toString(), CONFIG, resolve('tests/fixtures/render'));
    const runId = `render-it-${process.pid}-${Date.now().toString(36)}`;
    for (const name of experiments) runs.set(name, renderRun(config, name, { runId }));
    rendered = runs.get('cpu-job')!;
    runDir = `${cluster.remoteWorkdir}/${rendered.runId}`;
    client = await connectToCluster(cluster);
    // One run directory holds every experiment's scripts (each rendering is a run of one job).
    await uploadRenderings(client, runDir, runs.values());
  });

  afterAll(async () => {
    if (client === undefined) return;
    await execRemote(client, shellCommand(['rm', '-rf', runDir]));
    client.end();
  });

  it.each(experiments)('sbatch --test-only accepts %s', async (name) => {
    const job = runs.get(name)!.manifest.jobs[0]!;
    const result = await execRemote(client, sbatch(['--test-only', job.script]));
    expect(result.stderr).toMatch(/to start at/);
    expect(result.code).toBe(0);
    const script = runs.get(name)!.files.get(job.script) ?? '';
    expect(script).toMatch(name === 'pernode-job' ? /^#SBATCH --gpus-per-node=2$/m : name === 'cpu-job' ? /^#SBATCH --partition=cpu$/m : /^#SBATCH (--gres=gpu:\d|--array=0-1%2)$/m);
  });

  async function readRemote(path: string): Promise<string> {
    return execRemoteOk(client, shellCommand(['cat', `${runDir}/${path}`]));
  }

  it('runs the CPU and gpu-gres jobs to COMPLETED with their metadata, logs and exit.json', async () => {
    const cpuId = (await execRemoteOk(client, sbatch(['--parsable', 'scripts/cpu-job.sbatch']))).trim();
    const gpuId = (await execRemoteOk(client, sbatch(['--parsable', 'scripts/gpu-job.sbatch']))).trim();
    expect(await waitForJobEnd(client, cpuId, { timeoutMs: 180_000 })).toBe('COMPLETED');
    expect(await waitForJobEnd(client, gpuId, { timeoutMs: 180_000 })).toBe('COMPLETED');

    const cpuMeta = JSON.parse(await readRemote('out/cpu-job/main/metadata.json')) as Record<string, unknown>;
    expect(cpuMeta).toMatchObject({ job_id: cpuId.split(';')[0], run_id: rendered.runId, experiment: 'cpu-job', task: 'main', parameters: { note: "a 'quoted' $(value)" } });
    expect((cpuMeta.script as Record<string, string>).sha256_run_dir).toBe(runs.get('cpu-job')!.manifest.jobs[0]!.sha256);
    expect((cpuMeta.slurm as Record<string, string>).SLURM_JOB_PARTITION).toBe('cpu');
    expect(cpuMeta.nodes).toEqual([cluster.nodeName ?? expect.any(String)]);
    expect(await readRemote('out/cpu-job/main/inference.jsonl')).toBe('{"request_id": 0, "ttft_ms": 12.5}\n');
    expect(await readRemote('out/cpu-job/main/job.out')).toBe('cpu job done\n');
    expect(await readRemote('out/cpu-job/main/job.err')).toMatch(/setup on /);
    expect(parseExitDocument(await readRemote('out/cpu-job/main/exit.json'), 'out/cpu-job/main/exit.json')).toMatchObject({ exit_code: 0, requeued: false });

    expect(await readRemote('out/gpu-job/main/job.out')).toBe('gpus=1\n');
    expect(await readRemote('out/gpu-job/main/job.err')).toMatch(/nvidia-smi not found .*GPU sampling skipped/);
    const gpuMeta = JSON.parse(await readRemote('out/gpu-job/main/metadata.json')) as Record<string, unknown>;
    expect(gpuMeta).toMatchObject({ gpus: [], gpu_interval_ms: 500, gpu_fields: runs.get('gpu-job')!.manifest.jobs[0]!.gpu_fields });
    expect(parseExitDocument(await readRemote('out/gpu-job/main/exit.json'), 'out/gpu-job/main/exit.json')).toMatchObject({ exit_code: 0 });
  });

  it('runs a sweep as an array job, each task with its own parameters', async () => {
    const id = (await execRemoteOk(client, sbatch(['--parsable', 'scripts/sweep-job.sbatch']))).trim();
    expect(await waitForJobEnd(client, id, { timeoutMs: 180_000 })).toBe('COMPLETED');
    expect(await readRemote('out/sweep-job/0/point.txt')).toBe('batch_size=1\n');
    expect(await readRemote('out/sweep-job/1/point.txt')).toBe('batch_size=4\n');
    const meta = JSON.parse(await readRemote('out/sweep-job/1/metadata.json')) as Record<string, unknown>;
    expect(meta).toMatchObject({ task: '1', array_task_id: '1', parameters: { batch_size: 4 } });
    // slurmdbd names the array's records a moment after the job ends: poll until both tasks are listed.
    const base = id.split(';')[0]!;
    let states: string[] = [];
    for (let i = 0; i < 30; i++) {
      const out = await execRemoteOk(client, shellCommand(['sacct', '-n', '-X', '-P', '-j', base, '-o', 'JobID,State']));
      states = out.trim().split('\n').sort();
      if (states.length === 2 && states.every((s) => s.includes('_'))) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    expect(states).toEqual([`${base}_0|COMPLETED`, `${base}_1|COMPLETED`]);
  });
});
