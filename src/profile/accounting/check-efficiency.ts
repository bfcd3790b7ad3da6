/**
 * The `efficiency` use case: any job ids of a cluster in hpcbench.yaml, their seff-style figures
 * from one sacct call over one SSH connection. Returns the report; printing is the caller's.
 */
import { dirname } from 'node:path';
import { loadConfig, resolveConfigPath, type ResolvedConfig } from '../../config/index.js';
import { UsageError } from '../../errors.js';
import { connectCluster, describeRunCluster, type ConnectClusterOptions } from '../../runs/connect.js';
import { toAccountingRates } from './accounting.js';
import { queryJobEfficiency, validateJobIds, type EfficiencyReport } from './efficiency.js';

/** --cluster, or the config's only cluster. */
function pickCluster(config: ResolvedConfig, name: string | undefined): string {
  const names = Object.keys(config.clusters);
  if (name !== undefined) {
    if (config.clusters[name] === undefined) throw new UsageError(`cluster ${JSON.stringify(name)} is not in ${config.file ?? 'hpcbench.yaml'}`, `clusters there: ${names.join(', ')}`);
    return name;
  }
  if (names.length === 1 && names[0] !== undefined) return names[0];
  throw new UsageError(`${config.file ?? 'hpcbench.yaml'} has ${names.length} clusters; say which with --cluster`, `clusters: ${names.join(', ')}`);
}

export interface CheckEfficiencyOptions {
  jobs: readonly string[];
  configOption: string | undefined;
  cluster: string | undefined;
  connect: ConnectClusterOptions;
}

export async function checkEfficiency(options: CheckEfficiencyOptions): Promise<{ cluster: string; report: EfficiencyReport }> {
  const ids = validateJobIds([...options.jobs]);
  const configPath = resolveConfigPath(options.configOption);
  const config = loadConfig(configPath);
  const name = pickCluster(config, options.cluster);
  const cluster = config.clusters[name];
  if (cluster === undefined) throw new UsageError(`cluster ${name} is not in ${configPath}`);
  const root = dirname(configPath);
  const transport = connectCluster(describeRunCluster(cluster, root), { ...options.connect, root });
  try {
    return { cluster: name, report: await queryJobEfficiency({ transport, jobIds: ids, rates: toAccountingRates(cluster.rates) }) };
  } finally {
    await transport.close();
  }
}
