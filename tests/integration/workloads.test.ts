// The reference workloads for real on the test cluster, in the venv that tests/cluster/venv.sh
// builds (activated by the cluster's `setup:` line): train_lora.py is interrupted by the checkpoint
// signal before its 2-minute time limit, requeued, resumed, and must end COMPLETED with exactly the
// losses and adapter of an uninterrupted run on this machine; infer.py generates with the
// transformers backend. The experiments are in tests/fixtures/workloads/cluster.yaml.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Client } from 'ssh2';
import { parseDocument } from 'yaml';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfigText } from '../../src/config/index.js';
import { renderRun, writeRun } from '../../src/render/index.js';
import { shellCommand } from '../../src/shell-quote.js';
import { parseSubmitManifest } from '../../src/runs/index.js';
import { describeRunCluster, connectCluster } from '../../src/runs/connect.js';
import { uploadRun } from '../../src/runs/upload.js';
import type { Transport } from '../../src/transport/transport.js';
import { REPO_ROOT, describeWithVenv, jobDir, lossesOf, runPython, type PythonRun } from '../unit/workloads/python.js';
import { describeCluster } from './support/cluster.js';
import { beginTimeReleaser, connectToCluster, execRemote, execRemoteOk, waitForJobEnd } from './support/remote.js';

const CONFIG = resolve('tests/fixtures/workloads/cluster.yaml');
const EXPERIMENTS = ['lora', 'infer'] as const;
type ExperimentName = (typeof EXPERIMENTS)[number];

interface SubmittedJob {
  id: string;
  /** The run directory on the cluster. */
  dir: string;
}

