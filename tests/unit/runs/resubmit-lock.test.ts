// watch's resubmission of a NODE_FAIL job changes the run (a new sbatch, run.json): it holds the
// run's lock while it does, and waits for a short holder (a cancel, a fetch) instead of failing.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRunRecord } from '../../../src/runs/run-record.js';
import { resubmitJob } from '../../../src/runs/submit.js';
import { writeRunRecord } from '../../../src/runs/registry.js';
import { acquireRunLock, LOCK_FILE } from '../../../src/runs/lock.js';
import { CLUSTER, makeRenderedRun, noSleep } from './helpers.js';
import { FakeCluster } from './fake-cluster.js';

async function failedRun(): Promise<{ resultsDir: string; runDir: string; record: ReturnType<typeof createRunRecord> }> {
  const { resultsDir, runDir, manifest } = makeRenderedRun([{ experiment: 'a' }]);
  const record = createRunRecord(manifest, CLUSTER, new Date('2026-11-24T06:00:00Z'), 1);
  Object.assign(record.jobs[0] ?? {}, { job_id: '500', state: 'NODE_FAIL', final: true });
  record.phase = 'submitted';
  await writeRunRecord(resultsDir, record);
  return { resultsDir, runDir, record };
}

describe('resubmitJob and the run lock', () => {
  it('holds the lock while sbatch runs and releases it after', async () => {
    const { resultsDir, runDir, record } = await failedRun();
    const fake = new FakeCluster();
    const heldBy: string[] = [];
    fake.fault = (argv) => {
      if (argv[0] === 'sbatch') {
        const lock = join(runDir, LOCK_FILE);
        heldBy.push(existsSync(lock) ? (JSON.parse(readFileSync(lock, 'utf8')) as { command: string }).command : 'nobody');
      }
      return undefined;
    };
    const newId = await resubmitJob({ transport: fake, resultsDir, sleep: noSleep }, record, 'a', ['node7']);
    expect(newId).toBe('100');
    expect(heldBy).toEqual(['hpcbench watch (resubmit)']);
    expect(existsSync(join(runDir, LOCK_FILE))).toBe(false);
  });

  it('waits for a command holding the run, then resubmits once', async () => {
    const { resultsDir, runDir, record } = await failedRun();
    const fake = new FakeCluster();
    const cancel = acquireRunLock(runDir, { command: 'hpcbench cancel', handleSignals: false });
    let sbatchWhileHeld = false;
    fake.fault = (argv) => {
      if (argv[0] === 'sbatch' && existsSync(cancel.file) && readFileSync(cancel.file, 'utf8').includes('hpcbench cancel')) sbatchWhileHeld = true;
      return undefined;
    };
    setTimeout(() => cancel.release(), 300);
    await resubmitJob({ transport: fake, resultsDir, sleep: noSleep }, record, 'a', []);
    expect(sbatchWhileHeld).toBe(false);
    expect(fake.count('sbatch')).toBe(1);
  });
});
