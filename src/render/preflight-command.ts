/**
 * Preflight checks of an experiment's own shell code: the command is there, its `{name}`
 * placeholders name parameters, a swept parameter reaches the command at all, a multinode
 * command is not wrapped in a second torchrun, and environment variables torch renamed.
 */
import type { Experiment } from '../config/index.js';
import type { ConfigPath } from '../config/source-map.js';
import { closest } from '../config/suggest.js';
import { detectLauncher } from './job-view.js';
import { findPlaceholders, mentionsParameter, parameterEnvName } from './placeholders.js';

export interface IssueSink {
  error(path: ConfigPath, message: string, key?: string): void;
  warn(path: ConfigPath, message: string, key?: string): void;
}

const ALLOC_CONF_WARNING =
  'torch 2.9 renamed PYTORCH_CUDA_ALLOC_CONF to PYTORCH_ALLOC_CONF and warns about the old name: set PYTORCH_ALLOC_CONF (keep both while jobs also run an older torch)';

/** Warns about PYTORCH_CUDA_ALLOC_CONF in an `env:` mapping that lacks the new name. */
export function checkAllocConf(path: ConfigPath, env: Record<string, string>, sink: IssueSink): void {
  if ('PYTORCH_CUDA_ALLOC_CONF' in env && !('PYTORCH_ALLOC_CONF' in env)) sink.warn(path, ALLOC_CONF_WARNING, 'PYTORCH_CUDA_ALLOC_CONF');
}

const ESCAPE_HINT = 'write {{name}} for a literal {name}';

function checkPlaceholders(path: ConfigPath, text: string, known: readonly string[], sink: IssueSink): void {
  const unknown = [...new Set(findPlaceholders(text).map((p) => p.name).filter((n) => !known.includes(n)))];
  for (const name of unknown) {
    const guess = closest(name, known);
    const list = known.length > 0 ? `parameters: ${known.join(', ')}` : 'this experiment has no parameters';
    sink.error(path, `unknown placeholder {${name}}${guess ? ` — did you mean {${guess}}?` : ''}; ${list} (${ESCAPE_HINT})`);
  }
}

function checkMultinode(exp: Experiment, command: string, sink: IssueSink): void {
  const path = ['experiments', exp.name, 'command'];
  const launcher = detectLauncher(command);
  if (launcher !== 'srun' && /[\r\n]/.test(command)) {
    sink.error(path, launcher === 'torchrun'
      ? 'the multinode template starts your torchrun line once per node with srun: give it on one line'
      : 'the multinode template appends `command` to torchrun: give one line (the training script and its arguments)');
    return;
  }
  if (launcher === 'torchrun' && !/--nnodes/.test(command)) {
    sink.warn(path, 'your torchrun runs once per node under srun but has no --nnodes: each node would train alone; add --nnodes="$SLURM_JOB_NUM_NODES" --rdzv-backend=c10d --rdzv-endpoint="$MASTER_ADDR:$MASTER_PORT"');
  } else if (launcher === undefined && /(^|[\s;&|(])(torchrun|srun)(\s|$)/.test(command)) {
    sink.warn(path, 'the multinode template runs `command` inside its own torchrun, and this command calls torchrun or srun again: start the command with torchrun (run once per node) or srun (run as written), or give only the script and its arguments');
  }
}

export function checkCommand(exp: Experiment, sink: IssueSink): void {
  const base = ['experiments', exp.name];
  const swept = Object.keys(exp.sweep?.matrix ?? {});
  const known = [...new Set([...Object.keys(exp.parameters), ...swept])];
  const command = exp.command ?? '';
  if (command.trim() === '') {
    sink.error([...base, 'command'], 'the experiment has no `command`: give the workload command line, e.g. `python workloads/infer.py --model distilgpt2`');
  } else {
    checkPlaceholders([...base, 'command'], command, known, sink);
    if (exp.template === 'multinode') checkMultinode(exp, command, sink);
  }
  exp.setup.forEach((line, i) => checkPlaceholders([...base, 'setup', i], line, known, sink));
  const code = [command, ...exp.setup].join('\n');
  if (command.trim() !== '') {
    for (const name of swept) {
      if (!mentionsParameter(code, name)) {
        sink.warn([...base, 'sweep', 'matrix', name], `'${name}' is swept but the command never reads it (as {${name}}, $${name} or \${${name}}): every array task would run the same command; write --${name} {${name}} in the command, or read $${parameterEnvName(name)} in the workload`);
      }
    }
  }
  const byEnvName = new Map<string, string>();
  for (const name of known) {
    const envName = parameterEnvName(name);
    const other = byEnvName.get(envName);
    if (other !== undefined) sink.error([...base, swept.includes(name) ? 'sweep' : 'parameters'], `parameters '${other}' and '${name}' would both be exported as ${envName}: rename one`);
    byEnvName.set(envName, name);
  }
  checkAllocConf([...base, 'env'], exp.env, sink);
}
