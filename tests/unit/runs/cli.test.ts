// The run commands' handling of bad input: a clear message and exit code 2, never a stack trace.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { readRunRecord } from '../../../src/runs/index.js';
import { createRunRecord } from '../../../src/runs/run-record.js';
import { writeRunRecord } from '../../../src/runs/registry.js';
import { CLUSTER, makeRenderedRun } from './helpers.js';

function captureStderr(): { text: () => string } {
  const chunks: string[] = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  return { text: () => chunks.join('') };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('run commands on bad input', () => {
  it('status of an unknown run names the results directory and suggests `hpcbench runs`', async () => {
    const { resultsDir } = makeRenderedRun([{ experiment: 'a' }]);
    await writeRunRecord(resultsDir, createRunRecord(makeRenderedRun([{ experiment: 'a' }]).manifest, CLUSTER, new Date()));
    const err = captureStderr();
    const code = await main(['status', 'nope', '--results', resultsDir]);
    expect(code).toBe(2);
    expect(err.text()).toMatch(/no run "nope" in .*\nhint: Known runs: 20261124-060000-a-0001/);
    expect(err.text()).not.toMatch(/\s+at /);
  });

  it('watch with no runs at all says how to make one', async () => {
    const err = captureStderr();
    const code = await main(['watch', '--results', mkdtempSync(join(tmpdir(), 'hpcbench-empty-'))]);
    expect(code).toBe(2);
    expect(err.text()).toMatch(/no runs in .*\nhint: Submit one with `hpcbench submit <experiment>`/);
  });

  it('watch rejects a malformed --pending-limit before connecting', async () => {
    const err = captureStderr();
    const code = await main(['watch', 'x', '--pending-limit', 'soon', '--results', mkdtempSync(join(tmpdir(), 'hpcbench-empty-'))]);
    expect(code).toBe(2);
    expect(err.text()).toMatch(/--pending-limit "soon" is not a duration/);
  });

  it('submit needs an experiment or --resume, and a whole --retries', async () => {
    const err = captureStderr();
    expect(await main(['submit'])).toBe(2);
    expect(err.text()).toMatch(/name the experiment to submit, or --resume <run>/);
    expect(await main(['submit', 'x', '--retries', '-1'])).toBe(2);
    expect(err.text()).toMatch(/--retries -1 must be a whole number/);
  });

  it('submit --resume finishes a run whose jobs all have ids without sending anything, and refuses a submitted run', async () => {
    const { resultsDir, manifest } = makeRenderedRun([{ experiment: 'a' }]);
    const record = createRunRecord(manifest, CLUSTER, new Date('2026-11-24T06:00:00Z'));
    record.phase = 'submitting';
    for (const job of record.jobs) {
      job.job_id = '42';
      job.attempts.push({ at: '2026-11-24T06:00:01.000Z', outcome: 'submitted' });
    }
    await writeRunRecord(resultsDir, record);
    const err = captureStderr();
    expect(await main(['submit', '--resume', 'latest', '--results', resultsDir])).toBe(0);
    expect((await readRunRecord(resultsDir, manifest.run_id)).phase).toBe('submitted');
    expect(await main(['submit', '--resume', manifest.run_id, '--results', resultsDir])).toBe(2);
    expect(err.text()).toMatch(/run 20261124-060000-a-0001 was already submitted\nhint: Follow it with `hpcbench watch/);
  });

  it('runs lists the recorded runs as JSON', async () => {
    const { resultsDir, manifest } = makeRenderedRun([{ experiment: 'a' }]);
    await writeRunRecord(resultsDir, createRunRecord(manifest, CLUSTER, new Date('2026-11-24T06:00:00Z')));
    const chunks: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      chunks.push(String(chunk));
      return true;
    });
    expect(await main(['runs', '--json', '--results', resultsDir])).toBe(0);
    const listed = JSON.parse(chunks.join('')) as { run_id: string; cluster: string; jobs: unknown[] }[];
    expect(listed).toEqual([expect.objectContaining({ run_id: manifest.run_id, cluster: 'fake', jobs: [{ experiment: 'a', job_id: null, state: null }] })]);
  });
});
