import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigText } from '../../../src/config/index.js';
import { runLocal } from '../../../src/local/run-local.js';
import { profileRun } from '../../../src/profile/profile-run.js';
import { runCli } from '../cli/run-cli.js';
import { localConfigText } from '../support/local-config.js';
import { stillRunning } from '../support/processes.js';

/** A project directory with a tiny workload that writes an inference log. */
function makeProject(experiments: string): { root: string; config: ReturnType<typeof loadConfigText> } {
  const root = mkdtempSync(join(tmpdir(), 'hpcb-local-'));
  mkdirSync(join(root, 'work'));
  // One record per call: latency from the batch size so that the sweep points differ.
  writeFileSync(
    join(root, 'work', 'fake-infer.sh'),
    [
      '#!/usr/bin/env bash',
      'set -euo pipefail',
      'bs=${batch_size:-1}',
      'now=$(date +%s)',
      'echo "task ${SLURM_ARRAY_TASK_ID:-none} cpus ${SLURM_CPUS_PER_TASK} job ${SLURM_JOB_ID}"',
      'for i in 1 2 3; do',
      '  printf \'{"start": %s.0, "end": %s.%s, "batch_size": %s, "input_tokens": 10, "output_tokens": %s}\\n\' "$now" "$now" "$bs" "$bs" "$((bs * 8))" >> "$HPCBENCH_INFERENCE_LOG"',
      'done',
      '',
    ].join('\n'),
  );
  return { root, config: loadConfigText(localConfigText(experiments), 'hpcbench.yaml', root) };
}

