/**
 * `hpcbench efficiency <job id…> [--cluster NAME]`: seff's CPU and memory efficiency for jobs
 * hpcbench did not submit, with GPU-hours, service units and cost — ONE sacct call over one SSH
 * connection for all the jobs.
 */
import type { Argv, CommandModule } from 'yargs';
import { checkEfficiency } from '../profile/accounting/check-efficiency.js';
import { formatEfficiencyReport, toEfficiencyJson } from '../profile/accounting/efficiency-format.js';
import type { GlobalOptions } from './global-options.js';
import { createOutput } from './output.js';

interface EfficiencyArgs extends GlobalOptions {
  jobs: string[];
  cluster: string | undefined;
  'accept-new-host-key': boolean;
}

async function handler(argv: EfficiencyArgs): Promise<void> {
  const out = createOutput(argv);
  const { cluster, report } = await checkEfficiency({
    jobs: argv.jobs.map(String),
    configOption: argv.config,
    cluster: argv.cluster,
    connect: { acceptNewHostKey: argv['accept-new-host-key'], onHostKeyPinned: (info) => out.warn(`pinned the host key of ${info.where} in ${info.file}`) },
  });
  for (const id of report.notFound) out.warn(`job ${id}: not in sacct on ${cluster} (check the id; old jobs may have been purged from the accounting database)`);
  if (argv.json) out.json(toEfficiencyJson(report, cluster));
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
