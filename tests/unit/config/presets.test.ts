// The Santos Dumont presets: whole-node partitions ask for all of a node's memory with --mem=0 (the
// nominal figure is more than sbatch grants), and a job using part of a whole node is told about
// the shared partition beside it.
import { describe, expect, it } from 'vitest';
import { loadConfigText } from '../../../src/config/index.js';
import { PRESETS } from '../../../src/config/presets.js';
import { parseConfigText } from '../../../src/config/load.js';
import { checkLoadedConfig } from '../../../src/render/check-config.js';
import { renderRun } from '../../../src/render/index.js';

function configText(preset: string, partition: string, resources: string): string {
  return `clusters:
  sd: { preset: ${preset}, ssh: sd, project: proj, user: alice, account: acct }
experiments:
  exp:
    partition: ${partition}
    command: python train.py
    resources: ${resources}
`;
}

function sbatchLines(preset: string, partition: string, resources: string): string[] {
  const rendered = renderRun(loadConfigText(configText(preset, partition, resources), 'inline.yaml', process.cwd()), 'exp', { runId: 'p1' });
  return (rendered.files.get('scripts/exp.sbatch') ?? '').split('\n').filter((l) => /^#SBATCH --(mem|cpus-per-task|gres|gpus-per-node)=/.test(l));
}

function warningsOf(preset: string, partition: string, resources: string): string[] {
  const check = checkLoadedConfig(parseConfigText(configText(preset, partition, resources), 'hpcbench.yaml'), process.cwd());
  expect(check.issues).toEqual([]);
  return check.notes.map((n) => `${n.path}: ${n.message}`);
}

describe('Santos Dumont presets', () => {
  it('records where every preset comes from and when it was checked', () => {
    for (const preset of PRESETS.values()) {
      expect(preset.cluster.source, preset.name).toBeTruthy();
      expect(preset.cluster.checked, preset.name).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });

  it.each([
    ['santos-dumont', 'sequana_gpu', '{ time: 60, gpus: 4 }', ['--cpus-per-task=48', '--mem=0', '--gres=gpu:4']],
    ['santos-dumont', 'sequana_cpu', '{ time: 60 }', ['--cpus-per-task=48', '--mem=0']],
    ['sdumont-2nd', 'lncc-h100', '{ time: 60, gpus: 4 }', ['--cpus-per-task=96', '--mem=0', '--gpus-per-node=4']],
  ])('%s %s asks for the whole node with --mem=0', (preset, partition, resources, expected) => {
    expect(sbatchLines(preset, partition, resources)).toEqual(expected.map((e) => `#SBATCH ${e}`));
  });

  it('keeps a memory the user asked for on a whole-node partition', () => {
    expect(sbatchLines('santos-dumont', 'sequana_gpu', '{ time: 60, gpus: 4, mem: 200G }')).toContain('#SBATCH --mem=200G');
  });

  it('asks for a share of a shared node, never --mem=0', () => {
    expect(sbatchLines('santos-dumont', 'sequana_gpu_shared', '{ time: 60, gpus: 1 }')).toEqual(['#SBATCH --cpus-per-task=12', '#SBATCH --mem=96G', '#SBATCH --gres=gpu:1']);
    expect(sbatchLines('sdumont-2nd', 'lncc-h100_shared', '{ time: 60, gpus: 2 }')).toEqual(['#SBATCH --cpus-per-task=48', '#SBATCH --mem=500G', '#SBATCH --gpus-per-node=2']);
  });

  it.each([
    ['santos-dumont', 'sequana_gpu', 'sequana_gpu_shared', 4],
    ['sdumont-2nd', 'lncc-h100', 'lncc-h100_shared', 4],
    ['sdumont-2nd', 'lncc-gh200', 'lncc-gh200_shared', 4],
  ])('warns a 1-GPU job on %s %s about %s', (preset, partition, alternative, gpus) => {
    expect(warningsOf(preset, partition, '{ time: 60, gpus: 1 }')).toEqual([
      `experiments.exp.partition: partition '${partition}' allocates and bills whole nodes (${gpus} GPUs); this job uses 1: use '${alternative}', which shares nodes, or ask for all ${gpus} GPUs`,
    ]);
  });

  it('does not warn when the job uses the whole node, or on a shared partition', () => {
    expect(warningsOf('santos-dumont', 'sequana_gpu', '{ time: 60, gpus: 4 }')).toEqual([]);
    expect(warningsOf('santos-dumont', 'sequana_gpu_shared', '{ time: 60, gpus: 1 }')).toEqual([]);
  });

  it('names no alternative where the cluster has no shared GPU partition', () => {
    const text = `clusters:
  c:
    preset: generic
    ssh: c
    partitions:
      big: { kind: gpu, gpus_per_node: 8, cpus_per_node: 64, mem_per_node: 1T, whole_node: true }
experiments:
  exp: { partition: big, command: python train.py, resources: { time: 60, gpus: 2 } }
`;
    const check = checkLoadedConfig(parseConfigText(text, 'hpcbench.yaml'), process.cwd());
    expect(check.notes.map((n) => n.message)).toEqual([
      "partition 'big' allocates and bills whole nodes (8 GPUs); this job uses 2: ask for all 8 GPUs, or pick a partition that shares nodes",
    ]);
  });
});
