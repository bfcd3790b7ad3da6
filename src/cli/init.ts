/**
 * `hpcbench init`: start a project — hpcbench.yaml, its JSON Schema, and a workload example —
 * from prompts on a terminal or from flags. Nothing existing is overwritten without --force.
 */
import { createInterface } from 'node:readline/promises';
import { userInfo } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../errors.js';
import type { GlobalOptions } from './global-options.js';
import { createOutput } from './output.js';
import type { InitAnswers, InitPreset } from '../config/init-project.js';

interface InitArgs extends GlobalOptions {
  preset: string | undefined;
  host: string | undefined;
  project: string | undefined;
  user: string | undefined;
  account: string | undefined;
  dir: string;
  yes: boolean;
  force: boolean;
}

export interface PromptIo {
  input: Readable;
  output: Writable;
}

type Given = Partial<Record<keyof InitAnswers, string>>;

const QUESTIONS: Record<keyof InitAnswers, string> = {
  preset: 'Cluster preset (santos-dumont, sdumont-2nd, generic)',
  host: 'SSH host (a Host alias from ~/.ssh/config, or user@host)',
  project: 'Project on the cluster (fills {project} in /scratch/{project}/{user})',
  user: 'User name on the cluster',
  account: 'Account for sbatch --account',
};

/**
 * Asks for every answer the flags did not give, offering a default in brackets; an empty line
 * takes it, an unusable answer is explained and asked again. Input that ends early is an error.
 */
export async function promptInitAnswers(given: Given, io: PromptIo, dir: string, localUser: string): Promise<InitAnswers> {
  const lib = await import('../config/init-project.js');
  const rl = createInterface({ input: io.input, output: io.output, terminal: false });
  // The iterator buffers lines that arrive before a question is asked (piped or injected input).
  const lines = rl[Symbol.asyncIterator]();
  const ask = async (field: keyof InitAnswers, fallback: string): Promise<string> => {
    if (given[field] !== undefined) return given[field];
    for (;;) {
      io.output.write(`${QUESTIONS[field]} [${fallback}]: `);
      const next = await lines.next();
      if (next.done) throw new UsageError(`input ended before "${QUESTIONS[field]}" was answered`, 'Answer every question, or pass the values as flags with --yes.');
      const answer = String(next.value).trim() || fallback;
      const why = lib.checkInitAnswer(field, answer);
      if (!why) return answer;
      io.output.write(`  ${why}\n`);
    }
  };
  try {
    io.output.write(`${lib.describeInitPresets()}\n`);
    const preset = (await ask('preset', given.preset ?? 'santos-dumont')) as InitPreset;
    const defaults = lib.defaultInitAnswers(preset, dir, localUser);
    const host = await ask('host', defaults.host);
    const project = await ask('project', defaults.project);
    const user = await ask('user', defaults.user);
    const account = lib.requiresAccount(preset) || given.account !== undefined ? await ask('account', project) : undefined;
    return { preset, host, project, user, account };
  } finally {
    rl.close();
  }
}

/** Answers from flags alone: missing ones take their defaults with --yes, and are an error without it. */
export async function resolveInitFlags(given: Given, yes: boolean, dir: string, localUser: string): Promise<InitAnswers> {
  const lib = await import('../config/init-project.js');
  const presetName = given.preset ?? (yes ? 'santos-dumont' : undefined);
  if (presetName !== undefined) {
    const why = lib.checkInitAnswer('preset', presetName);
    if (why) throw new UsageError(`--preset: ${why}`);
  }
  const missing = (['preset', 'host', 'project', 'user'] as const).filter((f) => given[f] === undefined);
  if (!yes && missing.length > 0) {
    throw new UsageError(
      `no terminal to ask on, and ${missing.map((f) => `--${f}`).join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing`,
      'Pass them as flags, or add --yes to take the defaults (santos-dumont preset, host sdumont, the directory name as project, your local user).',
    );
  }
  const defaults = lib.defaultInitAnswers(presetName as InitPreset, dir, localUser);
  return lib.validateInitAnswers({
    preset: presetName as InitPreset,
    host: given.host ?? defaults.host,
    project: given.project ?? defaults.project,
    user: given.user ?? defaults.user,
    account: given.account ?? (lib.requiresAccount(presetName as InitPreset) ? (given.project ?? defaults.project) : undefined),
  });
}

/** A flag given twice counts once, the last time, as in most command-line tools. */
function lastValue(value: unknown): string | undefined {
  const last: unknown = Array.isArray(value) ? value[value.length - 1] : value;
  if (last === undefined) return undefined;
  // yargs gives strings for these flags; a number or boolean (`--project 123`) reads as typed.
  return typeof last === 'string' ? last : JSON.stringify(last);
}

function localUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'me';
  }
}

async function initHandler(argv: InitArgs): Promise<void> {
  const out = createOutput(argv);
  const lib = await import('../config/init-project.js');
  const given: Given = { preset: argv.preset, host: argv.host, project: argv.project, user: argv.user, account: argv.account };
  const interactive = !argv.yes && process.stdin.isTTY === true;
  const answers = interactive
    ? lib.validateInitAnswers(await promptInitAnswers(given, { input: process.stdin, output: process.stderr }, argv.dir, localUserName()))
    : await resolveInitFlags(given, argv.yes, argv.dir, localUserName());
  const written = lib.writeInitFiles(argv.dir, lib.listInitFiles(answers), { force: argv.force });
  if (argv.json) {
    out.json({ dir: argv.dir, answers, files: written });
    return;
  }
  for (const file of written) out.data(`wrote ${file}`);
  const cd = argv.dir === '.' ? '' : `cd ${argv.dir} && `;
  out.info(
    [
      '',
      'Next: edit setup: in hpcbench.yaml to activate your Python environment, then',
      `  ${cd}hpcbench config check`,
      '  hpcbench submit cpu-example --dry-run',
      '  hpcbench submit cpu-example && hpcbench watch && hpcbench fetch && hpcbench report latest',
    ].join('\n'),
  );
}

export const initCommand: CommandModule<GlobalOptions, InitArgs> = {
  command: 'init',
  describe: 'Start a project: write hpcbench.yaml, its JSON Schema and a workload example (prompts on a terminal, or flags)',
  builder: (y: Argv<GlobalOptions>) =>
    y
      .option('preset', { type: 'string', coerce: lastValue, description: 'Cluster preset: santos-dumont, sdumont-2nd or generic' })
      .option('host', { type: 'string', coerce: lastValue, description: 'SSH target: a Host alias from ~/.ssh/config, or user@host[:port]' })
      .option('project', { type: 'string', coerce: lastValue, description: 'Project on the cluster (fills {project} in paths)' })
      .option('user', { type: 'string', coerce: lastValue, description: 'User name on the cluster (fills {user} in paths)' })
      .option('account', { type: 'string', coerce: lastValue, description: 'sbatch --account (asked for when the preset requires one)' })
      .option('dir', { type: 'string', default: '.', coerce: lastValue, description: 'Directory to write into (created when missing)' })
      .option('yes', { alias: 'y', type: 'boolean', default: false, description: 'Ask nothing: flags, else defaults' })
      .option('force', { type: 'boolean', default: false, description: 'Overwrite files that already exist' })
      .example('$0 init', 'ask on the terminal')
      .example('$0 init --yes --preset sdumont-2nd --host sdumont2nd --project myproj --user me', 'no questions') as unknown as Argv<InitArgs>,
  handler: initHandler,
};
