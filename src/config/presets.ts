/**
 * Cluster presets. A user's hpcbench.yaml names one with `preset:` and extends or overrides any
 * field; partitions merge by name, field by field.
 *
 * Each preset records where its facts come from and when they were written down. Clusters change
 * their limits: `scontrol show partition` on the login node is the authority, and the README tells
 * users to override a field rather than wait for a release.
 */
import type { RawCluster } from './schema.js';

export interface Preset {
  readonly name: string;
  readonly summary: string;
  readonly cluster: RawCluster;
}

const SDUMONT_SETUP = [
  'module purge',
  'module load sequana/current',
];

const santosDumont: Preset = {
  name: 'santos-dumont',
  summary: 'LNCC Santos Dumont (SDumont), Bull Sequana X partitions with V100 GPUs',
  cluster: {
    description: 'Santos Dumont (LNCC), Sequana X1000 nodes',
    source:
      'SDumont user guide, partitions table (sdumont.lncc.br, "Filas"/queues page); verify on the login node with `sinfo -s` and `scontrol show partition`',
    checked: '2026-11-24',
    transport: 'ssh',
    scratch: '/scratch/{project}/{user}',
    workdir: '/scratch/{project}/{user}/hpcbench',
    hf_cache: '/scratch/{project}/{user}/hf-cache',
    require_account: false,
    setup: SDUMONT_SETUP,
    partitions: {
      sequana_cpu: { kind: 'cpu', cpus_per_node: 48, mem_per_node: '384G', max_time: '96:00:00', max_nodes: 50 },
      sequana_cpu_dev: { kind: 'cpu', cpus_per_node: 48, mem_per_node: '384G', max_time: '00:20:00', max_nodes: 4 },
      sequana_cpu_long: { kind: 'cpu', cpus_per_node: 48, mem_per_node: '384G', max_time: '31-00:00:00', max_nodes: 10 },
      sequana_gpu: {
        kind: 'gpu', gpus_per_node: 4, gpu_type: 'V100', gpu_request: 'gres',
        cpus_per_node: 48, mem_per_node: '384G', max_time: '96:00:00', max_nodes: 21,
      },
      sequana_gpu_dev: {
        kind: 'gpu', gpus_per_node: 4, gpu_type: 'V100', gpu_request: 'gres',
        cpus_per_node: 48, mem_per_node: '384G', max_time: '00:20:00', max_nodes: 4,
      },
      sequana_gpu_long: {
        kind: 'gpu', gpus_per_node: 4, gpu_type: 'V100', gpu_request: 'gres',
        cpus_per_node: 48, mem_per_node: '384G', max_time: '31-00:00:00', max_nodes: 10,
      },
      sequana_gpu_shared: {
        kind: 'gpu', gpus_per_node: 4, gpu_type: 'V100', gpu_request: 'gres',
        cpus_per_node: 48, mem_per_node: '384G', max_time: '96:00:00', max_nodes: 1, shared: true,
      },
      gdl: {
        kind: 'gpu', gpus_per_node: 8, gpu_type: 'V100-SXM2-32GB', gpu_request: 'gres',
        cpus_per_node: 40, mem_per_node: '384G', max_time: '48:00:00', max_nodes: 1,
        description: 'DGX-1 style nodes with NVLink, for deep learning',
      },
    },
    default_partition: 'sequana_gpu',
    rates: { su_per_cpu_hour: 1, currency: 'UA' },
  },
};

const sdumont2nd: Preset = {
  name: 'sdumont-2nd',
  summary: 'LNCC SDumont 2nd (Sequana XH3000): H100, GH200 and CPU partitions; --account mandatory; 24 h cap',
  cluster: {
    description: 'SDumont 2nd (LNCC), Sequana XH3000 nodes',
    source:
      'SDumont 2nd user guide (LNCC), partitions and accounting rules; verify with `sinfo -s` and `sacctmgr show assoc user=$USER`',
    checked: '2026-11-24',
    transport: 'ssh',
    scratch: '/scratch/{project}/{user}',
    workdir: '/scratch/{project}/{user}/hpcbench',
    hf_cache: '/scratch/{project}/{user}/hf-cache',
    require_account: true,
    max_time: '24:00:00',
    setup: ['module purge'],
    partitions: {
      'lncc-h100': {
        kind: 'gpu', gpus_per_node: 4, gpu_type: 'H100', gpu_request: 'gpus-per-node',
        cpus_per_node: 96, mem_per_node: '1000G', max_time: '24:00:00', shared: true,
      },
      'lncc-gh200': {
        kind: 'gpu', gpus_per_node: 4, gpu_type: 'GH200', gpu_request: 'gpus-per-node',
        cpus_per_node: 288, mem_per_node: '480G', max_time: '24:00:00', shared: true,
        description: 'Grace Hopper nodes: aarch64 CPUs, build your venv for aarch64',
      },
      'lncc-mi300a': {
        kind: 'gpu', gpus_per_node: 4, gpu_type: 'MI300A', gpu_request: 'gpus-per-node',
        cpus_per_node: 96, mem_per_node: '512G', max_time: '24:00:00', shared: true,
        description: 'AMD APUs: nvidia-smi is absent, GPU sampling is skipped',
      },
      'lncc-cpu_amd': { kind: 'cpu', cpus_per_node: 192, mem_per_node: '768G', max_time: '24:00:00', shared: true },
    },
    default_partition: 'lncc-h100',
  },
};

const generic: Preset = {
  name: 'generic',
  summary: 'Any SLURM cluster: no partitions assumed; declare yours under `partitions:`',
  cluster: {
    description: 'A generic SLURM cluster',
    source: 'hpcbench defaults',
    checked: '2026-11-24',
    transport: 'ssh',
    workdir: '~/hpcbench',
    require_account: false,
  },
};

export const PRESETS: ReadonlyMap<string, Preset> = new Map(
  [santosDumont, sdumont2nd, generic].map((p) => [p.name, p]),
);

export function findPreset(name: string): Preset | undefined {
  return PRESETS.get(name);
}
