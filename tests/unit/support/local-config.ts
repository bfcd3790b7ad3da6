/**
 * hpcbench.yaml text for tests that run jobs on this machine: one local cluster with a small CPU
 * partition, and the given `experiments:` entries (YAML indented by two spaces).
 */
export function localConfigText(experiments: string): string {
  return `
clusters:
  here:
    preset: generic
    transport: local
    partitions:
      local: { kind: cpu, cpus_per_node: 2, mem_per_node: 2G, max_time: "00:10:00", shared: true }
experiments:
${experiments}
`;
}
