/**
 * The CLI entry: the only place that reads argv and maps errors to exit codes.
 */
import { packageVersion } from './version.js';
import { ExitCode, UsageError } from '../errors.js';
import { asksVerbose, exitQuietlyOnClosedPipe, reportError } from './exit.js';
import { commandDescriptors, toLazyCommand } from './commands.js';
import { addGlobalOptions } from './global-options.js';
import { canLayOutHelp, isTopLevelHelp, renderTopLevelHelp, scriptName, selectHelpWidth, usageText } from './top-level-help.js';
import { closest } from '../config/suggest.js';

/** Runs the CLI and returns the exit code; never calls process.exit so tests can call it. */
export async function main(argv: readonly string[]): Promise<number> {
  exitQuietlyOnClosedPipe();
  // Importing yargs alone costs more than starting node: a bare --version (what scripts and
  // version checks run) answers before it, with the line yargs would print.
  if (argv.length === 1 && argv[0] === '--version') {
    process.stdout.write(`${packageVersion()}\n`);
    return ExitCode.ok;
  }
  const width = selectHelpWidth(process.stdout.columns);
  if (isTopLevelHelp(argv) && canLayOutHelp(process.env)) {
    process.stdout.write(`${await renderTopLevelHelp(width)}\n`);
    return ExitCode.ok;
  }
  const verbose = asksVerbose(argv);
  // `status` is run in loops while people wait: its usual command lines skip yargs (status-main.ts).
  if (argv[0] === 'status') {
    const code = await (await import('./status-main.js')).statusMain(argv);
    if (code !== undefined) return code;
  }
  const [{ default: yargs }, { useInterpretedZod }] = await Promise.all([import('yargs'), import('./zod-one-shot.js')]);
  useInterpretedZod();
  let parser = addGlobalOptions(yargs([...argv]))
    .scriptName(scriptName)
    .usage(usageText)
    .version(packageVersion())
    .help()
    .alias('help', 'h')
    .strict()
    .recommendCommands()
    .demandCommand(1, 'Name a command; `hpcbench --help` lists them.')
    // yargs lays out the command's whole help text (cliui, wrap-ansi) after the handler has started,
    // even when it is never printed: about 50 ms of every call. Only --help prints it here, since
    // .fail() throws instead of showing help, so the wrapped layout is kept for that alone.
    .wrap(asksForHelp(argv) ? width : null)
    .exitProcess(false)
    .fail((message, error) => {
      if (error) throw error;
      // At failure time the parser holds the options of the command being parsed.
      const known = Object.keys((parser as unknown as { getOptions(): { key: Record<string, unknown> } }).getOptions().key);
      throw new UsageError(explainUsage(message ?? 'invalid usage', known), 'Run `hpcbench --help` for the list of commands and options.');
    });
  for (const descriptor of commandDescriptors) parser = parser.command(toLazyCommand(descriptor));
  try {
    await parser.parseAsync();
    return ExitCode.ok;
  } catch (error) {
    return reportError(error, verbose);
  }
}

/** Whether yargs may print help in this call: --help or -h before a `--` separator. */
function asksForHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

/** yargs says "Unknown argument: x"; name the closest known flag or command as well. */
function explainUsage(message: string, knownKeys: readonly string[]): string {
  if (message.startsWith('Did you mean')) return `unknown command. ${message}`;
  const match = /^Unknown arguments?: (.+)$/.exec(message);
  if (!match?.[1]) return message;
  const known = knownKeys.filter((k) => k.length > 1 && k !== '$0');
  const parts = match[1].split(', ').map((arg) => {
    const guess = closest(arg.replace(/^-+/, ''), known);
    return guess ? `${arg} (did you mean --${guess}?)` : arg;
  });
  return `${match[0].split(':')[0]}: ${parts.join(', ')}`;
}
