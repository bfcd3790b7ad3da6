// fetch brings the out/ tree home, checkpoints.jsonl included, and saves the run's accounting
// with restarts (sacct --duplicates). Files come from a local directory standing in for the
// cluster (the local transport's SFTP-equivalent file calls); sacct is answered by the fake.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fetchRun } from '../../../src/runs/index.js';
import { createRunRecord } from '../../../src/runs/run-record.js';
import { parseSacct } from '../../../src/slurm/sacct.js';
import { LocalTransport } from '../../../src/transport/local.js';
import type { ExecResult } from '../../../src/transport/transport.js';
import { CLUSTER, makeRenderedRun } from './helpers.js';
import { FakeCluster } from './fake-cluster.js';

/** File calls on this machine, SLURM commands from the fake cluster. */
class FilesHereSlurmThere extends LocalTransport {
  constructor(readonly cluster: FakeCluster) {
    super();
  }
  override exec(argv: readonly string[]): Promise<ExecResult> {
    return this.cluster.exec(argv);
  }
}

describe('fetchRun', () => {
  it('downloads checkpoints.jsonl with the other per-task files, never files still being written or the job script scratch files', async () => {
    const { manifest, runDir } = makeRenderedRun([{ experiment: 'lora' }]);
    const remote = mkdtempSync(join(tmpdir(), 'hpcbench-remote-'));
    const record = createRunRecord(manifest, { ...CLUSTER, workdir: remote }, new Date('2026-11-24T06:00:00Z'));
    record.jobs[0]!.job_id = '500';
    const task = join(record.remote_dir, 'out', 'lora', 'main');
    mkdirSync(task, { recursive: true });
    const event = '{"schema": "hpcbench.checkpoint-event/1", "restart": 0, "signal": "USR1", "action": "requeued", "reason_code": "requeued"}\n';
    writeFileSync(join(task, 'checkpoints.jsonl'), event);
    writeFileSync(join(task, 'exit.json'), '{"exit_code": 0}\n');
    writeFileSync(join(task, 'job.err'), '');
    writeFileSync(join(task, 'nvidia-smi-node1.csv'), 'timestamp, utilization.gpu [%]\n');
    // Still being written (by the job script, or atomically by hpcbench): not outputs yet.
    writeFileSync(join(task, 'exit.json.tmp'), '{"exit_');
    writeFileSync(join(task, 'metadata.json.tmp'), '{');
    writeFileSync(join(task, 'run.json.tmp-12'), '{');
    writeFileSync(join(task, '.requeue-error.4242'), 'scontrol: error\n');
    writeFileSync(join(task, '.checkpoint-fingerprint.4242'), '1 2\n');
    const cluster = new FakeCluster();
    cluster.addJob({ id: '500', state: 'COMPLETED', attempts: [{ state: 'REQUEUED' }] });
    const result = await fetchRun({ transport: new FilesHereSlurmThere(cluster), record, runDir });
    expect(result.files.map((f) => f.path).sort()).toEqual(['out/lora/main/checkpoints.jsonl', 'out/lora/main/exit.json', 'out/lora/main/job.err', 'out/lora/main/nvidia-smi-node1.csv']);
    expect(readFileSync(join(runDir, 'out', 'lora', 'main', 'checkpoints.jsonl'), 'utf8')).toBe(event);
    // One sacct call, with the earlier attempts, saved for the profile.
    expect(cluster.calls.filter((c) => c[0] === 'sacct')).toEqual([expect.arrayContaining(['--jobs=500', '--duplicates'])]);
    expect(result.accounting).toEqual({ status: 'saved' });
    expect(parseSacct(readFileSync(join(runDir, 'sacct.txt'), 'utf8'))[0]?.restarts).toBe(1);
  });
});
