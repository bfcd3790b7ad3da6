import type { Argv, CommandModule } from 'yargs';
import { stringify } from 'yaml';
import { loadConfig, loadConfigFile, resolveConfigPath } from '../config/index.js';
import { dirname, relative } from 'node:path';
import { ConfigError, formatIssue } from '../errors.js';
import { checkLoadedConfig } from '../render/check-config.js';
import { checkSalvagedConfig } from '../render/check-salvaged.js';
import { displayPath, sortIssues, type LoadedConfig } from '../config/load.js';
import { readFileSync } from 'node:fs';
import type { GlobalOptions } from './global-options.js';
import { createOutput } from './output.js';
import { describeUploadedSecret, findUploadedSecrets } from '../report/config-secrets.js';

/** The loaded config; after shape errors, what preflight finds in the rest is reported with them. */
function loadWithSalvage(path: string): LoadedConfig {
  try {
    return loadConfigFile(path);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const more = checkSalvagedConfig(readFileSync(path, 'utf8'), displayPath(path), dirname(path), error.issues);
    if (more.length === 0) throw error;
    throw new ConfigError(sortIssues([...error.issues, ...more]), error.hint);
  }
}

function checkHandler(argv: GlobalOptions): void {
  const out = createOutput(argv);
  const path = resolveConfigPath(argv.config);
  // Every check render and submit make without the cluster, all reported in this one run.
  const check = checkLoadedConfig(loadWithSalvage(path), dirname(path));
  for (const note of check.notes) out.warn(formatIssue(note));
  if (check.issues.length > 0) throw new ConfigError(check.issues, 'Fix these, then run `hpcbench config check` again.');
  const config = check.config;
  // A secret in the config is valid YAML but leaves the user's machine: warn, do not fail.
  const secrets = findUploadedSecrets(config);
  for (const secret of secrets) out.warn(describeUploadedSecret(secret));
  const summary = {
    file: config.file,
    valid: true,
    clusters: Object.keys(config.clusters),
    experiments: Object.keys(config.experiments),
    warnings: [
      ...check.notes.map((n) => ({ path: n.path, line: n.line, column: n.column, message: n.message })),
      ...secrets.map((s) => ({ experiment: s.experiment, key: s.key, where: s.where, message: describeUploadedSecret(s) })),
    ],
  };
  if (argv.json) out.json(summary);
  else {
    out.data(
      `${relative(process.cwd(), config.file) || config.file}: valid (${summary.clusters.length} cluster(s): ${summary.clusters.join(', ')}; ${summary.experiments.length} experiment(s): ${summary.experiments.join(', ') || 'none'})`,
    );
  }
}

function showHandler(argv: GlobalOptions): void {
  const out = createOutput(argv);
  const config = loadConfig(argv.config);
  if (argv.json) out.json(config);
  else out.data(stringify(config, { lineWidth: 0 }));
}

const checkCommand: CommandModule<GlobalOptions, GlobalOptions> = {
  command: 'check',
  describe: 'Validate the config with every check render and submit make without the cluster: exit 0 when valid (warnings on stderr), 2 with every problem at file:line:column',
  handler: checkHandler,
};

const showCommand: CommandModule<GlobalOptions, GlobalOptions> = {
  command: 'show',
  describe: 'Print the resolved config (presets merged, defaults filled) as YAML, or --json',
  handler: showHandler,
};

export const configCommand: CommandModule<GlobalOptions, GlobalOptions> = {
  command: 'config',
  describe: 'Validate or show the resolved hpcbench.yaml',
  builder: (y: Argv<GlobalOptions>) =>
    y.command(checkCommand).command(showCommand).demandCommand(1, 'Name an action: check or show.'),
  handler: () => undefined,
};
