import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import yargs from 'yargs';
import { addGlobalOptions } from '../../../src/cli/global-options.js';
import { parseStatusArgv } from '../../../src/cli/run-target-argv.js';
import { statusCommand } from '../../../src/cli/status.js';
import type { RunTargetArgs } from '../../../src/cli/runs.js';

const KEYS = ['run', 'config', 'results', 'json', 'quiet', 'verbose', 'accept-new-host-key'] as const;

/**
 * What the `status` handler gets from yargs for `hpcbench status <args>`, configured as main.ts
 * does (global options, strict), or `refused` when yargs rejects the line.
 */
async function parseWithYargs(args: readonly string[]): Promise<Pick<RunTargetArgs, (typeof KEYS)[number]> | 'refused'> {
  let seen: Record<string, unknown> | undefined;
  const parser = addGlobalOptions(yargs(['status', ...args]))
    .strict()
    .exitProcess(false)
    .fail((message, error) => {
      throw error ?? new Error(message);
    })
    .command({ ...statusCommand, handler: (argv) => void (seen = argv) });
  try {
    await parser.parseAsync();
  } catch {
    return 'refused';
  }
  if (seen === undefined) return 'refused';
  return Object.fromEntries(KEYS.map((k) => [k, seen?.[k]])) as Pick<RunTargetArgs, (typeof KEYS)[number]>;
}

function pick(parsed: RunTargetArgs): Pick<RunTargetArgs, (typeof KEYS)[number]> {
  return Object.fromEntries(KEYS.map((k) => [k, parsed[k]])) as Pick<RunTargetArgs, (typeof KEYS)[number]>;
}

// Words a status command line is made of: its flags, values that look like numbers, paths and run
// ids, and the forms the fast path leaves to yargs (help, unknown flags, `=`, `--`, quotes, negations).
const word = fc.oneof(
  fc.constantFrom('--json', '--quiet', '-q', '--verbose', '-v', '--accept-new-host-key', '--config', '--results'),
  fc.constantFrom('latest', '20261202-011815-tiny-ab87', '2026', '0x10', '1e3', '007', 'results', '../p/hpcbench.yaml', '~/r', 'a b', 'run.json'),
  fc.constantFrom('--config=c.yaml', '--results=out', '--config="c.yaml"', "--results='out'", '--config=a=b', 'k=v', '--results=', '--json=false', '--no-json', '--help', '-h', '--', '-qv', '--acceptNewHostKey', '--bogus', '-x', 'x=y', '"q"', "'s'", ''),
  fc.stringMatching(/^[A-Za-z0-9._~/-]{1,12}$/),
);

describe('status arguments read without yargs', () => {
  it('reads the usual command lines as yargs does', async () => {
    const lines: string[][] = [
      [],
      ['latest'],
      ['20261202-011815-tiny-ab87', '--json'],
      ['--results', 'out', '-q'],
      ['--config=../p/hpcbench.yaml', '2026', '--accept-new-host-key', '-v'],
    ];
    for (const args of lines) {
      const fast = parseStatusArgv(args);
      expect(fast, args.join(' ')).toBeDefined();
      expect(pick(fast as RunTargetArgs), args.join(' ')).toEqual(await parseWithYargs(args));
    }
  });

  it('leaves to yargs what it does not read the same way', () => {
    for (const args of [['--help'], ['-h'], ['a', 'b'], ['--json', '--json'], ['--results'], ['--results='], ['--no-json'], ['-qv'], ['--config="c.yaml"'], ['--', 'x'], ['--bogus']]) {
      expect(parseStatusArgv(args), args.join(' ')).toBeUndefined();
    }
  });

  it('gives, for every generated line it reads, the values yargs gives', async () => {
    let read = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(word, { maxLength: 6 }), async (args) => {
        const fast = parseStatusArgv(args);
        if (fast === undefined) return;
        read++;
        expect(pick(fast)).toEqual(await parseWithYargs(args));
      }),
      { numRuns: 400, seed: 20261202 },
    );
    // The property must not pass by reading nothing.
    expect(read).toBeGreaterThan(100);
  });
});