/** Aborts once `file` exists and is not empty (at most 30 s later, for a busy machine). */
async function abortWhenExists(file: string, controller: AbortController): Promise<void> {
  for (let i = 0; i < 600 && !(existsSync(file) && statSync(file).size > 0); i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
  controller.abort();
}

describe('runLocal', () => {
  it('runs a CPU experiment end to end in the cluster-run layout, then profiles it', async () => {
    const { root, config } = makeProject(`
  small:
    files: [work/]
    command: bash work/fake-infer.sh && sleep 2
    resources: { time: "00:05:00", cpus_per_task: 2 }
`);
    // The sampler's first sample is taken as the job starts; the job lasts long enough for it to be
    // taken on a loaded machine too (a job over before any sample has no process.json).
    const result = await runLocal({ config, experiment: 'small', resultsDir: join(root, 'results'), runId: 'r1' });
    expect(result.tasks.map((t) => t.state)).toEqual(['COMPLETED']);
    const out = join(root, 'results', 'r1', 'out', 'small', 'main');
    for (const file of ['job.out', 'job.err', 'inference.jsonl', 'metadata.json', 'process.json']) {
      expect(existsSync(join(out, file)), file).toBe(true);
    }
    expect(readFileSync(join(out, 'job.out'), 'utf8')).toMatch(/task none cpus 2 job \d+/);
    const record = JSON.parse(readFileSync(join(root, 'results', 'r1', 'run.json'), 'utf8')) as { phase: string; jobs: { state: string }[] };
    expect(record.phase).toBe('completed');
    expect(record.jobs[0]?.state).toBe('COMPLETED');
    const doc = await profileRun(result.runDir);
    const task = doc.tasks[0]!;
    expect(task.inference?.requests).toBe(3);
    expect(task.process?.samples).toBeGreaterThan(0);
    expect(task.missing.find((m) => m.section === 'accounting')?.reason).toMatch(/local run/);

    // The run registry reads it like any run; the SLURM commands say there is nothing to follow.
    const listed = await runCli(['runs', '--results', join(root, 'results'), '--json']);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toMatchObject([{ run_id: 'r1', phase: 'completed' }]);
    const status = await runCli(['status', 'r1', '--results', join(root, 'results')]);
    expect(status.code).toBe(2);
    expect(status.stderr).toMatch(/ran on this machine \(run --local, completed\)/);
  });

  it('runs a sweep as array tasks, two at a time, each with its own parameters', async () => {
    const { root, config } = makeProject(`
  sweep:
    files: [work/]
    command: bash work/fake-infer.sh
    sweep: { matrix: { batch_size: [1, 2, 4] } }
`);
    const result = await runLocal({ config, experiment: 'sweep', resultsDir: join(root, 'results'), runId: 'r2', parallel: 2 });
    expect(result.tasks.map((t) => `${t.task}:${t.state}`)).toEqual(['0:COMPLETED', '1:COMPLETED', '2:COMPLETED']);
    expect(new Set(result.tasks.map((t) => t.job_id.split('_')[0])).size).toBe(1);
    const doc = await profileRun(result.runDir);
    expect(doc.sweep.map((p) => p.params.batch_size)).toEqual([1, 2, 4]);
    expect(readFileSync(join(result.runDir, 'out', 'sweep', '2', 'job.out'), 'utf8')).toMatch(/^task 2 /);
  });

  it('says a local job was too short for a process sample, rather than that only run --local takes them', async () => {
    const { root, config } = makeProject(`
  blink:
    command: 'true'
`);
    const result = await runLocal({ config, experiment: 'blink', resultsDir: join(root, 'results'), runId: 'r5' });
    // Whether the sampler caught `true` depends on the machine: take its samples away to be sure.
    rmSync(join(result.runDir, 'out', 'blink', 'main', 'process.json'), { force: true });
    const task = (await profileRun(result.runDir)).tasks[0]!;
    expect(task.missing.find((m) => m.section === 'process')).toMatchObject({
      code: 'process-job-too-short',
      reason: 'no process samples in out/blink/main: the job ended before the sampler took its first one',
    });
  });

  it('skips the dependents of a failed job, as afterok does', async () => {
    const { root, config } = makeProject(`
  first:
    command: exit 3
  second:
    depends_on: [first]
    command: echo never
`);
    const result = await runLocal({ config, experiment: 'second', resultsDir: join(root, 'results'), runId: 'r3' });
    expect(result.tasks.map((t) => `${t.experiment}:${t.state}`)).toEqual(['first:FAILED', 'second:SKIPPED']);
    expect(result.tasks[0]?.exit_code).toBe(3);
    expect(result.tasks[1]?.reason).toMatch(/dependency 'first' did not complete/);
    const record = JSON.parse(readFileSync(join(result.runDir, 'run.json'), 'utf8')) as { phase: string };
    expect(record.phase).toBe('failed');
  });

  it('an interrupted run stops its children and keeps the partial results', async () => {
    const { root, config } = makeProject(`
  long:
    command: 'echo started > "$HPCBENCH_OUT_DIR/partial.txt"; sleep 60 & echo $! > "$HPCBENCH_OUT_DIR/child.pid"; wait'
    sweep: { matrix: { n: [1, 2] } }
`);
    const controller = new AbortController();
    const running = runLocal({
      config,
      experiment: 'long',
      resultsDir: join(root, 'results'),
      runId: 'r4',
      signal: controller.signal,
      graceMs: 2000,
      onEvent: (e) => {
        // Interrupt once the task has written its partial result and started its own child.
        if (e.kind === 'task-start') void abortWhenExists(join(root, 'results', 'r4', 'out', 'long', '0', 'child.pid'), controller);
      },
    });
    const result = await running;
    expect(result.interrupted).toBe(true);
    expect(result.tasks.map((t) => t.state)).toEqual(['CANCELLED', 'SKIPPED']);
    const out = join(result.runDir, 'out', 'long', '0');
    expect(readFileSync(join(out, 'partial.txt'), 'utf8')).toBe('started\n');
    const grandchild = Number(readFileSync(join(out, 'child.pid'), 'utf8'));
    // SIGTERM reached it with the rest of the tree; give a loaded machine a moment to end it, less
    // than the 2 s grace after which a SIGKILL would hide a missed SIGTERM.
    for (let i = 0; i < 15 && stillRunning(grandchild); i += 1) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(stillRunning(grandchild)).toBe(false);
    const record = JSON.parse(readFileSync(join(result.runDir, 'run.json'), 'utf8')) as { phase: string; history: { message?: string }[] };
    expect(record.phase).toBe('interrupted');
  });
});
