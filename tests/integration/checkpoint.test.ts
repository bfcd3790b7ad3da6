// Checkpoint and requeue on the real test cluster. With proctrack/cgroup (cgroup v1 writable) SLURM
// kills everything of a job as production clusters do; with proctrack/linuxproc (the test cluster's
// fallback) a workload orphaned by a job script that stopped waiting too early would outlive the
// job and still finish its save, hiding the bug. So every test also checks, once its job has ended,
// that no process of the job survived it, which holds under either tracker only if the trap waited.
// The workload (tests/fixtures/checkpoint/steps.py) saves slowly, like a large model on shared
// storage: its checkpoint takes longer than the cluster's KillWait.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Client } from 'ssh2';
import { afterAll, beforeAll, it } from 'vitest';
import { loadConfigText } from '../../src/config/index.js';
import { renderRun, type RenderedRun } from '../../src/render/index.js';
import { parseExitDocument } from '../../src/contracts/exit.js';
import { shellCommand } from '../../src/shell-quote.js';
import { describeCluster, type TestCluster } from './support/cluster.js';
import { beginTimeReleaser, connectToCluster, execRemote, execRemoteOk, uploadRenderings, TERMINAL_STATES } from './support/remote.js';

const WORKLOAD = readFileSync(resolve('tests/fixtures/checkpoint/steps.py'), 'utf8');
/** A State column that says the job ended ("CANCELLED by 0" too). */
const isTerminal = (state: string): boolean => TERMINAL_STATES.has(state.split(' ')[0] ?? '');
/** Seconds steps.py takes to save on the checkpoint signal; the test checks it exceeds KillWait. */
const SLOW_SAVE_S = 15;
/**
 * One step a second under a 3-minute limit with the signal 60 s ahead: SLURM sends it 60–120 s
 * into each attempt (it checks limits about once a minute), so 150 steps take 2 or 3 attempts.
 */
const SLOW_STEPS = 150;

function configText(cluster: TestCluster): string {
  const ssh = JSON.stringify({ host: cluster.host, port: cluster.port, user: cluster.username });
  const account = cluster.account === undefined ? '' : `\n    account: ${cluster.account}`;
  // slow-save meets its real time limit; the others get their signals from the tests.
  const job = (command: string, checkpoint: string, extra = '', time = 10): string =>
    `    partition: cpu\n    command: ${JSON.stringify(command)}\n    resources: { time: ${time}, cpus_per_task: 1, mem: 256M }\n    checkpoint: ${checkpoint}\n${extra}`;
  return `version: 1
clusters:
  test:
    preset: generic
    ssh: ${ssh}
    workdir: ${cluster.remoteWorkdir}${account}
    partitions:
      cpu: { kind: cpu, cpus_per_node: 8, mem_per_node: 22G, max_time: "1-00:00:00", shared: true }
experiments:
  slow-save:
${job(`python3 steps.py --steps ${SLOW_STEPS} --step-s 1 --save-s ${SLOW_SAVE_S}`, '{ seconds_before: 60, grace_seconds: 45 }', '', 3)}
  cancelled:
${job('python3 steps.py --steps 1000 --step-s 0.5 --term-save-s 3', '{ seconds_before: 60, grace_seconds: 30, term_grace_seconds: 6 }')}
  requeue-refused:
${job('python3 steps.py --steps 1000 --step-s 0.5 --save-s 2', '{ seconds_before: 60, grace_seconds: 30 }', '    extra_directives: ["--no-requeue"]\n')}
  ignores-signal:
${job('python3 steps.py --steps 1000 --step-s 0.5 --ignore-signal', '{ seconds_before: 60, grace_seconds: 4, max_restarts: 1 }')}
  srun-step:
${job(`srun python3 steps.py --steps 1000 --step-s 0.5 --save-s ${SLOW_SAVE_S}`, '{ seconds_before: 60, grace_seconds: 40, requeue: false }')}
`;
}