describeWithVenv('reference workloads on the test cluster', () => {
  describeCluster('train_lora.py and infer.py as jobs', (cluster) => {
    let client: Client;
    let transport: Transport;
    const jobs = new Map<ExperimentName, SubmittedJob>();
    const localDirs: string[] = [];
    let loraCommand: string[] = [];
    let reference: Promise<PythonRun>;
    let referenceDir = '';

    beforeAll(async () => {
      const doc = parseDocument(readFileSync(CONFIG, 'utf8'));
      doc.setIn(['clusters', 'test', 'ssh'], {
        host: cluster.host, port: cluster.port, user: cluster.username, identity_file: cluster.privateKeyPath, known_hosts: cluster.knownHostsPath,
      });
      doc.setIn(['clusters', 'test', 'workdir'], cluster.remoteWorkdir);
      doc.setIn(['clusters', 'test', 'hf_cache'], `${cluster.remoteWorkdir}/hf-cache`);
      if (cluster.account !== undefined) doc.setIn(['clusters', 'test', 'account'], cluster.account);
      const config = loadConfigText(doc.toString(), CONFIG, REPO_ROOT);
      client = await connectToCluster(cluster);
      transport = connectCluster(describeRunCluster(config.clusters.test!, REPO_ROOT));
      const stamp = `${process.pid}-${Date.now().toString(36)}`;
      // Each experiment is a run of its own, uploaded as `hpcbench submit` does, and submitted at
      // once so that the jobs run side by side.
      for (const name of EXPERIMENTS) {
        const rendered = renderRun(config, name, { runId: `workloads-it-${name}-${stamp}` });
        const local = mkdtempSync(join(tmpdir(), `hpcb-workloads-it-${name}-`));
        localDirs.push(local);
        writeRun(local, rendered, { copyFilesFrom: REPO_ROOT });
        const dir = `${cluster.remoteWorkdir}/${rendered.runId}`;
        await uploadRun(transport, local, dir, parseSubmitManifest(rendered.files.get('manifest.json')!, 'manifest.json'), REPO_ROOT);
        const script = rendered.manifest.jobs[0]!.script;
        const id = (await execRemoteOk(client, shellCommand(['sbatch', '--parsable', `--chdir=${dir}`, script]))).trim().split(';')[0]!;
        jobs.set(name, { id, dir });
      }
      // The uninterrupted reference: the same command with the same venv on this machine's CPU.
      loraCommand = (config.experiments.lora?.command ?? '').trim().split(/\s+/).slice(1);
      const ref = jobDir('workloads-it-ref');
      referenceDir = ref.dir;
      reference = runPython(loraCommand, { cwd: REPO_ROOT, env: ref.env });
    });

    afterAll(async () => {
      for (const dir of [...localDirs, referenceDir]) if (dir !== '') rmSync(dir, { recursive: true, force: true });
      if (client === undefined) return;
      const ids = [...jobs.values()].map((job) => job.id);
      if (ids.length > 0) await execRemote(client, shellCommand(['scancel', ...ids]));
      for (const job of jobs.values()) await execRemote(client, shellCommand(['rm', '-rf', job.dir]));
      client.end();
      await transport.close();
    });

    async function readRemote(name: ExperimentName, path: string): Promise<string> {
      return execRemoteOk(client, shellCommand(['cat', `${jobs.get(name)!.dir}/${path}`]));
    }

    /** Waits for a job that requeues itself to end, releasing each requeue from its hold (beginTimeReleaser). */
    async function waitThroughRequeues(id: string, timeoutMs: number): Promise<string> {
      const deadline = Date.now() + timeoutMs;
      const release = beginTimeReleaser(client, id);
      for (;;) {
        const queued = (await execRemoteOk(client, shellCommand(['squeue', '-h', '-j', id, '-o', '%T %r']))).trim();
        const [state = '', reason = ''] = queued.split(' ');
        await release(state, reason);
        if (queued === '') return waitForJobEnd(client, id, { timeoutMs: Math.max(10_000, deadline - Date.now()) });
        if (Date.now() > deadline) throw new Error(`job ${id} still in the queue after ${timeoutMs} ms (squeue: ${queued})`);
        await new Promise((r) => setTimeout(r, 3_000));
      }
    }

    /** Every attempt of a job as sacct --duplicates lists it, for failure messages. */
    async function listAttempts(id: string): Promise<string> {
      const out = await execRemote(client, shellCommand(['sacct', '--duplicates', '-P', '-j', id, '-o', 'JobID,State,ExitCode,Start,End,Elapsed']));
      return out.stdout.trim() || out.stderr.trim();
    }

    it('train_lora.py checkpoints on the signal, is requeued, resumes and logs exactly the uninterrupted losses', async () => {
      const job = jobs.get('lora')!;
      const state = await waitThroughRequeues(job.id, 420_000);
      const err = await readRemote('lora', 'out/lora/main/job.err');
      const attempts = state === 'COMPLETED' ? '' : await listAttempts(job.id);
      expect(state, `sacct --duplicates:\n${attempts}\njob.err:\n${err.slice(-4000)}`).toBe('COMPLETED');
      const metadata = JSON.parse(await readRemote('lora', 'out/lora/main/metadata.json')) as { restart_count?: number };
      expect(metadata.restart_count, 'the time limit should interrupt the training at least once').toBeGreaterThanOrEqual(1);
      expect(err).toMatch(/train_lora\.py: SIGUSR1 received; checkpointing after this step/);
      expect(err).toMatch(/train_lora\.py: stopped at step \d+\/24000; checkpoint /);
      expect(err).toMatch(/train_lora\.py: resumed from \S+step-\d+ at step \d+\/24000 \(restart [1-9]/);

      const whole = await reference;
      expect(whole.code, whole.output.slice(-3000)).toBe(0);
      const expected = lossesOf(readFileSync(join(referenceDir, 'train.jsonl'), 'utf8'));
      expect(expected).toHaveLength(240);
      expect(lossesOf(await readRemote('lora', 'out/lora/main/train.jsonl'))).toEqual(expected);
      const adapter = 'adapter/adapter_model.safetensors';
      const remoteHash = (await execRemoteOk(client, shellCommand(['sha256sum', `${job.dir}/out/lora/main/${adapter}`]))).split(' ')[0];
      expect(remoteHash).toBe(createHash('sha256').update(readFileSync(join(referenceDir, adapter))).digest('hex'));
      // The latest two, the last one at the end; no temporary directory left behind.
      const checkpoints = (await execRemoteOk(client, shellCommand(['ls', '-A', `${job.dir}/checkpoints/lora/main`]))).trim().split('\n');
      expect(checkpoints).toHaveLength(2);
      expect(checkpoints.every((name) => /^step-\d+$/.test(name))).toBe(true);
      expect(checkpoints).toContain('step-24000');
    }, 480_000);

    it('infer.py --backend transformers --random-init generates batches in a job', async () => {
      const job = jobs.get('infer')!;
      const state = await waitForJobEnd(client, job.id, { timeoutMs: 180_000 });
      expect(state, await readRemote('infer', 'out/infer/main/job.err')).toBe('COMPLETED');
      const [header, ...records] = (await readRemote('infer', 'out/infer/main/inference.jsonl'))
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(header).toMatchObject({ schema: 'hpcbench.inference/1', backend: 'transformers', model: 'tiny-gpt2 (random init)', device: 'cpu' });
      expect(records.map((r) => r.warmup)).toEqual([true, false, false, false]);
      for (const r of records) expect(r).toMatchObject({ batch_size: 4, output_tokens: 32, error: null });
    }, 200_000);
  });
});
