import type { Argv } from 'yargs';

/** Options every command accepts. */
export interface GlobalOptions {
  config: string | undefined;
  json: boolean;
  quiet: boolean;
  verbose: boolean;
}

export interface GlobalOptionSpec {
  readonly type: 'string' | 'boolean';
  readonly alias?: string;
  readonly default?: boolean;
  readonly description: string;
}

// A table rather than yargs calls, so that the top-level help can be laid out without importing yargs.
export const globalOptionSpecs: Readonly<Record<keyof GlobalOptions, GlobalOptionSpec>> = {
  config: { type: 'string', description: 'Path to hpcbench.yaml (default: searched upward from the working directory)' },
  json: { type: 'boolean', default: false, description: 'Machine-readable output on stdout' },
  quiet: { alias: 'q', type: 'boolean', default: false, description: 'Only errors and results' },
  verbose: { alias: 'v', type: 'boolean', default: false, description: 'More detail, and stack traces on errors' },
};

export function addGlobalOptions<T>(y: Argv<T>): Argv<T & GlobalOptions> {
  let withOptions: Argv<T> = y;
  for (const [key, spec] of Object.entries(globalOptionSpecs)) withOptions = withOptions.option(key, { ...spec, global: true });
  return withOptions as unknown as Argv<T & GlobalOptions>;
}
