/**
 * `hpcbench status` without yargs. Importing yargs (and the string-width tables cliui builds when
 * it loads) costs about as much CPU as starting node, on a command people run in a loop while
 * they wait for a job. The usual status command lines are few and plain, so they are read here;
 * anything else (help, an unknown or repeated flag, a quoted or empty value, `--`)
 * is left to yargs, which parses it, or refuses it with its own message, exactly as before.
 * tests/unit/cli/run-target-argv.test.ts checks, on generated command lines, that every line read
 * here gives the values yargs gives.
 */
import type { RunTargetArgs } from './runs.js';

type BooleanKey = 'json' | 'quiet' | 'verbose' | 'accept-new-host-key';
type StringKey = 'config' | 'results';

const BOOLEAN_FLAGS: ReadonlyMap<string, BooleanKey> = new Map([
  ['--json', 'json'],
  ['--quiet', 'quiet'],
  ['-q', 'quiet'],
  ['--verbose', 'verbose'],
  ['-v', 'verbose'],
  ['--accept-new-host-key', 'accept-new-host-key'],
]);

const STRING_FLAGS: ReadonlyMap<string, StringKey> = new Map([
  ['--config', 'config'],
  ['--results', 'results'],
]);

/**
 * The arguments yargs would give the `status` handler for `args` (the words after `status`), or
 * undefined when the line is not one of the plain forms read here: the caller then asks yargs.
 * Each option at most once; a string option's value is the next word or follows `=`, never
 * empty and never starting with `-`; at most one run, which does not start with `-`.
 */
export function parseStatusArgv(args: readonly string[]): RunTargetArgs | undefined {
  const parsed: RunTargetArgs = {
    config: undefined,
    json: false,
    quiet: false,
    verbose: false,
    results: undefined,
    'accept-new-host-key': false,
    run: undefined,
  };
  const seen = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const word = args[i] as string;
    const flag = BOOLEAN_FLAGS.get(word);
    if (flag !== undefined) {
      if (seen.has(flag)) return undefined;
      seen.add(flag);
      parsed[flag] = true;
      continue;
    }
    const equals = word.indexOf('=');
    const name = equals === -1 ? word : word.slice(0, equals);
    const key = STRING_FLAGS.get(name);
    if (key !== undefined) {
      const value = equals === -1 ? args[++i] : word.slice(equals + 1);
      if (seen.has(key) || value === undefined || !isPlainValue(value)) return undefined;
      seen.add(key);
      parsed[key] = value;
      continue;
    }
    if (word.startsWith('-') || parsed.run !== undefined || !isPlainValue(word)) return undefined;
    parsed.run = word;
  }
  return parsed;
}

/** A value yargs keeps as the same string: not empty, not an option, no quotes (it strips them from `--opt="v"`). */
function isPlainValue(value: string): boolean {
  return value !== '' && !value.startsWith('-') && !/["']/.test(value);
}
