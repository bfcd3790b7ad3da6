// `hpcbench estimate` from a real pilot on the test cluster: a job that logs Trainer-style dicts at
// a known, steady rate (0.5 s per step after 4 s of startup) runs 24 steps as the pilot; it is
// fetched and profiled; estimate projects the same experiment at 72 steps (3× the work); that job
// is run, and its sacct elapsed time must be within 20 % of the projection.
//
// Why 20 %: the projection is overhead + 72 × (seconds per step). sacct's Elapsed has whole-second
// resolution (±1 s on ~40 s, 2.5 %), the pilot's overhead is itself a whole-second figure minus the
// measured steps (another ±1 s), and on this shared 2-core machine job launch (slurmd, the job
// script's metadata and the prolog) varies by a few seconds between two jobs. 20 % of ~40 s is
// 8 s: wide enough for those, narrow enough that a wrong rate (a 2× error, or the overhead scaled
// with the work: 3 × 4 s) fails. Cluster time: about 16 s + 40 s.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readMetricsDocument } from '../../src/contracts/metrics.js';
import type { TaskMetrics } from '../../src/profile/metrics-document.js';
import { resolveRunId } from '../../src/runs/index.js';
import type { Transport } from '../../src/transport/transport.js';
import { runCli as cli } from '../unit/cli/run-cli.js';
import { describeCluster, type TestCluster } from './support/cluster.js';
import { cleanUpRuns, connectProject, openProject, writeClusterEntryLines, type TestProject } from './submit-helpers.js';

const TOLERANCE = 0.2;
const PILOT_STEPS = 24;
const FULL_STEPS = 72;

// A steady "training" loop: 0.5 s per step, a Trainer-style dict every 4 steps with a wall-clock time.
const WORKLOAD = `#!/bin/bash
steps=$1
sleep 4
for ((i = 1; i <= steps; i++)); do
  sleep 0.5
  if ((i % 4 == 0)); then
    printf "{'loss': %s, 'learning_rate': 0.001, 'step': %d, 'time': %s}\\n" "$(awk -v i="$i" 'BEGIN { print 2 / (1 + i / 10) }')" "$i" "$(date +%s.%N)"
  fi
done
`;

function writeEstimateProject(cluster: TestCluster): { dir: string; config: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hpcbench-estimate-'));
  writeFileSync(join(dir, 'steady-train.sh'), WORKLOAD);
  const lines = [
    'version: 1',
    ...writeClusterEntryLines(cluster),
    '    rates: { su_per_cpu_hour: 1, currency_per_su: 0.5, currency: BRL }',
    '    partitions:',
    '      cpu: { kind: cpu, cpus_per_node: 8, mem_per_node: 16G, max_time: "12:00:00", shared: true }',
    'experiments:',
    '  train:',
    '    cluster: test',
    '    partition: cpu',
    '    files: [steady-train.sh]',
    '    command: bash steady-train.sh {steps}',
    `    parameters: { steps: ${FULL_STEPS} }`,
    '    resources: { time: "00:05:00", cpus_per_task: 1, mem: 200M }',
  ];
  const config = join(dir, 'hpcbench.yaml');
  writeFileSync(config, `${lines.join('\n')}\n`);
  return { dir, config };
}

