/**
 * Printing is separate from computing: data goes to stdout (as text or --json), logs to stderr.
 */
import type { GlobalOptions } from './global-options.js';

export interface Output {
  /** Result data for the user or a pipe: stdout. */
  data(text: string): void;
  /** A JSON document on stdout (used when --json is set). */
  json(value: unknown): void;
  /** Progress and information: stderr, silenced by --quiet. */
  info(text: string): void;
  /** Details: stderr, only with --verbose. */
  debug(text: string): void;
  /** Warnings: stderr, always. */
  warn(text: string): void;
}

export function createOutput(options: Pick<GlobalOptions, 'quiet' | 'verbose'>): Output {
  return {
    data: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    json: (value) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    info: (text) => {
      if (!options.quiet) process.stderr.write(`${text}\n`);
    },
    debug: (text) => {
      if (options.verbose) process.stderr.write(`${text}\n`);
    },
    warn: (text) => process.stderr.write(`warning: ${text}\n`),
  };
}
