// `profile` on real sacct captures: as loose files (detected by content) and as a run directory's
// sacct.txt, the accounting section carries the reference figures; unknown ones are left out.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { profileFiles, profileRun } from '../../../../src/profile/profile-run.js';
import { detectLogKind } from '../../../../src/profile/detect-kind.js';

const DIR = join(__dirname, '../../../fixtures/real/sacct');
const UZH_FIELDS = 'JobID,JobName%12,ReqMem,MaxRSS,CPUTime%12,TotalCPU%12,Elapsed%12,End,State,ExitCode%6';

describe('profile with real sacct captures', () => {
  it('detects every shape by content', async () => {
    for (const name of ['alpine-slurm-23.02.8-json-array-task.json', 'bridges-default-fixed-width-steps-excerpt.txt', 'kabre-parsable2-header-no-jobid-reqmem-suffix-excerpt.csv', 'uzh-fixed-width-header-cputime-totalcpu-elapsed.txt', 'nau-reqmem-maxrss-only-no-jobid.txt']) {
      expect(await detectLogKind(join(DIR, name)), name).toBe('sacct');
    }
  });

  it('reads a loose fixed-width file into the accounting section', async () => {
    const doc = await profileFiles([join(DIR, 'uzh-fixed-width-header-cputime-totalcpu-elapsed.txt')]);
    const acc = doc.tasks[0]?.accounting;
    expect(acc?.jobId).toBe('23672392');
    expect(acc?.cpuEfficiency).toBeCloseTo(0.9814651368049426, 12);
    expect(acc?.memoryEfficiency).toBeCloseTo(0.7494254112243652, 12);
  });

  it('reads headerless output when the field list is given', async () => {
    const file = join(DIR, 'uzh-headerless-fixed-width-with-name-lines.log');
    await expect(profileFiles([file])).rejects.toThrow(/unrecognised log/);
    const root = mkdtempSync(join(tmpdir(), 'hpcb-sacct-'));
    mkdirSync(join(root, 'out', 'exp', 'main'), { recursive: true });
    cpSync(file, join(root, 'sacct.txt'));
    writeFileSync(join(root, 'out', 'exp', 'main', 'metadata.json'), JSON.stringify({ job_id: '23471691' }));
    await expect(profileRun(root)).rejects.toThrow(/column list and widths/);
    const doc = await profileRun(root, { sacctFields: UZH_FIELDS });
    const acc = doc.tasks[0]?.accounting;
    expect(acc?.state).toBe('TIMEOUT');
    // references.json: whole CPU seconds, as seff counts them.
    expect(acc?.cpuEfficiency).toBeCloseTo(0.9907407407407407, 12);
    expect(acc?.memoryEfficiency).toBeCloseTo(0.23928308486938477, 12);
  });

  it('leaves CPU efficiency out when the file has no TotalCPU (leonardo)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'hpcb-sacct-'));
    mkdirSync(join(root, 'out', 'exp', 'main'), { recursive: true });
    writeFileSync(join(root, 'sacct.txt'), readFileSync(join(DIR, 'leonardo-parsable2-alloctres-gpu-two-jobs.txt')));
    writeFileSync(join(root, 'out', 'exp', 'main', 'metadata.json'), JSON.stringify({ job_id: '48409232' }));
    const acc = (await profileRun(root)).tasks[0]?.accounting;
    expect(acc?.elapsedSeconds).toBe(408);
    expect(acc?.gpuHours).toBeCloseTo(408 / 3600, 12);
    expect(acc?.cpuEfficiency).toBeUndefined();
    expect(acc?.memoryEfficiency).toBeUndefined();
  });
});
