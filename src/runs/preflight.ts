/**
 * Checks before anything is uploaded or submitted, each costing one remote command at most:
 * the work directory exists (or is created) and is writable, the models are in the offline Hugging Face cache
 * (compute nodes cannot download them), a checkpoint's TERM wait fits in SLURM's KillWait, and
 * `sbatch --test-only` accepts every script.
 */
import { CheckFailedError } from '../errors.js';
import { quoteShell } from '../shell-quote.js';
import { buildSbatchArgs, parseSbatchTestOnly } from '../slurm/index.js';
import type { Transport } from '../transport/transport.js';
import type { SubmitManifestJob } from './manifest-file.js';
import { toSlurmOutput } from './query.js';
import { runTag } from './run-record.js';

export interface PreflightCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface PreflightOptions {
  transport: Transport;
  runId: string;
  workdir: string;
  hfCache?: string | undefined;
  models: readonly string[];
  jobs: readonly { job: SubmitManifestJob; scriptText: string }[];
  /** Create a missing workdir (submit); false leaves the cluster untouched (--test-only). */
  createWorkdir?: boolean;
}

/** `org/name` → the hub cache directory name `models--org--name`. */
function hubDirectoryName(model: string): string {
  return `models--${model.split('/').join('--')}`;
}

/**
 * A missing workdir is created (mode 700: run scripts may carry tokens) rather than failed on, as
 * `mkdir -p` by hand would be the only fix; `--test-only` changes nothing and only says so.
 */
async function checkWorkdir(transport: Transport, workdir: string, create: boolean): Promise<PreflightCheck> {
  const d = quoteShell(workdir);
  const make = create ? `c=; if [ ! -d ${d} ]; then mkdir -p -m 700 -- ${d} && c=1; fi; ` : 'c=; ';
  const result = await transport.execShell(`${make}if [ ! -d ${d} ]; then echo missing; elif [ ! -w ${d} ]; then echo readonly; elif [ -n "$c" ]; then echo created; else echo ok; fi`);
  const answer = result.stdout.trim();
  const why = result.stderr.trim();
  switch (answer) {
    case 'ok':
      return { name: 'workdir', ok: true, detail: `${workdir} exists and is writable` };
    case 'created':
      return { name: 'workdir', ok: true, detail: `created ${workdir} (mkdir -p -m 700) on ${transport.target}` };
    case 'missing':
      return create
        ? { name: 'workdir', ok: false, detail: `${workdir} does not exist on ${transport.target} and could not be created${why === '' ? '' : ` (${why})`}: fix clusters.<name>.workdir or create it by hand` }
        : { name: 'workdir', ok: true, detail: `${workdir} does not exist yet on ${transport.target}; submit will create it (mkdir -p -m 700)` };
    case 'readonly':
      return { name: 'workdir', ok: false, detail: `${workdir} exists but is not writable by the SSH user on ${transport.target}: pick a directory you own (e.g. /scratch/<project>/<user>) in clusters.<name>.workdir` };
    default:
      return { name: 'workdir', ok: false, detail: `could not check ${workdir}: ${why || `exit ${String(result.code)}`}` };
  }
}

async function checkModels(transport: Transport, hfCache: string | undefined, models: readonly string[]): Promise<PreflightCheck[]> {
  if (models.length === 0) return [];
  if (hfCache === undefined) {
    return [
      {
        name: 'models',
        ok: false,
        detail: `the experiment names models (${models.join(', ')}) but the cluster has no hf_cache: set clusters.<name>.hf_cache to the offline Hugging Face cache`,
      },
    ];
  }
  // One command for all models: a snapshot directory with at least one entry means downloaded.
  const lines = models.map((m) => {
    const dir = quoteShell(`${hfCache}/hub/${hubDirectoryName(m)}/snapshots`);
    return `if [ -d ${dir} ] && [ -n "$(ls -A ${dir} 2>/dev/null)" ]; then echo ok; else echo missing; fi`;
  });
  const result = await transport.execShell(lines.join('; '));
  const answers = result.stdout.split('\n').filter((l) => l.trim() !== '');
  return models.map((m, i) =>
    answers[i] === 'ok'
      ? { name: `model ${m}`, ok: true, detail: `found in ${hfCache}/hub` }
      : {
          name: `model ${m}`,
          ok: false,
          detail: `${m} is not in the offline cache ${hfCache}/hub/${hubDirectoryName(m)}: compute nodes cannot download it; run scripts/prefetch-hf.sh on a node with internet (or huggingface-cli download ${m} with HF_HOME=${hfCache})`,
        },
  );
}

