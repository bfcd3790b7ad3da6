// exit.json has one contract (src/contracts/exit.ts): the job script's EXIT trap writes what it
// accepts (checked here by running rendered scripts with bash, no SLURM), the files real jobs left
// and the older forms still read, and a broken or hostile file is refused naming file and field.
// The readers that follow a job which may still be running (status/watch, profile) say nothing then.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { exitSchema, parseExitDocument } from '../../../src/contracts/exit.js';
import { InputError } from '../../../src/errors.js';
import { profileRun } from '../../../src/profile/profile-run.js';
import { renderRun } from '../../../src/render/index.js';
import { configFromObjects } from '../render/helpers.js';
import { createSandbox, runScriptSync, startScript, type Sandbox } from '../render/run-script.js';
import { caught } from './support.js';

const temp = mkdtempSync(join(tmpdir(), 'hpcbench-exit-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

const FILE = 'run/out/lora/main/exit.json';
const REAL_DIR = 'tests/fixtures/checkpoints-real/out';
const CURRENT = '{"exit_code": 92, "end_time": "2026-12-01T16:35:30Z", "restart_count": 2, "signal": "USR1", "requeued": false, "stop_reason": "max-restarts"}\n';

describe('exit.json contract', () => {
  it('reads the files real jobs left on the test cluster', () => {
    const read = Object.fromEntries(readdirSync(REAL_DIR).map((name) => {
      const file = join(REAL_DIR, name, 'main', 'exit.json');
      return [name, parseExitDocument(readFileSync(file, 'utf8'), file)];
    }));
    expect(read).toEqual({
      'requeue-refused': { exit_code: 91, end_time: '2026-12-01T14:47:51Z', restart_count: 0, signal: 'USR1', requeued: false, stop_reason: 'requeue-failed' },
      cancelled: { exit_code: 143, end_time: '2026-12-01T14:47:52Z', restart_count: 0, signal: 'TERM', requeued: false, stop_reason: null },
      'ignores-signal': { exit_code: 143, end_time: '2026-12-01T14:50:36Z', restart_count: 0, signal: 'TERM', requeued: false, stop_reason: null },
      'slow-save': { exit_code: 0, end_time: '2026-12-01T14:50:33Z', restart_count: 4, signal: 'USR1', requeued: true, stop_reason: null },
    });
  });

  it('reads the older forms: no stop_reason, a numeric signal, an empty end time, only the exit code', () => {
    expect(parseExitDocument('{"exit_code": 0, "end_time": "2026-11-24T06:15:00Z", "restart_count": 0, "signal": null, "requeued": false}', FILE)).toEqual({
      exit_code: 0, end_time: '2026-11-24T06:15:00Z', restart_count: 0, signal: null, requeued: false,
    });
    expect(parseExitDocument('{"exit_code": 0, "signal": 10}', FILE)).toEqual({ exit_code: 0, signal: 10 });
    expect(parseExitDocument('{"exit_code": 1, "end_time": ""}', FILE)).toEqual({ exit_code: 1, end_time: '' });
    expect(parseExitDocument('{"exit_code": 255}', FILE)).toEqual({ exit_code: 255 });
  });

  it('drops keys it does not know (a newer script may add some) and keeps the ones it does', () => {
    const doc = parseExitDocument('{"exit_code": 0, "signal": null, "node": "sdumont1", "__proto__": {"polluted": true}, "extra": [1, 2]}', FILE);
    expect(doc).toStrictEqual({ exit_code: 0, signal: null });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses a truncated or empty file, naming the file and where it ends', () => {
    expect(caught(() => parseExitDocument(CURRENT.slice(0, 40), FILE)).message).toMatch(/^run\/out\/lora\/main\/exit\.json: not valid JSON at line 1 column 41 \(character 40\): the text ends early/);
    expect(caught(() => parseExitDocument('', FILE)).message).toBe(`${FILE}: the file is empty; expected a JSON object as the job script writes it when it ends (exit_code, end_time, restart_count, signal, requeued, stop_reason)`);
    // The first template built the line with $(...), which bash 5.2 can fail to run inside a trap: empty values.
    expect(caught(() => parseExitDocument('{"exit_code": 0, "end_time": , "restart_count": , "signal": null, "requeued": false}\n', FILE)).message).toMatch(/^run\/out\/lora\/main\/exit\.json: not valid JSON at line 1 column 30 \(character 29\): Unexpected token ','/);
  });

  it('refuses wrong types, naming the field, what was expected and what it got', () => {
    const refuse = (text: string): string => caught(() => parseExitDocument(text, FILE)).message.replace(`${FILE}: `, '');
    expect(refuse('{"exit_code": "0"}')).toBe('exit_code: expected an exit status (a whole number from 0 to 255), got the string "0"');
    expect(refuse('{"signal": null}')).toBe('exit_code: expected an exit status (a whole number from 0 to 255), got nothing (the field is missing)');
    expect(refuse('{"exit_code": 0, "restart_count": "2"}')).toBe('restart_count: expected a count of restarts (a whole number), got the string "2"');
    expect(refuse('{"exit_code": 0, "requeued": "false"}')).toBe('requeued: expected true or false, got the string "false"');
    expect(refuse('{"exit_code": 0, "stop_reason": "tired"}')).toBe('stop_reason: expected one of "requeue-disabled", "requeue-failed", "max-restarts", "no-progress", got the string "tired"');
    expect(refuse('{"exit_code": 0, "signal": "$(reboot)"}')).toBe('signal: expected a signal name such as "USR1" or "TERM", a signal number, or null, got the string "$(reboot)"');
    expect(refuse('{"exit_code": 0, "signal": 9999}')).toMatch(/^signal: expected .*, got number 9999/);
    expect(refuse('{"exit_code": 0, "end_time": "yesterday"}')).toBe('end_time: expected a UTC time such as "2026-12-01T14:47:51Z", got the string "yesterday"');
    expect(refuse('[0]')).toBe('(the document): expected an object, got a list of 1');
    expect(refuse('null')).toBe('(the document): expected an object, got null');
  });

  it('refuses numbers no exit status or restart count can be', () => {
    const refuse = (text: string): string => caught(() => parseExitDocument(text, FILE)).message.replace(`${FILE}: `, '');
    const status = 'expected an exit status (a whole number from 0 to 255)';
    expect(refuse('{"exit_code": 1e300}')).toMatch(/^exit_code: expected an exit status \(a whole number from 0 to 255\), got number 1e\+300/);
    expect(refuse('{"exit_code": 256}')).toBe(`exit_code: ${status}, got number 256`);
    expect(refuse('{"exit_code": -1}')).toBe(`exit_code: ${status}, got number -1`);
    expect(refuse('{"exit_code": 1.5}')).toBe(`exit_code: ${status}, got number 1.5`);
    expect(refuse('{"exit_code": 0, "restart_count": 99999999999999999999}')).toBe('restart_count: expected a count of restarts (a whole number), got number 100000000000000000000');
    expect(refuse('{"exit_code": 0, "restart_count": -2}')).toBe('restart_count: expected a count of restarts (a whole number), got number -2');
    expect(refuse(`${'['.repeat(100)}${']'.repeat(100)}`)).toMatch(/^nested deeper than 64 levels at line 1 column 65/);
  });

  it('throws nothing but InputError, and returns only what the contract allows, whatever the file holds', () => {
    // Mostly what the trap writes, sometimes anything: so both valid and refused files come up.
    const hostile = fc.oneof(fc.jsonValue(), fc.integer({ min: -1, max: 300 }), fc.constant(1e300), fc.double());
    const field = (valid: fc.Arbitrary<unknown>) => fc.oneof({ arbitrary: valid, weight: 6 }, { arbitrary: hostile, weight: 1 });
    const document = fc.record(
      {
        exit_code: field(fc.integer({ min: 0, max: 255 })),
        end_time: field(fc.constantFrom('2026-12-01T14:47:51Z', '', null)),
        restart_count: field(fc.nat()),
        signal: field(fc.constantFrom('USR1', 'TERM', null, 9)),
        requeued: field(fc.boolean()),
        stop_reason: field(fc.constantFrom('requeue-disabled', 'no-progress', null)),
        other: fc.jsonValue(),
      },
      { requiredKeys: ['exit_code'] },
    );
    let read = 0;
    fc.assert(
      fc.property(fc.oneof(document.map((d) => JSON.stringify(d)), fc.string(), document.map((d) => JSON.stringify(d).slice(0, -3))), (text) => {
        let doc: ReturnType<typeof parseExitDocument>;
        try {
          doc = parseExitDocument(text, FILE);
        } catch (error) {
          expect(error).toBeInstanceOf(InputError);
          expect((error as InputError).message.startsWith(`${FILE}: `)).toBe(true);
          return;
        }
        expect(Number.isInteger(doc.exit_code) && doc.exit_code >= 0 && doc.exit_code <= 255).toBe(true);
        expect(Object.keys(doc).every((k) => k in exitSchema.shape)).toBe(true);
        read += 1;
      }),
      { numRuns: 500, seed: 13 },
    );
    // Some generated files are valid, so both outcomes were checked.
    expect(read).toBeGreaterThan(0);
  });
});

/** Starts a rendered script, waits for its workload, sends a signal to bash; the exit.json it wrote. */
async function signalled(box: Sandbox, signal: NodeJS.Signals, env: Record<string, string> = {}): Promise<string> {
  const run = startScript(box, 'scripts/exp.sbatch', { SLURM_JOB_ID: '4242', ...env });
  const ready = join(box.runDir, 'out/exp/main/ready');
  const deadline = Date.now() + 20_000;
  while (!existsSync(ready)) {
    if (Date.now() > deadline) throw new Error('the workload did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
  run.child.kill(signal);
  await run.done;
  return readFileSync(join(box.runDir, 'out/exp/main/exit.json'), 'utf8');
}

/** A workload that saves a checkpoint and exits on the checkpoint signal or TERM. */
const SAVER = `bash -c 'trap "echo step=1 >\\"\\$HPCBENCH_CHECKPOINT_DIR/ckpt\\"; exit 0" USR1 TERM; touch "$HPCBENCH_OUT_DIR/ready"; while true; do sleep 0.1; done'`;

function renderExp(command: string, checkpoint?: Record<string, unknown>) {
  const config = configFromObjects({}, { partition: 'cpu', command, resources: { time: 30 }, ...(checkpoint ? { checkpoint } : {}) });
  return renderRun(config, 'exp', { runId: 'exit1' });
}

/** The writer's exit.json through the contract, and its keys exactly the contract's: a new field must be added to both. */
function checkWritten(text: string): ReturnType<typeof parseExitDocument> {
  expect(Object.keys(JSON.parse(text) as object)).toEqual(Object.keys(exitSchema.shape));
  return parseExitDocument(text, 'exit.json');
}

describe('the EXIT trap of a rendered script, run by bash, writes what the contract reads', () => {
  it('a workload that fails', () => {
    const box = createSandbox(renderExp('exit 3'));
    expect(runScriptSync(box, 'scripts/exp.sbatch', { SLURM_JOB_ID: '77' }).status).toBe(3);
    const doc = checkWritten(readFileSync(join(box.runDir, 'out/exp/main/exit.json'), 'utf8'));
    expect(doc).toMatchObject({ exit_code: 3, restart_count: 0, signal: null, requeued: false, stop_reason: null });
    expect(doc.end_time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });

  it('a checkpoint that requeues the job, and one that may not', async () => {
    const requeued = checkWritten(await signalled(createSandbox(renderExp(SAVER, { seconds_before: 120, grace_seconds: 20 })), 'SIGUSR1', { SLURM_RESTART_COUNT: '2' }));
    expect(requeued).toMatchObject({ exit_code: 0, restart_count: 2, signal: 'USR1', requeued: true, stop_reason: null });
    const stopped = checkWritten(await signalled(createSandbox(renderExp(SAVER, { seconds_before: 120, grace_seconds: 20, requeue: false })), 'SIGUSR1'));
    expect(stopped).toMatchObject({ exit_code: 90, restart_count: 0, signal: 'USR1', requeued: false, stop_reason: 'requeue-disabled' });
  });

  it('scancel or the time limit (TERM)', async () => {
    const doc = checkWritten(await signalled(createSandbox(renderExp(SAVER)), 'SIGTERM'));
    expect(doc).toMatchObject({ exit_code: 143, signal: 'TERM', requeued: false, stop_reason: null });
  });
});

/** A run directory with one checkpointing task whose exit.json is `exitText`. */
function runWithExit(name: string, exitText: string | undefined): string {
  const run = join(temp, name);
  mkdirSync(join(run, 'out/lora/main'), { recursive: true });
  writeFileSync(join(run, 'manifest.json'), JSON.stringify({
    schema: 'hpcbench.manifest/1',
    run_id: '20261201-143500-lora-c0de',
    experiments: ['lora'],
    jobs: [{ experiment: 'lora', cluster: 'sd', partition: 'cpu', out_dir: 'out/lora', parameters: {}, depends_on: [], gpu_fields: [], checkpoint_dir: 'checkpoints' }],
  }));
  writeFileSync(join(run, 'out/lora/main/metadata.json'), JSON.stringify({ job_id: '7', restart_count: 1 }));
  if (exitText !== undefined) writeFileSync(join(run, 'out/lora/main/exit.json'), exitText);
  return run;
}

describe('profile reads exit.json through the contract', () => {
  const checkpointsOf = async (run: string) => (await profileRun(run, { now: () => new Date('2026-12-01T17:00:00Z') })).tasks[0]?.checkpoints;

  it('takes the restart count and the stop reason from a written file', async () => {
    expect(await checkpointsOf(runWithExit('written', CURRENT))).toEqual({ restarts: 2, events: [], stop_reason: 'max-restarts', rejected_lines: 0 });
  });

  it('says nothing from a missing, truncated or mistyped file: the other sources still count', async () => {
    const fromMetadata = { restarts: 1, events: [], stop_reason: null, rejected_lines: 0 };
    expect(await checkpointsOf(runWithExit('missing', undefined))).toEqual(fromMetadata);
    expect(await checkpointsOf(runWithExit('truncated', CURRENT.slice(0, 60)))).toEqual(fromMetadata);
    expect(await checkpointsOf(runWithExit('mistyped', CURRENT.replace('"restart_count": 2', '"restart_count": 1e300')))).toEqual(fromMetadata);
  });
});
