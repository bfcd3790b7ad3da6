// The field list of headerless sacct output (the real APEL capture, `sacct -P -n`) given the two
// ways a user can: `profile --sacct-fields …` and profiling.sacct_fields in hpcbench.yaml.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../cli/run-cli.js';

const ROOT = join(__dirname, '../../../..');
const FILE = join(ROOT, 'tests/fixtures/real/sacct/apel-issue-parsable2-noheader-cputimeraw.txt');
const FIELDS = 'JobID,JobName,User,Group,Start,End,Elapsed,CPUTimeRAW,Partition,NCPUS,NNodes,NodeList,MaxRSS,MaxVMSize,State';

function missingCodes(stdout: string): string[] {
  const doc = JSON.parse(stdout) as { tasks: { missing: { code: string }[] }[] };
  return doc.tasks[0]?.missing.map((m) => m.code) ?? [];
}

describe('the field list of headerless sacct output', () => {
  it('comes from --sacct-fields', async () => {
    const r = await runCli(['profile', FILE, '--sacct-fields', FIELDS, '--json']);
    expect(r.code, r.stderr).toBe(0);
    // Three jobs and no job id to pick one: read, but no single accounting section.
    expect(missingCodes(r.stdout)).toContain('no-job-id');
  });

  it('comes from profiling.sacct_fields in hpcbench.yaml when no flag is given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hpcb-sacctfields-'));
    for (const f of ['prompts.txt', 'train.txt', 'val.txt']) copyFileSync(join(ROOT, 'data_sample', f), join(dir, f));
    const yaml = readFileSync(join(ROOT, 'data_sample/hpcbench.yaml'), 'utf8').replace('      interval_ms: 1000\n', `      interval_ms: 1000\n      sacct_fields: "${FIELDS}"\n`);
    expect(yaml).toContain('sacct_fields');
    writeFileSync(join(dir, 'hpcbench.yaml'), yaml);
    const r = await runCli(['profile', FILE, '--config', join(dir, 'hpcbench.yaml'), '--json']);
    expect(r.code, r.stderr).toBe(0);
  });

  it('is asked for, naming both ways, when neither gives it', async () => {
    const r = await runCli(['profile', FILE, '--json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/without a header line \(15 fields\)/);
    expect(r.stderr).toMatch(/--sacct-fields.*profiling\.sacct_fields/);
  });
});
