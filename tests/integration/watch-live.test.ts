// `hpcbench watch --json` on the real test cluster while jobs write Trainer-style logs at a known
// rate: the ETA it reports is checked against the moment the job really ended, and a job whose
// time limit is too short is warned about before SLURM ends it in TIMEOUT.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readRunRecord } from '../../src/runs/index.js';
import type { Transport } from '../../src/transport/transport.js';
import { describeCluster } from './support/cluster.js';
import { cleanUpRuns, connectProject, openProject, renderAndSubmit, writeTestProject, type TestProject } from './submit-helpers.js';

/** A job that logs one optimizer step every 0.5 s on a fixed schedule (no drift), Trainer style. */
function trainerCommand(steps: number): string {
  return [
    'python3 -u -c "import time, sys',
    'n = int(sys.argv[1]); t0 = time.time()',
    "print('***** Running training *****'); print('  Total optimization steps = %d' % n, flush=True)",
    'for i in range(1, n + 1):',
    '    d = t0 + 0.5 * i - time.time()',
    '    if d > 0: time.sleep(d)',
    "    sys.stderr.write('\\r%3d%%| | %d/%d [00:00<00:00]' % (100 * i // n, i, n)); sys.stderr.flush()",
    "    print({'loss': 1.0, 'learning_rate': 5e-05, 'epoch': round(i / n, 2), 'step': i}, flush=True)",
    `open(sys.argv[2], 'w').write(repr(time.time()))" ${steps} "$HPCBENCH_OUT_DIR/end.txt"`,
  ].join('\n');
}

interface JsonEvent {
  event: string;
  at: string;
  experiment?: string;
  code?: string;
  to?: string;
  message?: string;
  elapsed_s?: number | null;
  progress?: { done: number; total: number | null; fraction: number | null; eta_s: number | null; rate_source: string | null; total_from: string | null } | null;
  memory?: { used_mib: number | null; limit_mib: number | null } | null;
}

interface WatchOutput {
  code: number | null;
  events: JsonEvent[];
  stderr: string;
}

/** The real CLI (dist/, built by `npm test`), as a script would run it: stdout is one JSON event per line. */
function watchJson(project: TestProject, runId: string): Promise<WatchOutput> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [resolve('bin/hpcbench.js'), 'watch', runId, '--json', '--config', project.config, '--results', project.resultsDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, HPCBENCH_TEST_POLL_FLOOR_MS: '1000' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => {
      try {
        done({ code, stderr, events: stdout.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as JsonEvent) });
      } catch (error) {
        fail(new Error(`watch --json printed a line that is not JSON: ${String(error)}\n${stdout.slice(0, 2000)}`));
      }
    });
  });
}

