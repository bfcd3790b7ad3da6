import { mkdtempSync, readdirSync, readFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError, UsageError } from '../../../src/errors.js';
import { listRunIds, readRunRecord, resolveRunId } from '../../../src/runs/index.js';
import { createRunRecord, parseRunRecord, addHistory } from '../../../src/runs/run-record.js';
import { writeRunRecord, writeRunRecordMerged } from '../../../src/runs/registry.js';
import { CLUSTER, makeRenderedRun } from './helpers.js';

function recordFor(runId: string) {
  const { manifest } = makeRenderedRun([{ experiment: 'a' }], runId);
  return createRunRecord(manifest, CLUSTER, new Date('2026-11-24T06:00:00Z'));
}

describe('run registry', () => {
  it('writes run.json atomically and reads it back identical', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hpcbench-reg-'));
    const record = recordFor('20261124-060000-a-0001');
    await writeRunRecord(dir, record, new Date('2026-11-24T06:01:00Z'));
    const files = readdirSync(join(dir, record.run_id));
    expect(files).toEqual(['run.json']);
    const back = await readRunRecord(dir, record.run_id);
    expect(back).toEqual(record);
    expect(back.updated_at).toBe('2026-11-24T06:01:00.000Z');
    expect(back.history[0]).toMatchObject({ event: 'rendered', at: '2026-11-24T06:00:00.000Z' });
  });

  it('resolves latest, exact ids and unique prefixes; rejects ambiguous and unknown ids', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hpcbench-reg-'));
    for (const id of ['20261124-060000-a-0001', '20261124-070000-b-0002', '20261125-010000-a-0003']) {
      await writeRunRecord(dir, recordFor(id));
    }
    mkdirSync(join(dir, 'not-a-run'));
    expect(await listRunIds(dir)).toHaveLength(3);
    expect(await resolveRunId(dir, 'latest')).toBe('20261125-010000-a-0003');
    expect(await resolveRunId(dir, undefined)).toBe('20261125-010000-a-0003');
    expect(await resolveRunId(dir, '20261124-07')).toBe('20261124-070000-b-0002');
    await expect(resolveRunId(dir, '20261124')).rejects.toThrow(/ambiguous/);
    await expect(resolveRunId(dir, 'nope')).rejects.toBeInstanceOf(UsageError);
    await expect(resolveRunId(mkdtempSync(join(tmpdir(), 'empty-')), 'latest')).rejects.toThrow(/no runs/);
  });

  it('names the file and the field of a damaged run.json', async () => {
    expect(() => parseRunRecord('{"schema": "hpcbench.run/1"', '/r/run.json')).toThrow(/\/r\/run.json: not valid JSON at line 1 column 28 \(character 27\): the text ends early/);
    const record = recordFor('20261124-060000-a-0001');
    const bad = JSON.parse(JSON.stringify(record)) as { jobs: { depends_on: unknown }[] };
    (bad.jobs[0] as { depends_on: unknown }).depends_on = 'a';
    let error: unknown;
    try {
      parseRunRecord(JSON.stringify(bad), '/r/run.json');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe('/r/run.json: jobs[0].depends_on: expected a list, got the string "a"');
  });

  it('keeps the previous complete file when a later write cannot finish', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hpcbench-reg-'));
    const record = recordFor('20261124-060000-a-0001');
    await writeRunRecord(dir, record);
    const before = readFileSync(join(dir, record.run_id, 'run.json'), 'utf8');
    const cyclic = { ...record } as Record<string, unknown>;
    cyclic.self = cyclic;
    await expect(writeRunRecord(dir, cyclic as unknown as typeof record)).rejects.toThrow();
    expect(readFileSync(join(dir, record.run_id, 'run.json'), 'utf8')).toBe(before);
    expect(readdirSync(join(dir, record.run_id))).toEqual(['run.json']);
  });

  it('keeps what another command wrote meanwhile when a long-held record is saved', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hpcbench-reg-'));
    const held = recordFor('20261124-060000-a-0001');
    await writeRunRecord(dir, held);
    // Another process (hpcbench cancel) records a cancellation.
    const other = await readRunRecord(dir, held.run_id);
    addHistory(other, { event: 'cancel', experiment: 'a', job_id: '5', message: 'cancel requested' }, new Date('2026-11-24T06:05:00Z'));
    other.phase = 'cancelled';
    await writeRunRecord(dir, other);
    // The watch that held its copy since before writes a state change.
    addHistory(held, { event: 'state', experiment: 'a', job_id: '5', state: 'RUNNING' }, new Date('2026-11-24T06:04:00Z'));
    await writeRunRecordMerged(dir, held);
    const saved = await readRunRecord(dir, held.run_id);
    expect(saved.history.map((h) => h.event)).toEqual(['rendered', 'state', 'cancel']);
    expect(saved.phase).toBe('cancelled');
  });
});
