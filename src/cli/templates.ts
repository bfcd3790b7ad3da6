import { dirname, join } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { findConfigFile, resolveConfigPath } from '../config/index.js';
import { listTemplates, readTemplate } from '../render/index.js';
import type { GlobalOptions } from './global-options.js';
import { createOutput } from './output.js';

interface ShowArgs extends GlobalOptions {
  name: string;
}

/** templates/ next to hpcbench.yaml, when there is a config; shipped templates only otherwise. */
function projectTemplatesDir(argv: GlobalOptions): string | undefined {
  const config = argv.config !== undefined ? resolveConfigPath(argv.config) : findConfigFile();
  return config === undefined ? undefined : join(dirname(config), 'templates');
}

function listHandler(argv: GlobalOptions): void {
  const out = createOutput(argv);
  const entries = listTemplates({ projectDir: projectTemplatesDir(argv) });
  if (argv.json) {
    out.json(entries);
    return;
  }
  const width = Math.max(...entries.map((e) => e.name.length));
  for (const e of entries) {
    const source = e.source === 'project' ? (e.overrides ? 'project (overrides shipped)' : 'project') : 'shipped';
    out.data(`${e.name.padEnd(width)}  ${e.kind.padEnd(7)}  ${source}`);
  }
}

function showHandler(argv: ShowArgs): void {
  const out = createOutput(argv);
  const entry = readTemplate(argv.name, { projectDir: projectTemplatesDir(argv) });
  if (argv.json) out.json(entry);
  else {
    out.info(`# ${entry.file} (${entry.source})`);
    out.data(entry.text);
  }
}

const listCommand: CommandModule<GlobalOptions, GlobalOptions> = {
  command: 'list',
  describe: 'List job templates, scripts and partials (project templates/ overrides shipped ones)',
  handler: listHandler,
};

const showCommand: CommandModule<GlobalOptions, ShowArgs> = {
  command: 'show <name>',
  describe: 'Print a template (e.g. gpu, multinode, partials/sidecar)',
  builder: (y: Argv<GlobalOptions>) => y.positional('name', { type: 'string', demandOption: true }),
  handler: showHandler,
};

export const templatesCommand: CommandModule<GlobalOptions, GlobalOptions> = {
  command: 'templates',
  describe: 'List or show the job script templates',
  builder: (y: Argv<GlobalOptions>) => y.command(listCommand).command(showCommand).demandCommand(1, 'Name an action: list or show.'),
  handler: () => undefined,
};
