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

// Sources, read on 2026-12-01 (docs/presets.md lists each fact with its source):
//  [A] LNCC, "Programas de Alocação", http://www.sdumont.lncc.br/alloc.php?pg=alloc — one UA is one core
//      for one hour; a job that holds a node exclusively is charged every core of it; GPU queues cost more.
//  [B] github.com/vsantjr/IDeepS README (a SDumont project's guide) — Sequana X1120 nodes: 2 × Xeon Gold
//      6252 (48 cores), 4 × V100, 384 GB; the AI node (gdl): 2 × Xeon Gold 6148 (40 cores), 8 × V100 with
//      NVLink, 384 GB; wall clock: gdl 48 h, sequana_gpu_shared 96 h.
//  [C] a public SDumont job script quoting `sacctmgr` association limits (code index id 58772195338):
//      sequana_cpu 50 nodes / 4-00:00:00, sequana_cpu_long 10 / 31-00:00:00, sequana_gpu 24 / 4-00:00:00,
//      sequana_gpu_long 10 / 31-00:00:00, *_dev 4 / 00:20:00 — one project's limits, not the centre's table.
//  [D] public job scripts on GitHub using `module load sequana/current` and /scratch/<project>/<user>.
//  [E] SDumont 2nd user notes quoting the official wiki (github.com/lncc-sered/manual-sdumont2nd, page
//      "06 – Gerenciador de filas"): *_shared GPU queues 24:00:00; --time mandatory; a GPU count mandatory on
//      GPU queues; --account mandatory for PETROBRAS/partner projects only; no --exclusive on *_shared.
//  [F] public notes on SDumont 2nd (GH200 partitioning experiments; a course simulator's spec): lncc-gh200 and
//      lncc-h100 allocate whole nodes, their *_shared twins share nodes through GRES, a shared job takes at
//      most half of a node; H100 nodes have 4 × H100 SXM 80 GB; CPU nodes 2 × AMD 9684X (192 cores).
// Anything not in these sources is marked "unconfirmed" in docs/presets.md: check it with
// `scontrol show partition` on the login node and override the field in hpcbench.yaml.
const SDUMONT_SETUP = [
  'module purge',
  // [D]: the Sequana environment module that the centre's compilers and CUDA modules sit under.
  'module load sequana/current',
];

// [B] node hardware; whole_node from [A] (the queues without _shared hold whole nodes).
const SEQUANA_GPU = { kind: 'gpu', gpus_per_node: 4, gpu_type: 'V100', gpu_request: 'gres', cpus_per_node: 48, mem_per_node: '384G' } as const;
const SEQUANA_CPU = { kind: 'cpu', cpus_per_node: 48, mem_per_node: '384G' } as const;

const santosDumont: Preset = {
  name: 'santos-dumont',
  summary: 'LNCC Santos Dumont (SDumont), Bull Sequana X partitions with V100 GPUs',
  cluster: {
    description: 'Santos Dumont (LNCC), Sequana X1000 nodes',
    source:
      'LNCC allocation rules (sdumont.lncc.br/alloc.php), public SDumont project guides and job scripts; see docs/presets.md. Verify on the login node with `sinfo -s` and `scontrol show partition`',
    checked: '2026-12-01',
    transport: 'ssh',
    // [B], [D]: $SCRATCH is /scratch/<project>/<user>.
    scratch: '/scratch/{project}/{user}',
    workdir: '/scratch/{project}/{user}/hpcbench',
    hf_cache: '/scratch/{project}/{user}/hf-cache',
    require_account: false,
    setup: SDUMONT_SETUP,
    partitions: {
      // Max times and node counts: [C]; whole nodes: [A].
      sequana_cpu: { ...SEQUANA_CPU, max_time: '96:00:00', max_nodes: 50, whole_node: true },
      sequana_cpu_dev: { ...SEQUANA_CPU, max_time: '00:20:00', max_nodes: 4, whole_node: true },
      sequana_cpu_long: { ...SEQUANA_CPU, max_time: '31-00:00:00', max_nodes: 10, whole_node: true },
      sequana_gpu: { ...SEQUANA_GPU, max_time: '96:00:00', max_nodes: 24, whole_node: true },
      sequana_gpu_dev: { ...SEQUANA_GPU, max_time: '00:20:00', max_nodes: 4, whole_node: true },
      sequana_gpu_long: { ...SEQUANA_GPU, max_time: '31-00:00:00', max_nodes: 10, whole_node: true },
      // [B] 96 h; shared by name and by [A]. One node per job: unconfirmed.
      sequana_gpu_shared: { ...SEQUANA_GPU, max_time: '96:00:00', max_nodes: 1, shared: true },
      // [B]: 8 × V100 NVLink, 40 cores, 384 GB, 48 h. Whether it is shared or whole-node: unconfirmed.
      gdl: {
        kind: 'gpu', gpus_per_node: 8, gpu_type: 'V100-SXM2-32GB', gpu_request: 'gres',
        cpus_per_node: 40, mem_per_node: '384G', max_time: '48:00:00', max_nodes: 1,
        description: 'DGX-1 style node with NVLink, for deep learning',
      },
    },
    default_partition: 'sequana_gpu',
    // [A]: one UA per core-hour. The GPU queues' higher factor is not published there: unconfirmed.
    rates: { su_per_cpu_hour: 1, currency: 'UA' },
  },
};

