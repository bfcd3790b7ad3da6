/**
 * The entry of `hpcbench status` when its command line is a usual one (run-target-argv.ts reads
 * it without yargs). status is run in loops while people wait, so scripts/bundle-cli.mjs bundles
 * this entry into one file of its own, dist/cli-bundle/status.js, which bin/hpcbench.js loads for
 * `status …` instead of main.js and its chunks: the ESM loader's cost per file was the largest
 * part of status' start-up above a bare node + ssh2 client (bench/cli-start.bench.mjs). What this
 * file imports only through import() is bundled lazily: it runs only when reached.
 */
import { ExitCode } from '../errors.js';
import { asksVerbose, exitQuietlyOnClosedPipe, reportError } from './exit.js';
import { parseStatusArgv } from './run-target-argv.js';

/**
 * Runs `status` for `argv` (the words after `hpcbench`, starting with `status`) and returns the
 * exit code, or undefined when the line is not one this entry reads (--help, an unknown flag…):
 * the caller then runs the full CLI, which answers it through yargs.
 */
export async function statusMain(argv: readonly string[]): Promise<number | undefined> {
  const status = argv[0] === 'status' ? parseStatusArgv(argv.slice(1)) : undefined;
  if (status === undefined) return undefined;
  exitQuietlyOnClosedPipe();
  try {
    const [{ statusHandler }, { useInterpretedZod }] = await Promise.all([import('./status.js'), import('./zod-one-shot.js')]);
    useInterpretedZod();
    await statusHandler(status);
    return ExitCode.ok;
  } catch (error) {
    return reportError(error, asksVerbose(argv));
  }
}
