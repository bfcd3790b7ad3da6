// `hpcbench runs` lists rendered-only runs (manifest.json, no run.json) besides submitted and broken ones.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRunRecord } from '../../../src/runs/run-record.js';
import { writeRunRecord } from '../../../src/runs/registry.js';
import { listAllRuns } from '../../../src/runs/list-runs.js';
import { runCli } from '../cli/run-cli.js';
import { CLUSTER, makeRenderedRun } from './helpers.js';

const RENDERED = '20261124-060000-a-0001';
const SUBMITTED = '20261124-070000-b-0002';

async function results(): Promise<string> {
  const { resultsDir } = makeRenderedRun([{ experiment: 'a' }], RENDERED);
  const other = makeRenderedRun([{ experiment: 'b' }], SUBMITTED);
  await writeRunRecord(resultsDir, { ...createRunRecord(other.manifest, CLUSTER, new Date('2026-11-24T07:00:00Z')), phase: 'submitted' });
  // A rendered run whose manifest was damaged: listed as broken, not hidden.
  mkdirSync(join(resultsDir, '20261124-080000-c-0003'));
  writeFileSync(join(resultsDir, '20261124-080000-c-0003', 'manifest.json'), '{"schema": ');
  // Neither a manifest nor run.json: not a run.
  mkdirSync(join(resultsDir, 'scratch'));
  return resultsDir;
}

describe('hpcbench runs and rendered-only runs', () => {
  it('finds directories with manifest.json and no run.json as rendered runs', async () => {
    const dir = await results();
    const listed = await listAllRuns(dir);
    expect(listed.map((l) => l.run_id)).toEqual([RENDERED, SUBMITTED, '20261124-080000-c-0003']);
    expect(listed[0]).toEqual({ run_id: RENDERED, rendered: { created_at: '2026-11-24T06:00:00.000Z', experiments: ['a'], clusters: ['fake'] } });
    expect('error' in (listed[2] ?? {})).toBe(true);
  });

  it('--json marks the rendered run as not submitted, in run id order with the others', async () => {
    const dir = await results();
    const result = await runCli(['runs', '--json', '--results', dir]);
    expect(result.code).toBe(0);
    const rows = JSON.parse(result.stdout) as { run_id: string; phase?: string; submitted?: boolean; error?: string }[];
    expect(rows.map((r) => [r.run_id, r.phase ?? 'broken', r.submitted ?? null])).toEqual([
      [RENDERED, 'rendered', false],
      [SUBMITTED, 'submitted', true],
      ['20261124-080000-c-0003', 'broken', null],
    ]);
  });

  it('the table says rendered (not submitted) and warns about the broken one', async () => {
    const dir = await results();
    const result = await runCli(['runs', '--results', dir]);
    expect(result.code).toBe(0);
    const line = result.stdout.split('\n').find((l) => l.startsWith(RENDERED));
    expect(line).toMatch(/fake\s+rendered \(not submitted\)\s+a\s+-\s+2026-11-24T06:00:00Z/);
    expect(result.stdout).toContain('BROKEN 20261124-080000-c-0003');
    expect(result.stderr).toContain('1 run(s) could not be read');
  });
});
