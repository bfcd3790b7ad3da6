/**
 * Whole-node partitions (SDumont's sequana_gpu, SDumont 2nd's lncc-h100) allocate and bill every
 * CPU and GPU of a node, whatever the job asks for: a job that uses one GPU there pays for four
 * and waits for a free node. Where the centre has a shared twin, the user is told its name.
 */
import type { Cluster, Experiment, Partition } from '../config/index.js';
import type { IssueSink } from './preflight-command.js';

/** The shared GPU partition of the same GPU type, the `<name>_shared` twin first. */
function findSharedAlternative(cluster: Cluster, partition: Partition): Partition | undefined {
  const candidates = Object.values(cluster.partitions).filter(
    (p) => p.kind === 'gpu' && p.shared && !p.whole_node && p.name !== partition.name && (p.gpu_type === undefined || p.gpu_type === partition.gpu_type),
  );
  return candidates.find((p) => p.name === `${partition.name}_shared`) ?? candidates[0];
}

/** How a job's partition bills, for profile and report advice (manifest.json `jobs[].billing`). */
export interface WholeNodeBilling {
  whole_node: true;
  node_gpus: number;
  node_cpus?: number;
  shared_alternative?: string;
}

/** The billing note of a whole-node partition, for the manifest; an empty object otherwise. */
export function describeWholeNodeBilling(cluster: Cluster, partition: Partition): { billing?: WholeNodeBilling } {
  if (!partition.whole_node) return {};
  const alternative = partition.kind === 'gpu' ? findSharedAlternative(cluster, partition) : undefined;
  return {
    billing: {
      whole_node: true,
      node_gpus: partition.gpus_per_node,
      ...(partition.cpus_per_node !== undefined ? { node_cpus: partition.cpus_per_node } : {}),
      ...(alternative ? { shared_alternative: alternative.name } : {}),
    },
  };
}

export function checkWholeNode(cluster: Cluster | undefined, exp: Experiment, sink: IssueSink): void {
  const partition = cluster?.partitions[exp.partition];
  if (!cluster || !partition?.whole_node || partition.kind !== 'gpu') return;
  const gpus = exp.resources.gpus_per_node;
  if (exp.resources.nodes !== 1 || gpus >= partition.gpus_per_node) return;
  const alternative = findSharedAlternative(cluster, partition);
  const billed = `partition '${partition.name}' allocates and bills whole nodes (${partition.gpus_per_node} GPUs); this job uses ${gpus}`;
  sink.warn(
    ['experiments', exp.name, 'partition'],
    alternative
      ? `${billed}: use '${alternative.name}', which shares nodes, or ask for all ${partition.gpus_per_node} GPUs`
      : `${billed}: ask for all ${partition.gpus_per_node} GPUs, or pick a partition that shares nodes`,
  );
}
