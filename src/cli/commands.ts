/**
 * Every CLI command as a light descriptor: its name, its one-line description, and how to load the
 * module that holds its options and handler. `hpcbench --help` and `--version` import none of them;
 * a command's module (and the config, SSH, profile or report code behind it) is imported only when
 * that command is parsed. Add new commands to this list.
 */
import type { Argv, CommandModule } from 'yargs';
import type { GlobalOptions } from './global-options.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- yargs modules differ in their argument types
type AnyCommandModule = CommandModule<GlobalOptions, any>;

export interface CommandDescriptor {
  /** The yargs command string, e.g. `status [run]`: the same as the loaded module's. */
  readonly command: string;
  /** The line `hpcbench --help` shows: the same as the loaded module's. */
  readonly describe: string;
  /** Imports the command's module; called only when the command runs (or its --help is asked). */
  readonly load: () => Promise<AnyCommandModule>;
}

// In the order of the workflow, which is the order `hpcbench --help` lists them.
export const commandDescriptors: readonly CommandDescriptor[] = [
  {
    command: 'demo',
    describe: 'Quick start without a cluster: render the sample GPU pipeline, run the CPU job here, profile, report',
    load: async () => (await import('./demo.js')).demoCommand,
  },
  {
    command: 'init',
    describe: 'Start a project: write hpcbench.yaml, its JSON Schema and a workload example (prompts on a terminal, or flags)',
    load: async () => (await import('./init.js')).initCommand,
  },
  { command: 'config', describe: 'Validate or show the resolved hpcbench.yaml', load: async () => (await import('./config.js')).configCommand },
  { command: 'templates', describe: 'List or show the job script templates', load: async () => (await import('./templates.js')).templatesCommand },
  {
    command: 'render <experiment>',
    describe: 'Write the job scripts and manifest of an experiment (and the experiments it depends on) into a run directory',
    load: async () => (await import('./render.js')).renderCommand,
  },
  {
    command: 'run <experiment>',
    describe: 'Run an experiment on this machine as SLURM would (--local), then profile it',
    load: async () => (await import('./run.js')).runCommand,
  },
  {
    command: 'submit [experiment]',
    describe: 'Render, check, upload and submit an experiment (and those it depends on) to its cluster',
    load: async () => (await import('./submit.js')).submitCommand,
  },
  {
    command: 'resubmit [run]',
    describe: 'Submit again only the jobs and array tasks of a run that did not complete (same task ids; completed results untouched)',
    load: async () => (await import('./resubmit.js')).resubmitCommand,
  },
  {
    command: 'status [run]',
    describe: 'State, pending reason, elapsed time, node and exit code of every job of a run (default: latest)',
    load: async () => (await import('./status.js')).statusCommand,
  },
  {
    command: 'watch [run]',
    describe: 'Follow a run until every job ends: exit 0 all completed, 1 any failed/timed out/out of memory/cancelled',
    load: async () => (await import('./watch.js')).watchCommand,
  },
  {
    command: 'fetch [run]',
    describe: 'Download job logs, nvidia-smi CSV, inference/training logs and metadata (resumable; complete files are skipped)',
    load: async () => (await import('./fetch.js')).fetchCommand,
  },
  {
    command: 'cancel [run]',
    describe: 'Cancel the jobs of a run that have not finished (default: latest run)',
    load: async () => (await import('./cancel.js')).cancelCommand,
  },
  {
    command: 'runs',
    describe: 'List the runs under results/ (newest last): submitted, run here, rendered only, and broken ones',
    load: async () => (await import('./runs.js')).runsCommand,
  },
  {
    command: 'profile <inputs..>',
    describe: 'Summarise a run (or log files) into metrics.json: GPU, inference, training, process and accounting',
    load: async () => (await import('./profile.js')).profileCommand,
  },
  {
    command: 'estimate <experiment>',
    describe: 'Project wall time, --time, checkpoint interval, GPU/CPU-hours, service units and cost of each phase from a profiled pilot run',
    load: async () => (await import('./estimate.js')).estimateCommand,
  },
  {
    command: 'efficiency <jobs..>',
    describe: 'seff-style CPU and memory efficiency, GPU-hours, service units and cost of any jobs, from one sacct call',
    load: async () => (await import('./efficiency.js')).efficiencyCommand,
  },
  {
    command: 'report <runs..>',
    describe: 'Write reports of profiled runs: Markdown (en, pt-BR), tidy CSV, JSON and a self-contained HTML with charts',
    load: async () => (await import('./report.js')).reportCommand,
  },
  {
    command: 'compare <baseline> <candidate>',
    describe: 'Compare two profiled runs metric by metric, with bootstrap intervals and a verdict',
    load: async () => (await import('./compare.js')).compareCommand,
  },
];

/**
 * The yargs command of a descriptor. yargs calls a command's builder only when that command is
 * parsed, and accepts a builder that returns a promise: the module is imported there, once, and
 * its own builder and handler take over.
 */
export function toLazyCommand(descriptor: CommandDescriptor): AnyCommandModule {
  let loaded: Promise<AnyCommandModule> | undefined;
  const load = (): Promise<AnyCommandModule> => (loaded ??= descriptor.load());
  return {
    command: descriptor.command,
    describe: descriptor.describe,
    builder: async (y: Argv<GlobalOptions>) => {
      const { builder } = await load();
      if (typeof builder === 'function') return builder(y);
      return builder === undefined ? y : y.options(builder);
    },
    handler: async (argv) => {
      await (await load()).handler(argv);
    },
  };
}
