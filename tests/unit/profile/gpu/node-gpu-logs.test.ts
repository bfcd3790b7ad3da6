// A multinode job writes one nvidia-smi query log per node (nvidia-smi-<host>.csv) into its task
// directory: the profiler reads them all and, GPUs being keyed by uuid, adds the nodes' GPUs up.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { profileRun } from '../../../../src/profile/profile-run.js';
import { discoverTasks, readManifestView } from '../../../../src/profile/run-layout.js';

/** Headerless, as the sidecar writes them, in a field order that content detection does not know. */
const FIELDS = ['index', 'timestamp', 'uuid', 'name', 'utilization.gpu', 'memory.used', 'memory.total', 'power.draw'];

/** One node's log: two GPUs, three samples each. */
function nodeLog(host: string): string {
  const rows: string[] = [];
  for (const second of [0, 1, 2]) {
    for (const gpu of [0, 1]) rows.push(`${gpu}, 2026/11/24 06:15:0${second}.000, GPU-${host}-${gpu}, NVIDIA A100, ${50 + gpu}, 1000, 40960, 100.5`);
  }
  return `${rows.join('\n')}\n`;
}

/** A run directory with one multinode task whose two nodes each logged two GPUs. */
function makeRun(): string {
  const run = mkdtempSync(join(tmpdir(), 'hpcb-nodes-'));
  const manifest = { schema: 'hpcbench.manifest/1', run_id: 'r1', experiments: ['multi'], jobs: [{ experiment: 'multi', out_dir: 'out/multi', parameters: {}, gpu_fields: FIELDS }] };
  writeFileSync(join(run, 'manifest.json'), JSON.stringify(manifest));
  const dir = join(run, 'out/multi/main');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'nvidia-smi-node1.csv'), nodeLog('node1'));
  writeFileSync(join(dir, 'nvidia-smi-node2.csv'), nodeLog('node2'));
  writeFileSync(join(dir, 'nvidia-smi-node2.err'), 'a warning\n');
  return run;
}

describe('per-node nvidia-smi logs of a multinode job', () => {
  it('are classified as nvidia-smi query logs (the .err beside them is not a log)', async () => {
    const run = makeRun();
    const [task] = await discoverTasks(run, readManifestView(join(run, 'manifest.json')));
    expect(task?.files.map((f) => [f.file.slice(run.length + 1), f.kind])).toEqual([
      ['out/multi/main/nvidia-smi-node1.csv', 'nvidia-smi'],
      ['out/multi/main/nvidia-smi-node2.csv', 'nvidia-smi'],
    ]);
  });

  it('are summarised together: the GPU count is the sum over the nodes', async () => {
    const doc = await profileRun(makeRun(), { now: () => new Date('2026-11-24T00:00:00Z') });
    const task = doc.tasks[0];
    expect(task?.gpu?.gpus.length).toBe(4);
    expect(new Set(task?.gpu?.gpus.map((g) => g.uuid)).size).toBe(4);
    expect(task?.missing.map((m) => m.section)).not.toContain('gpu');
    expect(doc.sources.filter((s) => s.kind === 'nvidia-smi').map((s) => s.file)).toEqual(['out/multi/main/nvidia-smi-node1.csv', 'out/multi/main/nvidia-smi-node2.csv']);
  });
});
