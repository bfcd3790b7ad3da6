// checkpoints.jsonl (hpcbench.checkpoint-event/1) into metrics.json: restarts, each handled
// signal, and why the job stopped requeueing itself; truncated or garbage lines are skipped and
// counted with their file and line, never fatal (a job killed mid-write leaves one).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCheckpointLog, summariseCheckpoints, type CheckpointEvent } from '../../../../src/profile/training/checkpoint-log.js';
import { RejectedLines } from '../../../../src/profile/lines.js';
import { detectLogKind } from '../../../../src/profile/detect-kind.js';
import { profileFiles, profileRun } from '../../../../src/profile/profile-run.js';
import { CheckFailedError } from '../../../../src/errors.js';

function event(fields: Record<string, unknown>): string {
  return JSON.stringify({
    schema: 'hpcbench.checkpoint-event/1',
    restart: 0,
    signal: 'USR1',
    at: '2026-12-01T14:35:16Z',
    grace_s: 40,
    waited_s: 17,
    workload_exited: true,
    workload_exit_code: 0,
    checkpoint_changed: true,
    action: 'requeued',
    reason_code: 'requeued',
    reason: 'requeued (restart 1 of at most 2)',
    ...fields,
  });
}

const LOG = [
  event({ restart: 0, waited_s: 17 }),
  'garbage from a full disk',
  event({ restart: 1, at: '2026-12-01T15:35:16Z', waited_s: 12, workload_exit_code: null, checkpoint_changed: null }),
  event({ restart: 2, waited_s: 9, action: 'stopped', reason_code: 'max-restarts', reason: 'restart limit reached: the job was requeued 2 times (checkpoint.max_restarts: 2)' }),
  // The job was killed while writing its next line.
  '{"schema": "hpcbench.checkpoint-event/1", "restart": 2, "signal": "TE',
].join('\n');

/** A run directory with a checkpointing training job and a plain inference job. */
function makeRun(log = LOG): string {
  const run = mkdtempSync(join(tmpdir(), 'hpcb-ckpt-'));
  const manifest = {
    schema: 'hpcbench.manifest/1',
    run_id: '20261201-143500-lora-c0de',
    experiments: ['lora', 'infer'],
    jobs: [
      { experiment: 'lora', cluster: 'sd', partition: 'cpu', out_dir: 'out/lora', parameters: {}, depends_on: [], gpu_fields: [], checkpoint_dir: 'checkpoints' },
      { experiment: 'infer', cluster: 'sd', partition: 'cpu', out_dir: 'out/infer', parameters: {}, depends_on: [], gpu_fields: [] },
    ],
  };
  writeFileSync(join(run, 'manifest.json'), JSON.stringify(manifest));
  mkdirSync(join(run, 'out/lora/main'), { recursive: true });
  mkdirSync(join(run, 'out/infer/main'), { recursive: true });
  writeFileSync(join(run, 'out/lora/main/checkpoints.jsonl'), log);
  writeFileSync(
    join(run, 'out/lora/main/exit.json'),
    '{"exit_code": 92, "end_time": "2026-12-01T16:35:30Z", "restart_count": 2, "signal": "USR1", "requeued": false, "stop_reason": "max-restarts"}\n',
  );
  writeFileSync(join(run, 'out/lora/main/metadata.json'), JSON.stringify({ job_id: '7', restart_count: 2 }));
  writeFileSync(join(run, 'out/infer/main/exit.json'), '{"exit_code": 0, "end_time": "2026-12-01T16:35:30Z", "restart_count": 0, "signal": null, "requeued": false, "stop_reason": null}\n');
  return run;
}

describe('checkpoints in metrics.json', () => {
  it('reads restarts, every handled signal and the stop reason of a task', async () => {
    const doc = await profileRun(makeRun(), { now: () => new Date('2026-12-01T17:00:00Z') });
    const lora = doc.tasks.find((t) => t.experiment === 'lora');
    expect(lora?.checkpoints).toEqual({
      restarts: 2,
      events: [
        { restart: 0, signal: 'USR1', at: '2026-12-01T14:35:16Z', waited_s: 17, action: 'requeued', reason_code: 'requeued' },
        { restart: 1, signal: 'USR1', at: '2026-12-01T15:35:16Z', waited_s: 12, action: 'requeued', reason_code: 'requeued' },
        { restart: 2, signal: 'USR1', at: '2026-12-01T14:35:16Z', waited_s: 9, action: 'stopped', reason_code: 'max-restarts' },
      ],
      stop_reason: 'max-restarts',
      rejected_lines: 2,
    });
    // A task that neither checkpointed nor restarted gets no section: documents stay as they were.
    const infer = doc.tasks.find((t) => t.experiment === 'infer');
    expect(infer && 'checkpoints' in infer).toBe(false);
  });

  it('skips truncated and garbage lines with a counted warning naming the file and the line', async () => {
    const doc = await profileRun(makeRun());
    const source = doc.sources.find((s) => s.kind === 'checkpoints');
    expect(source).toMatchObject({ file: 'out/lora/main/checkpoints.jsonl', task: 'lora/main', rejected: { count: 2 } });
    expect(source?.rejected?.examples.map((e) => [e.line, e.reason])).toEqual([
      [2, 'not valid JSON'],
      [5, 'truncated: the job ended while writing this line'],
    ]);
    expect(doc.warnings).toContain(
      'lora/main: skipped 2 line(s) of out/lora/main/checkpoints.jsonl (a job killed while writing leaves a truncated line); first at line 2: not valid JSON',
    );
  });

  it('fails under --strict, like any rejected line', async () => {
    await expect(profileRun(makeRun(), { strict: true })).rejects.toBeInstanceOf(CheckFailedError);
    const clean = LOG.split('\n').filter((l) => l.startsWith('{"schema') && l.endsWith('}')).join('\n');
    await expect(profileRun(makeRun(`${clean}\n`), { strict: true })).resolves.toMatchObject({ warnings: [] });
  });

  it('recognises a loose checkpoints.jsonl by its name and by its content', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hpcb-ckpt-loose-'));
    const file = join(dir, 'events.jsonl');
    writeFileSync(file, `${event({})}\n`);
    expect(await detectLogKind(file)).toBe('checkpoints');
    const doc = await profileFiles([file]);
    expect(doc.tasks[0]?.checkpoints).toMatchObject({ restarts: 1, stop_reason: null, rejected_lines: 0 });
  });
});