interface CheckpointEvent {
  restart: number;
  signal: string;
  waited_s: number;
  workload_exited: boolean;
  action: string;
  reason_code: string;
  reason: string;
}

describeCluster('checkpoint and requeue on the real cluster', (cluster) => {
  let client: Client;
  let runDir: string;
  let killWait = 0;
  let proctrack = '';
  const ids = new Map<string, string>();
  let dependentId = '';

  const remote = (path: string): string => `${runDir}/${path}`;
  const read = (path: string): Promise<string> => execRemoteOk(client, shellCommand(['cat', remote(path)]));
  const readOr = async (path: string): Promise<string> => (await execRemote(client, shellCommand(['cat', remote(path)]))).stdout;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const events = async (name: string): Promise<CheckpointEvent[]> =>
    (await readOr(`out/${name}/main/checkpoints.jsonl`)).trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as CheckpointEvent);

  /** squeue state and reason, or '' once the job has left squeue. */
  async function queueState(id: string): Promise<{ state: string; reason: string }> {
    const out = (await execRemoteOk(client, shellCommand(['squeue', '-h', '-j', id, '-o', '%T|%r']))).trim();
    const [state = '', reason = ''] = out.split('|');
    return { state, reason };
  }

  /** Follows a job to its end, releasing each requeue from its BeginTime hold (beginTimeReleaser). */
  async function follow(id: string, timeoutMs: number, until: () => Promise<boolean> = async () => false): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    const release = beginTimeReleaser(client, id);
    for (;;) {
      const { state, reason } = await queueState(id);
      await release(state, reason);
      if (await until()) return state;
      const final = (await execRemoteOk(client, shellCommand(['sacct', '-n', '-X', '-P', '-j', id, '-o', 'State']))).trim().split('\n')[0] ?? '';
      if (state === '' || isTerminal(state)) if (isTerminal(final)) return final.split(' ')[0]!;
      if (Date.now() > deadline) throw new Error(`job ${id} (${state} ${reason}, sacct ${final}) did not get there within ${timeoutMs} ms`);
      await sleep(2_000);
    }
  }

  async function waitForLog(name: string, pattern: RegExp, timeoutMs = 120_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const log = await readOr(`out/${name}/main/steps.log`);
      if (pattern.test(log)) return log;
      if (Date.now() > deadline) throw new Error(`out/${name}/main/steps.log never matched ${pattern}; it holds:\n${log}`);
      await sleep(1_000);
    }
  }

  const sendCheckpointSignal = (name: string) =>
    // What --signal=B:USR1@N does at the time limit, sent now: to the batch shell only.
    execRemoteOk(client, shellCommand(['scancel', '--signal=USR1', '--batch', ids.get(name)!]));

  /** job.err of every attempt (append mode), checked for the handler failures bash 5.2 printed. */
  async function readCleanJobErr(name: string): Promise<string> {
    const err = await read(`out/${name}/main/job.err`);
    for (const broken of ['unexpected EOF', 'syntax error', 'command not found', 'unbound variable']) {
      if (err.includes(broken)) throw new Error(`out/${name}/main/job.err reports '${broken}':\n${err}`);
    }
    return err;
  }

  /**
   * Processes started by the job of one experiment still alive after the job ended: the job's
   * environment (HPCBENCH_RUN_ID and HPCBENCH_EXPERIMENT, exported before the workload starts)
   * marks them. SLURM reports a job ended only once the processes it tracks are gone, so any left
   * escaped it; a second look 2 s later lets a process that was being reaped go.
   */
  async function expectNoSurvivors(name: string): Promise<void> {
    const runId = runDir.slice(runDir.lastIndexOf('/') + 1);
    const script = [
      'for f in /proc/[0-9]*/environ; do',
      '  e=$(tr "\\0" "\\n" 2>/dev/null < "$f") || continue',
      `  if grep -qx ${shellCommand([`HPCBENCH_RUN_ID=${runId}`])} <<<"$e" && grep -qx ${shellCommand([`HPCBENCH_EXPERIMENT=${name}`])} <<<"$e"; then`,
      '    p=${f%/environ}; echo "${p#/proc/} $(tr "\\0" " " 2>/dev/null < "$p/cmdline")"',
      '  fi',
      'done',
    ].join('\n');
    let left = '';
    for (let look = 0; look < 2; look++) {
      if (look > 0) await sleep(2_000);
      left = (await execRemoteOk(client, shellCommand(['bash', '-c', script]))).trim();
      if (left === '') return;
    }
    throw new Error(`processes of ${name} outlived its job (process tracking: ${proctrack}):\n${left}`);
  }

  beforeAll(async () => {
    client = await connectToCluster(cluster);
    const config = loadConfigText(configText(cluster), resolve('tests/fixtures/checkpoint/hpcbench.yaml'), resolve('tests/fixtures/checkpoint'));
    const runId = `ckpt-it-${process.pid}-${Date.now().toString(36)}`;
    const runs = new Map<string, RenderedRun>();
    for (const name of Object.keys(config.experiments)) runs.set(name, renderRun(config, name, { runId }));
    runDir = `${cluster.remoteWorkdir}/${runId}`;
    await uploadRenderings(client, runDir, runs.values(), { 'files/steps.py': WORKLOAD });

    const config_ = await execRemoteOk(client, 'scontrol show config');
    proctrack = /^ProctrackType\s*=\s*(\S+)/m.exec(config_)?.[1] ?? '(unknown)';
    killWait = Number(/^KillWait\s*=\s*(\d+)/m.exec(config_)?.[1] ?? NaN);

    for (const name of runs.keys()) {
      const out = await execRemoteOk(client, shellCommand(['sbatch', '--parsable', `--chdir=${runDir}`, `scripts/${name}.sbatch`]));
      ids.set(name, out.trim().split(';')[0]!);
    }
    // Work that must start only after the refused requeue's job succeeded: it never may.
    const dependent = shellCommand(['sbatch', '--parsable', `--chdir=${runDir}`, '-p', 'cpu', '-t', '1', '--mem=64M', `--dependency=afterok:${ids.get('requeue-refused')!}`, '-o', '/dev/null', '--wrap', `touch ${runDir}/dependent-ran`]);
    dependentId = (await execRemoteOk(client, dependent)).trim().split(';')[0]!;
  }, 120_000);

  afterAll(async () => {
    if (client === undefined) return;
    await execRemote(client, shellCommand(['scancel', ...ids.values(), ...(dependentId ? [dependentId] : [])]));
    await execRemote(client, shellCommand(['rm', '-rf', runDir]));
    client.end();
  });

  it.concurrent('saves a checkpoint slower than KillWait at every time limit, resumes at the saved step, and completes', async ({ expect }) => {
    expect(killWait).toBeLessThan(SLOW_SAVE_S);
    expect(await follow(ids.get('slow-save')!, 600_000)).toBe('COMPLETED');
    await expectNoSurvivors('slow-save');
    const log = await read('out/slow-save/main/steps.log');
    // Every attempt starts at the step the previous one saved, and every step runs exactly once.
    const attempts = log.split(/(?=^start )/m);
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    let saved = 0;
    const steps: number[] = [];
    for (const [i, attempt] of attempts.entries()) {
      expect(attempt).toMatch(new RegExp(`^start restart=${i} step=${saved}\\n`));
      steps.push(...[...attempt.matchAll(/^step (\d+)$/gm)].map((m) => Number(m[1])));
      if (i < attempts.length - 1) {
        const at = /^saving at step (\d+) \(SIGUSR1\)\nsaved step (\d+)$/m.exec(attempt);
        expect(at, attempt).not.toBeNull();
        expect(at![2]).toBe(at![1]);
        saved = Number(at![2]);
      } else {
        expect(attempt).toMatch(new RegExp(`^done ${SLOW_STEPS}$`, 'm'));
      }
    }
    expect(steps).toEqual(Array.from({ length: SLOW_STEPS }, (_, k) => k + 1));
    const evts = await events('slow-save');
    expect(evts).toHaveLength(attempts.length - 1);
    for (const e of evts) {
      expect(e).toMatchObject({ signal: 'USR1', workload_exited: true, action: 'requeued' });
      expect(e.waited_s).toBeGreaterThanOrEqual(SLOW_SAVE_S - 1);
    }
    const err = await readCleanJobErr('slow-save');
    expect(err).toMatch(/its checkpoint took \d+ s/);
    expect(parseExitDocument(await read('out/slow-save/main/exit.json'), 'out/slow-save/main/exit.json')).toMatchObject({ exit_code: 0, restart_count: attempts.length - 1, stop_reason: null });
    const history = await execRemoteOk(client, shellCommand(['sacct', '-n', '-X', '-D', '-P', '-j', ids.get('slow-save')!, '-o', 'State']));
    expect(history.trim().split('\n').filter((s) => s === 'REQUEUED')).toHaveLength(attempts.length - 1);
  }, 660_000);

  it.concurrent('on scancel, passes TERM on and keeps the job alive until the workload saved', async ({ expect }) => {
    await waitForLog('cancelled', /^step 4$/m);
    await execRemoteOk(client, shellCommand(['scancel', ids.get('cancelled')!]));
    expect(await follow(ids.get('cancelled')!, 120_000)).toBe('CANCELLED');
    await expectNoSurvivors('cancelled');
    const log = await read('out/cancelled/main/steps.log');
    const last = Math.max(...[...log.matchAll(/^step (\d+)$/gm)].map((m) => Number(m[1])));
    expect(log).toMatch(new RegExp(`^saving at step ${last} \\(SIGTERM\\)\\nsaved step ${last}$`, 'm'));
    expect(JSON.parse(await read('checkpoints/cancelled/main/state.json'))).toEqual({ step: last });
    expect(await events('cancelled')).toMatchObject([{ signal: 'TERM', action: 'ended', reason_code: 'terminated', workload_exited: true }]);
    expect(parseExitDocument(await read('out/cancelled/main/exit.json'), 'out/cancelled/main/exit.json')).toMatchObject({ exit_code: 143, signal: 'TERM', requeued: false });
    expect(await readCleanJobErr('cancelled')).toMatch(/the workload exited \d+ s after SIGTERM/);
  }, 180_000);

  it.concurrent('ends FAILED when SLURM refuses the requeue, and its afterok dependent never starts', async ({ expect }) => {
    await waitForLog('requeue-refused', /^step 3$/m);
    await sendCheckpointSignal('requeue-refused');
    expect(await follow(ids.get('requeue-refused')!, 120_000)).toBe('FAILED');
    await expectNoSurvivors('requeue-refused');
    const exitCode = (await execRemoteOk(client, shellCommand(['sacct', '-n', '-X', '-P', '-j', ids.get('requeue-refused')!, '-o', 'ExitCode']))).trim();
    expect(exitCode).toBe('91:0');
    expect(await read('out/requeue-refused/main/steps.log')).toMatch(/^saved step \d+$/m);
    const err = await readCleanJobErr('requeue-refused');
    expect(err).toMatch(/not requeueing: scontrol requeue failed \(.*disabled.*\); the work done so far is in \S+: resubmit to resume/);
    expect(await events('requeue-refused')).toMatchObject([{ action: 'stopped', reason_code: 'requeue-failed', workload_exited: true }]);
    // slurmctld marks the dependency as never satisfied on its next pass.
    let dependent = await queueState(dependentId);
    for (let i = 0; i < 30 && dependent.reason !== 'DependencyNeverSatisfied' && dependent.state === 'PENDING'; i++) {
      await sleep(2_000);
      dependent = await queueState(dependentId);
    }
    expect(['PENDING DependencyNeverSatisfied', 'CANCELLED DependencyNeverSatisfied', ' ']).toContain(`${dependent.state} ${dependent.reason}`);
    expect((await execRemote(client, shellCommand(['test', '-e', `${runDir}/dependent-ran`]))).code).not.toBe(0);
  }, 180_000);

  it.concurrent('reaches a workload in an srun step, waits for its slow save, and ends FAILED 90 with requeue off', async ({ expect }) => {
    // The task runs under the step's slurmstepd, not below the job script: srun passes the signal on.
    await waitForLog('srun-step', /^step 3$/m);
    await sendCheckpointSignal('srun-step');
    expect(await follow(ids.get('srun-step')!, 120_000)).toBe('FAILED');
    await expectNoSurvivors('srun-step');
    const log = await read('out/srun-step/main/steps.log');
    const saved = /^saving at step (\d+) \(SIGUSR1\)\nsaved step (\d+)$/m.exec(log);
    expect(saved?.[2]).toBe(saved?.[1]);
    expect(JSON.parse(await read('checkpoints/srun-step/main/state.json'))).toEqual({ step: Number(saved?.[1]) });
    const steps = (await execRemoteOk(client, shellCommand(['sacct', '-n', '-P', '-j', ids.get('srun-step')!, '-o', 'JobID,State,ExitCode']))).trim().split('\n');
    expect(steps).toContain(`${ids.get('srun-step')!}|FAILED|90:0`);
    expect(steps).toContain(`${ids.get('srun-step')!}.0|COMPLETED|0:0`);
    const [event] = await events('srun-step');
    expect(event).toMatchObject({ signal: 'USR1', workload_exited: true, action: 'stopped', reason_code: 'requeue-disabled' });
    expect(event?.waited_s).toBeGreaterThanOrEqual(SLOW_SAVE_S - 1);
    await readCleanJobErr('srun-step');
  }, 180_000);

  it.concurrent('stops requeueing a workload that ignores the signal at checkpoint.max_restarts, and says why', async ({ expect }) => {
    const id = ids.get('ignores-signal')!;
    await waitForLog('ignores-signal', /^start restart=0 step=0\nstep 1\nstep 2$/m);
    await sendCheckpointSignal('ignores-signal');
    // Requeued (progress files changed), released, started again.
    await follow(id, 180_000, async () => /^start restart=1 /m.test(await readOr('out/ignores-signal/main/steps.log')));
    // The attempt starts at step 0 where SLURM's requeue killed the workload outright (cgroup), and
    // at the step it saved where the forwarded TERM reached it first (linuxproc): either is right.
    await waitForLog('ignores-signal', /^start restart=1 step=(\d+)\nstep \d+\nstep \d+$/m);
    await sendCheckpointSignal('ignores-signal');
    const deadline = Date.now() + 60_000;
    while ((await events('ignores-signal')).length < 2 && Date.now() < deadline) await sleep(1_000);
    const [first, second, ...more] = await events('ignores-signal');
    expect(more).toEqual([]);
    expect(first).toMatchObject({ restart: 0, workload_exited: false, action: 'requeued' });
    expect(second).toMatchObject({ restart: 1, workload_exited: false, action: 'stopped', reason_code: 'max-restarts' });
    expect(second?.reason).toBe('restart limit reached: the job was requeued 1 times (checkpoint.max_restarts: 1)');
    // Not requeued again: the workload runs on in the same attempt until the time limit or scancel.
    expect((await queueState(id)).state).toBe('RUNNING');
    const err = await readCleanJobErr('ignores-signal');
    expect(err).toMatch(/it did not stop for the checkpoint signal/);
    expect(err).toMatch(/not requeueing: restart limit reached/);
    await execRemoteOk(client, shellCommand(['scancel', id]));
    await follow(id, 60_000);
    await expectNoSurvivors('ignores-signal');
    const history = await execRemoteOk(client, shellCommand(['sacct', '-n', '-X', '-D', '-P', '-j', id, '-o', 'State']));
    expect(history.trim().split('\n').filter((s) => s === 'REQUEUED')).toHaveLength(1);
  }, 360_000);
});
