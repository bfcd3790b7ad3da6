// When SLURM no longer knows a job, status and watch read its tasks' exit.json through the
// contract. A task whose file is missing, truncated or not the trap's says nothing, and then the
// whole job does: the last known state is kept rather than guessed from the other tasks.
import { describe, expect, it } from 'vitest';
import { readExitFiles } from '../../../src/runs/exit-files.js';
import { createRunRecord } from '../../../src/runs/run-record.js';
import type { RunRecord } from '../../../src/runs/index.js';
import { CLUSTER, makeRenderedRun } from './helpers.js';
import { FakeCluster } from './fake-cluster.js';

function arrayRun(): RunRecord {
  const { manifest } = makeRenderedRun([{ experiment: 'sweep', array: '0-2' }]);
  return createRunRecord(manifest, CLUSTER, new Date('2026-11-24T06:00:00Z'));
}

const exitJson = (code: number, restarts: number, extra = ''): string =>
  `{"exit_code": ${code}, "end_time": "2026-12-01T14:47:51Z", "restart_count": ${restarts}, "signal": null, "requeued": false, "stop_reason": null${extra}}\n`;

/** A fake cluster holding `texts` as the exit.json of tasks 0, 1, 2 (undefined: no file). */
function withExitFiles(record: RunRecord, texts: (string | undefined)[]): FakeCluster {
  const fake = new FakeCluster();
  texts.forEach((text, task) => {
    if (text !== undefined) fake.files.set(`${record.remote_dir}/out/sweep/${task}/exit.json`, text);
  });
  return fake;
}

describe('readExitFiles', () => {
  it('reads every task: the first failed one speaks for the job', async () => {
    const record = arrayRun();
    const job = record.jobs[0]!;
    const outcome = await readExitFiles(withExitFiles(record, [exitJson(0, 1), exitJson(92, 3, ', "node": "sd1"'), '{"exit_code": 137, "signal": 9}']), record, job);
    expect(outcome).toEqual({
      state: 'FAILED',
      exitCode: '92:0',
      tasks: { '0': 'COMPLETED', '1': 'FAILED', '2': 'FAILED' },
      taskFacts: { '0': { exit_code: '0:0', restarts: 1 }, '1': { exit_code: '92:0', restarts: 3 }, '2': { exit_code: '137:9' } },
      restarts: 3,
    });
  });

  it('gives COMPLETED with the last task’s restarts when every task exited 0', async () => {
    const record = arrayRun();
    const outcome = await readExitFiles(withExitFiles(record, [exitJson(0, 0), exitJson(0, 0), exitJson(0, 2)]), record, record.jobs[0]!);
    expect(outcome).toMatchObject({ state: 'COMPLETED', exitCode: '0:0', restarts: 2 });
  });

  it.each([
    ['missing', undefined],
    ['empty (the job is being killed)', ''],
    ['truncated', exitJson(0, 0).slice(0, 30)],
    ['an exit code that is a string', '{"exit_code": "0", "signal": null}'],
    ['a huge exit code', '{"exit_code": 1e300, "signal": null}'],
    ['a negative restart count', exitJson(0, -1)],
    ['an unknown stop reason', exitJson(90, 0).replace('"stop_reason": null', '"stop_reason": "bored"')],
    ['a list', '[0]'],
  ])('says nothing when one task’s exit.json is %s', async (_name, text) => {
    const record = arrayRun();
    expect(await readExitFiles(withExitFiles(record, [exitJson(0, 0), text, exitJson(0, 0)]), record, record.jobs[0]!)).toBeUndefined();
  });
});
