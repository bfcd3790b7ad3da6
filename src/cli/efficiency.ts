/**
 * `hpcbench efficiency <job id…> [--cluster NAME]`: seff's CPU and memory efficiency for jobs
 * hpcbench did not submit, with GPU-hours, service units and cost — ONE sacct call over one SSH
 * connection for all the jobs.
 */
import { dirname } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { loadConfig, resolveConfigPath, type ResolvedConfig } from '../config/index.js';
import { UsageError } from '../errors.js';
import { toAccountingRates } from '../profile/accounting/accounting.js';
import { queryJobEfficiency, validateJobIds } from '../profile/accounting/efficiency.js';
import { formatEfficiencyReport, toEfficiencyJson } from '../profile/accounting/efficiency-format.js';
import { connectCluster, describeRunCluster } from '../runs/connect.js';
import type { GlobalOptions } from './global-options.js';
import { createOutput } from './output.js';

interface EfficiencyArgs extends GlobalOptions {
  jobs: string[];
  cluster: string | undefined;
  'accept-new-host-key': boolean;
}

/** --cluster, or the config's only cluster. */
export function pickCluster(config: ResolvedConfig, name: string | undefined): string {
  const names = Object.keys(config.clusters);
  if (name !== undefined) {
    if (config.clusters[name] === undefined) throw new UsageError(`cluster ${JSON.stringify(name)} is not in ${config.file ?? 'hpcbench.yaml'}`, `clusters there: ${names.join(', ')}`);
    return name;
  }
  if (names.length === 1 && names[0] !== undefined) return names[0];
  throw new UsageError(`${config.file ?? 'hpcbench.yaml'} has ${names.length} clusters; say which with --cluster`, `clusters: ${names.join(', ')}`);
}

async function handler(argv: EfficiencyArgs): Promise<void> {
  const out = createOutput(argv);
  const ids = validateJobIds(argv.jobs.map(String));
  const configPath = resolveConfigPath(argv.config);
  const config = loadConfig(configPath);
  const name = pickCluster(config, argv.cluster);
  const cluster = config.clusters[name];
  if (cluster === undefined) throw new UsageError(`cluster ${name} is not in ${configPath}`);
  const root = dirname(configPath);
  const transport = connectCluster(describeRunCluster(cluster, root), {
    root,
    acceptNewHostKey: argv['accept-new-host-key'],
    onHostKeyPinned: (info) => out.warn(`pinned the host key of ${info.where} in ${info.file}`),
  });
  let report;
  try {
    report = await queryJobEfficiency({ transport, jobIds: ids, rates: toAccountingRates(cluster.rates) });
  } finally {
    await transport.close();
  }
  for (const id of report.notFound) out.warn(`job ${id}: not in sacct on ${name} (check the id; old jobs may have been purged from the accounting database)`);
  if (argv.json) out.json(toEfficiencyJson(report, name));
  else if (report.jobs.length > 0) out.data(formatEfficiencyReport(report));
}

export const efficiencyCommand: CommandModule<GlobalOptions, EfficiencyArgs> = {
  command: 'efficiency <jobs..>',
  describe: 'seff-style CPU and memory efficiency, GPU-hours, service units and cost of any jobs, from one sacct call',
  builder: (y: Argv<GlobalOptions>) =>
    y
      .positional('jobs', { type: 'string', array: true, demandOption: true, description: 'Job ids as sacct prints them (123456, 123456_7)' })
      .option('cluster', { type: 'string', description: 'Cluster from hpcbench.yaml to ask (default: the only one)' })
      .option('accept-new-host-key', {
        type: 'boolean',
        default: false,
        description: "Pin a host key seen for the first time (like OpenSSH's accept-new); a changed key is always refused",
      })
      .example('$0 efficiency 4512345 4512399 --cluster sdumont', 'Both jobs from one sacct call')
      .example('$0 efficiency 4512345 --json', 'Machine-readable, nulls for figures sacct does not have'),
  handler,
};
