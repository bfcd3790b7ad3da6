import type { Argv } from 'yargs';

/** Options every command accepts. */
export interface GlobalOptions {
  config: string | undefined;
  json: boolean;
  quiet: boolean;
  verbose: boolean;
}

export function addGlobalOptions<T>(y: Argv<T>): Argv<T & GlobalOptions> {
  return y
    .option('config', {
      type: 'string',
      description: 'Path to hpcbench.yaml (default: searched upward from the working directory)',
      global: true,
    })
    .option('json', {
      type: 'boolean',
      default: false,
      description: 'Machine-readable output on stdout',
      global: true,
    })
    .option('quiet', {
      alias: 'q',
      type: 'boolean',
      default: false,
      description: 'Only errors and results',
      global: true,
    })
    .option('verbose', {
      alias: 'v',
      type: 'boolean',
      default: false,
      description: 'More detail, and stack traces on errors',
      global: true,
    }) as unknown as Argv<T & GlobalOptions>;
}
