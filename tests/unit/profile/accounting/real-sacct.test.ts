// Every real sacct capture in tests/fixtures/real/sacct/ against the figures numpy computed for it
// (scripts/real-corpus/reference.py → references.json). Null in the reference must stay null.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSacctFigures } from '../../../../src/profile/accounting/sacct-read.js';
import type { SacctJobFigures } from '../../../../src/profile/accounting/sacct.js';

const ROOT = join(__dirname, '../../../fixtures/real');
const DIR = join(ROOT, 'sacct');

interface RefJob {
  state: string | null;
  elapsed_s: number | null;
  totalcpu_s: number | null;
  ncpus: number | null;
  maxrss_bytes: number | null;
  /** Only for captures with TRESUsageInTot: seff's memory used (the largest step's sum over tasks). */
  memory_used_bytes?: number | null;
  reqmem: string | null;
  reqmem_total_bytes: number | null;
  cpu_efficiency: number | null;
  memory_efficiency: number | null;
  has_job_row?: boolean;
  steps: string[] | number;
  job_id?: number;
  alloc_tres_mem_bytes?: number | null;
}
interface RefFile {
  kind: string;
  jobs: Record<string, RefJob>;
  skipped_lines?: string[];
}
const references = JSON.parse(readFileSync(join(ROOT, 'references.json'), 'utf8')) as { files: Record<string, RefFile> };

// Headerless captures: the field list the user gives (flag or config), as sacct --format takes it.
const FIELDS: Record<string, string> = {
  'apel-issue-parsable2-noheader-cputimeraw.txt': 'JobID,JobName,User,Group,Start,End,Elapsed,CPUTimeRAW,Partition,NCPUS,NNodes,NodeList,MaxRSS,MaxVMSize,State',
  'uzh-headerless-fixed-width-with-name-lines.log': 'JobID,JobName%12,ReqMem,MaxRSS,CPUTime%12,TotalCPU%12,Elapsed%12,End,State,ExitCode%6',
  'slurm-22.05-noheader-parsable2-list.txt': 'JobID,State,Elapsed,TotalCPU,NCPUS,MaxRSS,ReqMem',
};

function close(actual: number | null, expected: number | null, what: string): void {
  if (expected === null) expect(actual, what).toBeNull();
  else {
    expect(actual, what).not.toBeNull();
    expect(Math.abs((actual ?? NaN) - expected), what).toBeLessThanOrEqual(Math.abs(expected) * 1e-9);
  }
}

const files = readdirSync(DIR).sort();

describe('real sacct captures', () => {
  it('covers all 22 files, each with a reference', () => {
    expect(files).toHaveLength(22);
    for (const f of files) expect(references.files[`sacct/${f}`], f).toBeDefined();
  });

  for (const name of files) {
    it(`reads ${name} and matches every reference figure`, () => {
      const ref = references.files[`sacct/${name}`];
      if (ref === undefined) throw new Error(`no reference for ${name}`);
      const opts: { file: string; fields?: string } = { file: name };
      const fields = FIELDS[name];
      if (fields !== undefined) opts.fields = fields;
      const jobs = readSacctFigures(readFileSync(join(DIR, name), 'utf8'), opts);
      const byId = new Map<string, SacctJobFigures>(jobs.map((j) => [j.jobId, j]));
      expect([...byId.keys()].sort()).toEqual(Object.keys(ref.jobs).sort());
      for (const [id, want] of Object.entries(ref.jobs)) {
        const got = byId.get(id);
        if (got === undefined) throw new Error(`job ${id} missing`);
        const at = `${name} ${id}`;
        expect(got.state, `${at} state`).toBe(want.state);
        close(got.elapsedSeconds, want.elapsed_s, `${at} elapsed`);
        close(got.totalCpuSeconds, want.totalcpu_s, `${at} TotalCPU`);
        close(got.ncpus, want.ncpus, `${at} NCPUS`);
        close(got.maxRssBytes, want.maxrss_bytes, `${at} MaxRSS`);
        if (want.memory_used_bytes !== undefined) close(got.memoryUsedBytes ?? null, want.memory_used_bytes, `${at} TRESUsageInTot mem`);
        expect(got.reqMem, `${at} ReqMem`).toBe(want.reqmem);
        close(got.reqMemBytes, want.reqmem_total_bytes, `${at} ReqMem total`);
        close(got.cpuEfficiency, want.cpu_efficiency, `${at} CPU efficiency`);
        close(got.memoryEfficiency, want.memory_efficiency, `${at} memory efficiency`);
        if (want.has_job_row !== undefined) expect(got.hasJobRow, `${at} job row`).toBe(want.has_job_row);
        if (Array.isArray(want.steps) && ref.kind === 'sacct') expect(got.steps, `${at} steps`).toEqual(want.steps);
        else if (typeof want.steps === 'number') expect(got.steps, `${at} steps`).toHaveLength(want.steps);
        if (want.alloc_tres_mem_bytes !== undefined) close(got.allocMemBytes, want.alloc_tres_mem_bytes, `${at} AllocTRES mem`);
        if (want.job_id !== undefined) expect(got.jobIdRaw, `${at} job_id`).toBe(String(want.job_id));
        // sacct --json names a step by its id (v0.0.38: `"batch"` or `0`), as the text output does.
        if (name === 'slurm-22.05-json.json') expect(got.steps, `${at} steps`).toEqual(references.files['sacct/slurm-22.05-fixed-width-efficiency-fields-steps.txt']?.jobs[id]?.steps);
      }
    });
  }
});
