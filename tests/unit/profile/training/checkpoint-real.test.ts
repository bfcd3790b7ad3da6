// The reading side against real outputs of the job script on the test cluster
// (tests/fixtures/checkpoints-real/README.md): checkpoints.jsonl, exit.json, metadata.json and
// sacct --duplicates agree on restarts and on why a job stopped.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { profileRun } from '../../../../src/profile/profile-run.js';
import { buildReportModel } from '../../../../src/report/report-model.js';
import { assessJob } from '../../../../src/slurm/index.js';
import { parseSacct } from '../../../../src/slurm/sacct.js';

const FIXTURE = 'tests/fixtures/checkpoints-real';
const EXPERIMENTS = ['slow-save', 'requeue-refused', 'cancelled', 'ignores-signal'];

function runDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hpcb-ckpt-real-'));
  cpSync(FIXTURE, dir, { recursive: true });
  const jobs = EXPERIMENTS.map((experiment) => ({ experiment, cluster: 'test', partition: 'cpu', out_dir: `out/${experiment}`, parameters: {}, depends_on: [], gpu_fields: [], checkpoint_dir: 'checkpoints' }));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ schema: 'hpcbench.manifest/1', run_id: 'ckpt-it-30589-mx4t9y0f', experiments: EXPERIMENTS, jobs }));
  return dir;
}

describe('real checkpoint outputs', () => {
  it('profiles restarts, events and stop reasons into metrics.json without a rejected line', async () => {
    const doc = await profileRun(runDir());
    const byExperiment = new Map(doc.tasks.map((t) => [t.experiment, t.checkpoints]));
    // Five requeues in the log and five REQUEUED rows in sacct; exit.json says 4 (the sixth attempt never ended).
    expect(byExperiment.get('slow-save')).toMatchObject({ restarts: 5, stop_reason: null, rejected_lines: 0 });
    expect(byExperiment.get('slow-save')?.events.map((e) => `${e.restart}:${e.signal}:${e.waited_s}:${e.action}`)).toEqual([
      '0:USR1:15:requeued',
      '1:USR1:16:requeued',
      '2:USR1:16:requeued',
      '3:USR1:16:requeued',
      '4:USR1:16:requeued',
    ]);
    expect(byExperiment.get('requeue-refused')).toMatchObject({ restarts: 0, stop_reason: 'requeue-failed', events: [{ action: 'stopped', reason_code: 'requeue-failed' }] });
    expect(byExperiment.get('cancelled')).toMatchObject({ restarts: 0, stop_reason: null, events: [{ signal: 'TERM', action: 'ended', reason_code: 'terminated', waited_s: 4 }] });
    expect(doc.sources.filter((s) => s.kind === 'checkpoints').map((s) => s.rejected?.count)).toEqual([0, 0, 0, 0]);
    expect(buildReportModel(doc, undefined).checkpointRows.map((r) => `${r.experiment}:${r.restarts}:${r.outcome}`)).toEqual([
      'slow-save:5:null',
      'requeue-refused:0:requeue-failed',
      'cancelled:0:terminated',
      'ignores-signal:0:terminated',
    ]);
  });

  it('reads the same restarts and stop from sacct --duplicates, for status and watch', () => {
    const jobs = new Map(parseSacct(readFileSync(join(FIXTURE, 'sacct.txt'), 'utf8'), { duplicates: true }).map((j) => [j.jobId, j]));
    expect([...jobs.values()].map((j) => `${j.jobId}:${j.state.name}:${j.restarts}`)).toEqual(['18:CANCELLED:5', '19:CANCELLED:0', '20:FAILED:0', '21:CANCELLED:0']);
    const refused = jobs.get('20')!;
    expect(assessJob({ state: refused.state, ...(refused.exitCode ? { exitCode: refused.exitCode } : {}), restarts: 0 }, { checkpointing: true })).toMatchObject({
      action: 'resubmit-to-resume',
      checkpointStop: 'requeue-failed',
      advice: expect.stringMatching(/^scontrol requeue failed: the work done so far is in the checkpoint directory; resubmit to resume/),
    });
  });
});