async function checkScript(transport: Transport, runId: string, workdir: string, job: SubmitManifestJob, scriptText: string): Promise<PreflightCheck> {
  // The script goes on stdin: nothing is uploaded before the checks pass. Dependencies are
  // left out: the jobs they name do not exist yet.
  const args = buildSbatchArgs({
    script: '/dev/stdin',
    testOnly: true,
    parsable: false,
    jobName: job.job_name,
    comment: runTag(runId),
    chdir: workdir,
    ...(job.array ? { array: job.array.spec } : {}),
  });
  const output = toSlurmOutput(await transport.exec(args, { stdin: scriptText }));
  const result = parseSbatchTestOnly(output);
  const name = `sbatch --test-only ${job.script}`;
  if (result.ok) {
    return { name, ok: true, detail: `accepted: would start at ${result.startTime} on ${result.nodes} in partition ${result.partition}` };
  }
  return { name, ok: false, detail: `rejected: ${result.errors.join('; ')}` };
}

/** SLURM's KillWait from `scontrol show config` (`KillWait = 30 sec`), or undefined. */
function parseKillWait(configText: string): number | undefined {
  const match = /^KillWait\s*=\s*(\d+)\s*sec/m.exec(configText);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/**
 * SLURM kills the job script KillWait seconds after SIGTERM; a longer term grace would let it
 * die before it records the workload's exit, while the workload still saves. One command, and
 * only when a job checkpoints.
 */
async function checkTermGrace(transport: Transport, jobs: PreflightOptions['jobs']): Promise<PreflightCheck[]> {
  const graces = jobs.flatMap(({ job }) => (job.term_grace_s === undefined ? [] : [{ job, grace: job.term_grace_s }]));
  if (graces.length === 0) return [];
  const result = await transport.exec(['scontrol', 'show', 'config']);
  const killWait = result.code === 0 ? parseKillWait(result.stdout) : undefined;
  if (killWait === undefined) return [{ name: 'KillWait', ok: true, detail: `not known (scontrol show config: ${result.stderr.trim() || 'no KillWait line'}); keep checkpoint.term_grace_seconds below it` }];
  return graces.map(({ job, grace }) =>
    grace < killWait
      ? { name: `term grace ${job.experiment}`, ok: true, detail: `${grace} s after SIGTERM, below KillWait (${killWait} s)` }
      : {
          name: `term grace ${job.experiment}`,
          ok: false,
          detail: `checkpoint.term_grace_seconds is ${grace} s but this cluster's KillWait is ${killWait} s: SLURM kills the job script before that wait ends, and the job's record of the workload's exit is lost — set experiments.${job.experiment}.checkpoint.term_grace_seconds to at most ${Math.max(0, killWait - 2)}`,
        },
  );
}

export async function runPreflight(options: PreflightOptions): Promise<PreflightCheck[]> {
  const checks: PreflightCheck[] = [await checkWorkdir(options.transport, options.workdir, options.createWorkdir ?? false)];
  checks.push(...(await checkModels(options.transport, options.hfCache, options.models)));
  checks.push(...(await checkTermGrace(options.transport, options.jobs)));
  for (const { job, scriptText } of options.jobs) {
    checks.push(await checkScript(options.transport, options.runId, options.workdir, job, scriptText));
  }
  return checks;
}

/** Throws one error listing every failed check. */
export function assertPreflight(checks: readonly PreflightCheck[]): void {
  const failed = checks.filter((c) => !c.ok);
  if (failed.length === 0) return;
  throw new CheckFailedError(
    `preflight failed (${failed.length} of ${checks.length} checks):\n${failed.map((c) => `  ${c.name}: ${c.detail}`).join('\n')}`,
    'Nothing was uploaded or submitted. Fix the problems above and run `hpcbench submit --test-only` again.',
  );
}