describe('readCheckpointLog, line by line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hpcb-ckpt-lines-'));
  let written = 0;
  /** The lines as a checkpoints.jsonl: its events, and each rejected line as `line: reason`. */
  async function readLog(lines: string[]): Promise<{ events: CheckpointEvent[]; rejections: string[] }> {
    const file = join(dir, `checkpoints-${written++}.jsonl`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    const rejected = new RejectedLines();
    const log = await readCheckpointLog(file, { rejected });
    expect(log.rejected).toBe(rejected.count);
    return { events: log.events, rejections: rejected.examples.map((r) => `${r.line}: ${r.reason}`) };
  }

  it('keeps the fields the report needs and accepts nulls where the contract allows them', async () => {
    const { events, rejections } = await readLog([event({ signal: 'TERM', action: 'ended', reason_code: 'terminated', at: null, waited_s: null })]);
    expect(rejections).toEqual([]);
    expect(events).toEqual([{
      restart: 0,
      signal: 'TERM',
      at: null,
      waited_s: null,
      action: 'ended',
      reason_code: 'terminated',
    }]);
  });

  it('says why a line is not an event', async () => {
    const { events, rejections } = await readLog([
      '[]',
      event({ schema: 'hpcbench.checkpoint-event/2' }),
      event({ restart: -1 }),
      event({ action: 'paused' }),
      event({ reason_code: 'bored' }),
      event({ waited_s: 'long' }),
    ]);
    expect(events).toEqual([]);
    expect(rejections).toHaveLength(6);
    expect(rejections[0]).toBe('1: not a JSON object');
    expect(rejections[1]).toMatch(/^2: schema "hpcbench.checkpoint-event\/2" is not hpcbench.checkpoint-event\/1/);
    expect(rejections[2]).toMatch(/^3: restart -1 is not a whole number/);
    expect(rejections[3]).toMatch(/^4: action "paused" is not one of requeued, stopped, ended/);
    expect(rejections[4]).toMatch(/^5: reason_code "bored" is not one of requeued, requeue-disabled/);
    expect(rejections[5]).toMatch(/^6: waited_s "long" is not a number of seconds/);
  });
});

describe('summariseCheckpoints', () => {
  const ev = (restart: number, action: CheckpointEvent['action'], reason_code: CheckpointEvent['reason_code']): CheckpointEvent => ({
    restart,
    signal: action === 'ended' ? 'TERM' : 'USR1',
    at: null,
    waited_s: 1,
    action,
    reason_code,
  });

  it('takes the largest count any source gives: a requeue the log did not see still counts', () => {
    // Preempted at restart 1 (TERM, ended): SLURM requeued it, so sacct knows one more restart than the log.
    const log = { events: [ev(0, 'requeued', 'requeued'), ev(1, 'ended', 'terminated')], rejected: 0 };
    expect(summariseCheckpoints(log, {}, [2, undefined])).toMatchObject({ restarts: 2, stop_reason: null });
    expect(summariseCheckpoints(log, {}, [])).toMatchObject({ restarts: 1 });
  });

  it('takes the stop reason from exit.json, else from the last event that stopped', () => {
    const log = { events: [ev(3, 'stopped', 'no-progress')], rejected: 0 };
    expect(summariseCheckpoints(log, {}, [])?.stop_reason).toBe('no-progress');
    expect(summariseCheckpoints(log, { stopReason: 'requeue-failed' }, [])?.stop_reason).toBe('requeue-failed');
  });

  it('has no section for a task without a log, a stop or a restart', () => {
    expect(summariseCheckpoints(undefined, {}, [0, undefined])).toBeUndefined();
    expect(summariseCheckpoints(undefined, { restartCount: 1 }, [])).toMatchObject({ restarts: 1, events: [] });
  });
});
