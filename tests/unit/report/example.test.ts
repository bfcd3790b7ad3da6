import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRunRecord } from '../../../src/runs/run-record.js';
import { buildExampleReport, EXAMPLE_REPORT_DIR, EXAMPLE_RUN_DIR } from '../../../src/report/example-report.js';
import { normaliseJsonReport, normaliseReport } from './normalise.js';

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = join(dir, name);
    return statSync(file).isDirectory() ? listFiles(file) : [file];
  });
}

const fix = 'run `node scripts/make-sample-run.mjs && npm run report:example` and commit data_sample/run-example and report/';

describe('committed example', () => {
  const temp = mkdtempSync(join(tmpdir(), 'hpcbench-sample-'));
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  it('data_sample/run-example is what scripts/make-sample-run.mjs writes', () => {
    execFileSync(process.execPath, ['scripts/make-sample-run.mjs', temp], { stdio: 'pipe' });
    const generated = listFiles(temp).map((f) => relative(temp, f)).sort();
    const committed = listFiles(EXAMPLE_RUN_DIR).map((f) => relative(EXAMPLE_RUN_DIR, f)).sort();
    expect(committed, fix).toEqual(generated);
    for (const name of generated) {
      expect(readFileSync(join(EXAMPLE_RUN_DIR, name), 'utf8'), `${name}: ${fix}`).toBe(readFileSync(join(temp, name), 'utf8'));
    }
  });

  it('its run.json is one the run registry reads', () => {
    const record = parseRunRecord(readFileSync(join(EXAMPLE_RUN_DIR, 'run.json'), 'utf8'), 'run.json');
    expect(record.jobs.map((j) => `${j.experiment}:${j.job_id ?? ''}`)).toEqual(['lora:7001234', 'infer:7001235']);
  });

  it('report/ is the current report of data_sample/run-example', async () => {
    const { files } = await buildExampleReport(process.cwd(), '0.0.0-test');
    // Only files: folders under report/ are other commands' output (report/demo/).
    const committed = readdirSync(EXAMPLE_REPORT_DIR)
      .filter((n) => n !== '.gitkeep' && n !== 'README.md' && statSync(join(EXAMPLE_REPORT_DIR, n)).isFile())
      .sort();
    expect(committed, fix).toEqual([...files.keys()].sort());
    for (const [name, text] of files) {
      const normalise = name.endsWith('.json') ? normaliseJsonReport : normaliseReport;
      expect(normalise(readFileSync(join(EXAMPLE_REPORT_DIR, name), 'utf8')), `${name}: ${fix}`).toBe(normalise(text));
    }
  }, 60_000);
});