describeCluster('watch --json follows progress, ETA and a coming TIMEOUT live', (cluster) => {
  let project: TestProject;
  let transport: Transport;
  let trainer: { runId: string; remoteDir: string; watched: WatchOutput };
  let doomed: { runId: string; watched: WatchOutput };

  beforeAll(async () => {
    project = openProject(
      writeTestProject(cluster, {
        // 160 steps at 2 steps/s: 80 s of training in a 5-minute limit.
        trainer: { command: trainerCommand(160), time: '00:05:00' },
        // 240 steps need 120 s; the limit is 1 minute.
        doomed: { command: trainerCommand(240), time: '1' },
      }),
    );
    transport = connectProject(project);
    const [t, d] = await Promise.all([renderAndSubmit(project, transport, 'trainer'), renderAndSubmit(project, transport, 'doomed')]);
    const [tw, dw] = await Promise.all([watchJson(project, t.record.run_id), watchJson(project, d.record.run_id)]);
    trainer = { runId: t.record.run_id, remoteDir: t.record.remote_dir, watched: tw };
    doomed = { runId: d.record.run_id, watched: dw };
  }, 400_000);

  afterAll(async () => {
    if (transport) await cleanUpRuns(project, transport);
    await transport?.close();
  });

  it('prints one JSON object per line and ends with the outcome (exit 0 when the job completed)', () => {
    const { events, code, stderr } = trainer.watched;
    expect(code, stderr).toBe(0);
    expect(events.at(-1)).toMatchObject({ event: 'done', run_id: trainer.runId, exit_code: 0 });
    expect(events.some((e) => e.event === 'state' && e.to === 'RUNNING')).toBe(true);
    expect(events.filter((e) => e.event === 'task').length).toBeGreaterThan(2);
  });

  it('reports progress against the Trainer banner total, and an ETA within 10 % of when the job really ended', async () => {
    const tasks = trainer.watched.events.filter((e) => e.event === 'task' && e.progress);
    expect(tasks.length).toBeGreaterThan(0);
    for (const e of tasks) {
      expect(e.progress?.total).toBe(160);
      expect(e.progress?.total_from).toBe('trainer');
      expect(e.progress?.fraction).toBeCloseTo((e.progress?.done ?? 0) / 160, 3);
    }
    const endedAt = 1000 * Number((await transport.readFile(`${trainer.remoteDir}/out/trainer/main/end.txt`)).toString('utf8'));
    expect(Number.isFinite(endedAt)).toBe(true);
    // Once the watch has seen 20 s of progress (40 steps) and while 15 s or more remain, the ETA
    // must put the end within 10 % of the time that really remained.
    const checked = tasks.filter((e) => e.progress?.rate_source === 'window' && (e.progress.done ?? 0) >= 40 && endedAt - Date.parse(e.at) >= 15_000);
    expect(checked.length, `task events: ${JSON.stringify(tasks.map((e) => [e.at, e.progress?.done, e.progress?.eta_s]))}`).toBeGreaterThan(0);
    for (const e of checked) {
      const truthMs = endedAt - Date.parse(e.at);
      const predictedMs = 1000 * (e.progress?.eta_s ?? Number.NaN);
      expect(Math.abs(predictedMs - truthMs), `at ${e.at}: ETA ${predictedMs} ms, really ${truthMs} ms`).toBeLessThanOrEqual(0.1 * truthMs);
    }
  });

  it('reads the memory limit the job was given from its metadata.json', () => {
    const limits = trainer.watched.events.flatMap((e) => (e.event === 'task' && typeof e.memory?.limit_mib === 'number' ? [e.memory.limit_mib] : []));
    expect(limits.length).toBeGreaterThan(0);
    expect(limits.every((l) => l > 0)).toBe(true);
  });

  it('warns once, before the limit, that a job cannot finish in time, and the job then ends in TIMEOUT', async () => {
    const { events } = doomed.watched;
    const warnings = events.filter((e) => e.event === 'warning' && e.code === 'timeout-risk');
    expect(warnings).toHaveLength(1);
    const warning = warnings[0] as JsonEvent;
    expect(warning.message).toMatch(/at the current rate this task ends after its time limit \(ETA \d+:\d\d > limit 0:01\): checkpointing is off/);
    const timeout = events.find((e) => e.event === 'state' && e.to === 'TIMEOUT');
    expect(timeout, JSON.stringify(events.filter((e) => e.event === 'state'))).toBeDefined();
    expect(Date.parse(warning.at)).toBeLessThan(Date.parse((timeout as JsonEvent).at));
    // Warned while the job still had time left: the last task event before the warning ran under 60 s.
    const before = events.filter((e) => e.event === 'task' && Date.parse(e.at) <= Date.parse(warning.at)).at(-1);
    expect(before?.elapsed_s ?? Number.POSITIVE_INFINITY).toBeLessThan(60);
    expect(doomed.watched.code).toBe(1);
    const record = await readRunRecord(project.resultsDir, doomed.runId);
    expect(record.jobs[0]?.state).toBe('TIMEOUT');
  });
});
