/**
 * How a CLI call ends: an error becomes a message, a hint and an exit code (never a stack trace
 * unless --verbose), and a closed stdout pipe is a quiet stop. Shared by the main entry and the
 * status entry (status-main.ts).
 */
import { HpcbenchError, ExitCode } from '../errors.js';

/** `hpcbench … | head` closes stdout early: that is not an error, just stop. */
export function exitQuietlyOnClosedPipe(): void {
  if (process.stdout.listenerCount('error') > 0) return;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

export function reportError(error: unknown, verbose: boolean): number {
  if (error instanceof HpcbenchError) {
    process.stderr.write(`hpcbench: ${error.message}\n`);
    if (error.hint) process.stderr.write(`hint: ${error.hint}\n`);
    if (verbose && error.stack) process.stderr.write(`${error.stack}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`hpcbench: internal error: ${message}\n`);
  if (verbose && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  else process.stderr.write('hint: rerun with --verbose for the stack trace, and report it as a bug.\n');
  return ExitCode.failed;
}

/** --verbose or -v anywhere on the line (read before any parser, for errors the parser raises). */
export function asksVerbose(argv: readonly string[]): boolean {
  return argv.includes('--verbose') || argv.includes('-v');
}