// [F] node hardware where given; cores and memory of the GPU nodes are unconfirmed.
const H100 = { kind: 'gpu', gpus_per_node: 4, gpu_type: 'H100', gpu_request: 'gpus-per-node', cpus_per_node: 96, mem_per_node: '1000G', max_time: '24:00:00' } as const;
const GH200 = {
  kind: 'gpu', gpus_per_node: 4, gpu_type: 'GH200', gpu_request: 'gpus-per-node', cpus_per_node: 288, mem_per_node: '480G', max_time: '24:00:00',
  description: 'Grace Hopper nodes: aarch64 CPUs, build your venv for aarch64',
} as const;
const MI300A = {
  kind: 'gpu', gpus_per_node: 4, gpu_type: 'MI300A', gpu_request: 'gpus-per-node', cpus_per_node: 96, mem_per_node: '512G', max_time: '24:00:00',
  description: 'AMD APUs: nvidia-smi is absent, GPU sampling is skipped',
} as const;

const sdumont2nd: Preset = {
  name: 'sdumont-2nd',
  summary: 'LNCC SDumont 2nd (Sequana XH3000): H100, GH200, MI300A and CPU partitions, whole-node and *_shared; 24 h cap',
  cluster: {
    description: 'SDumont 2nd (LNCC), Sequana XH3000 nodes',
    source:
      'SDumont 2nd user wiki (github.com/lncc-sered/manual-sdumont2nd) as quoted by public project notes; see docs/presets.md. Verify with `sinfo -s` and `sacctmgr list user $USER -s format=partition%20,account,MaxWall`',
    checked: '2026-12-01',
    transport: 'ssh',
    scratch: '/scratch/{project}/{user}',
    workdir: '/scratch/{project}/{user}/hpcbench',
    hf_cache: '/scratch/{project}/{user}/hf-cache',
    // [E] says only PETROBRAS/partner projects must give --account, [F] says every job: kept required,
    // as a missing account is refused at submission and an unneeded one is harmless (unconfirmed).
    require_account: true,
    max_time: '24:00:00',
    setup: ['module purge'],
    partitions: {
      // Whole-node queues [F]; their *_shared twins [E] share a node, a job taking at most half of it.
      'lncc-h100': { ...H100, whole_node: true },
      'lncc-h100_shared': { ...H100, shared: true },
      'lncc-gh200': { ...GH200, whole_node: true },
      'lncc-gh200_shared': { ...GH200, shared: true },
      'lncc-mi300a': { ...MI300A, whole_node: true },
      'lncc-mi300a_shared': { ...MI300A, shared: true },
      // [F]: 192 cores; memory and whether it is shared are unconfirmed.
      'lncc-cpu_amd': { kind: 'cpu', cpus_per_node: 192, mem_per_node: '768G', max_time: '24:00:00', shared: true },
    },
    default_partition: 'lncc-h100_shared',
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