describeCluster('estimate from a real pilot on the test cluster', (cluster) => {
  let project: TestProject;
  let transport: Transport;
  const args = (): string[] => ['--config', project.config, '--results', project.resultsDir];

  /** submit → watch → fetch (until sacct has the job) → profile; the run id and its profiled task. */
  const runAndProfile = async (steps: number): Promise<{ runId: string; task: TaskMetrics }> => {
    const submitted = await cli(['submit', 'train', '--set', `steps=${steps}`, ...args()]);
    expect(submitted.code, submitted.stderr).toBe(0);
    const runId = await resolveRunId(project.resultsDir, submitted.stdout.trim());
    expect((await cli(['watch', runId, ...args()])).code).toBe(0);
    const fetchAccounting = async (): Promise<string> => (JSON.parse((await cli(['fetch', runId, '--json', '--results', project.resultsDir])).stdout) as { accounting: { status: string } }).accounting.status;
    let status = await fetchAccounting();
    // slurmdbd records a job a few seconds after it ends.
    for (let i = 0; i < 15 && status !== 'saved'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 2000));
      status = await fetchAccounting();
    }
    expect(status).toBe('saved');
    const runDir = join(project.resultsDir, runId);
    expect((await cli(['profile', runDir, '--config', project.config])).code).toBe(0);
    // Through the contract, as estimate reads it (the keys on disk are snake_case).
    const task = readMetricsDocument(join(runDir, 'metrics.json')).tasks[0];
    if (task === undefined) throw new Error(`${runDir}/metrics.json has no task`);
    return { runId, task };
  };

  beforeAll(() => {
    process.env.HPCBENCH_TEST_POLL_FLOOR_MS = '1000';
    project = openProject(writeEstimateProject(cluster));
    transport = connectProject(project);
  });

  afterAll(async () => {
    delete process.env.HPCBENCH_TEST_POLL_FLOOR_MS;
    if (transport) await cleanUpRuns(project, transport);
    await transport?.close();
  });

  it('without a pilot says what it needs and exits 2, instead of guessing', async () => {
    const result = await cli(['estimate', 'train', '--work', String(FULL_STEPS), ...args()]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/train: no profiled pilot run/);
    expect(result.stderr).toMatch(/hpcbench submit train/);
    expect(result.stdout).toBe('');
  });

  it(`predicts the elapsed time of a run with 3× the pilot's work within ${TOLERANCE * 100} %`, async () => {
    const pilot = await runAndProfile(PILOT_STEPS);
    expect(pilot.task.accounting?.state).toBe('COMPLETED');
    expect(pilot.task.training?.lastStep).toBe(PILOT_STEPS);
    // The workload sleeps 0.5 s per step; date and printf add a little.
    expect(pilot.task.training?.meanStepTimeS).toBeGreaterThanOrEqual(0.5);
    expect(pilot.task.training?.meanStepTimeS).toBeLessThan(0.6);

    const estimated = await cli(['estimate', 'train', '--from', pilot.runId, '--work', String(FULL_STEPS), '--json', ...args()]);
    expect(estimated.code, estimated.stderr).toBe(0);
    const estimate = JSON.parse(estimated.stdout) as {
      phases: {
        pilot: { overhead_s: number; overhead_known: boolean; run: string };
        projection: { wall_s: { estimate: number; low: number; high: number }; ask_time_s: number; charge: { cpu_hours: { estimate: number }; cost: { estimate: number } | null } };
      }[];
    };
    const phase = estimate.phases[0];
    expect(estimate.phases).toHaveLength(1);
    expect(phase?.pilot.run).toBe(pilot.runId);
    expect(phase?.pilot.overhead_known).toBe(true);
    // The 4 s of startup (plus the job script's own) is measured, not scaled with the work.
    expect(phase?.pilot.overhead_s).toBeGreaterThanOrEqual(3);
    const predicted = phase?.projection.wall_s.estimate ?? Number.NaN;
    expect(phase?.projection.charge.cost?.estimate).toBeCloseTo((phase?.projection.charge.cpu_hours.estimate ?? 0) * 0.5, 10);

    // The Markdown in Portuguese says the same.
    const pt = await cli(['estimate', 'train', '--from', pilot.runId, '--work', String(FULL_STEPS), '--lang', 'pt-BR', ...args()]);
    expect(pt.code).toBe(0);
    expect(pt.stdout).toContain(`${FULL_STEPS} passos`);

    const full = await runAndProfile(FULL_STEPS);
    expect(full.task.accounting?.state).toBe('COMPLETED');
    expect(full.task.training?.lastStep).toBe(FULL_STEPS);
    const actual = full.task.accounting?.elapsedSeconds ?? Number.NaN;
    console.info(`[estimate] predicted ${predicted.toFixed(1)} s (interval ${phase?.projection.wall_s.low.toFixed(1)}–${phase?.projection.wall_s.high.toFixed(1)}), sacct elapsed ${actual} s`);
    expect(Math.abs(predicted - actual)).toBeLessThanOrEqual(TOLERANCE * actual);
    // The --time it advised would have held the run.
    expect(phase?.projection.ask_time_s).toBeGreaterThanOrEqual(actual);
  });
});
