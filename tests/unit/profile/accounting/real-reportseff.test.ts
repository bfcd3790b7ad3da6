// reportseff 2.10.3 (an independent tabular seff) on three real Slurm 22.05 jobs, next to the
// sacct capture of the same jobs. references.json recomputes reportseff's printed figures from
// the sacct rows with reportseff's own rules; hpcbench must give the same figures where the
// definitions agree and differ exactly as stated where they do not:
//   - CPUEff: reportseff cuts TotalCPU to whole seconds, hpcbench rounds it as SchedMD's seff does;
//   - MemEff: reportseff takes MaxRSS × NTasks, hpcbench (as SchedMD's seff) TRESUsageInTot mem.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSacctFigures } from '../../../../src/profile/accounting/sacct-read.js';
import { chargeJob } from '../../../../src/profile/accounting/efficiency.js';
import { formatEfficiencyReport, toEfficiencyJson } from '../../../../src/profile/accounting/efficiency-format.js';

const ROOT = join(__dirname, '../../../fixtures/real');
const FILE = 'reportseff/slurm-22.05-jobs-601-603-cpueff-memeff.txt';

interface Pct {
  cpu_eff_pct: number | null;
  mem_eff_pct: number | null;
}
interface RefReportseff {
  sacct: string;
  printed: Record<string, Pct & { state: string }>;
  recomputed_reportseff_rules: Record<string, Pct>;
}
const references = JSON.parse(readFileSync(join(ROOT, 'references.json'), 'utf8')) as { files: Record<string, RefReportseff> };
const ref = references.files[FILE];
if (ref === undefined) throw new Error(`no reference for ${FILE}`);

/** The table as reportseff prints it (a header line, then JobID State CPUEff MemEff). */
function readTable(text: string): Map<string, string[]> {
  return new Map(text.trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/)).map((c) => [c[0] ?? '', c]));
}

describe('reportseff next to hpcbench on the same real jobs', () => {
  const table = readTable(readFileSync(join(ROOT, FILE), 'utf8'));
  const jobs = readSacctFigures(readFileSync(join(ROOT, ref.sacct), 'utf8'), { file: ref.sacct });

  it('the reference reads the printed table and reproduces it with reportseff\'s rules', () => {
    expect([...table.keys()].sort()).toEqual(Object.keys(ref.printed).sort());
    for (const [id, cells] of table) {
      const printed = ref.printed[id];
      expect(cells[2], id).toBe(printed?.cpu_eff_pct === null ? '---' : `${printed?.cpu_eff_pct.toFixed(1)}%`);
      expect(cells[3], id).toBe(`${printed?.mem_eff_pct?.toFixed(1)}%`);
      expect(ref.recomputed_reportseff_rules[id], id).toEqual({ cpu_eff_pct: printed?.cpu_eff_pct, mem_eff_pct: printed?.mem_eff_pct });
    }
  });

  for (const id of Object.keys(ref.printed)) {
    it(`job ${id}: hpcbench's figures give reportseff's to its printed precision`, () => {
      const job = jobs.find((j) => j.jobId === id);
      const printed = ref.printed[id];
      if (job === undefined || printed === undefined) throw new Error(`job ${id} missing`);
      const { totalCpuSeconds: cpu, elapsedSeconds: wall, ncpus, reqMemBytes: req, maxRssBytes: rss, memoryUsedBytes: used } = job;
      if (cpu === null || wall === null || ncpus === null || req === null || rss === null || used == null) throw new Error(`job ${id}: unknown figure`);
      // CPU: hpcbench's TotalCPU cut to whole seconds is reportseff's; under 1 s it prints ---.
      const cut = (Math.floor(cpu) / ncpus / wall) * 100;
      if (printed.cpu_eff_pct === null) expect(Math.floor(cpu), id).toBe(0);
      else expect(Math.abs(cut - printed.cpu_eff_pct), id).toBeLessThanOrEqual(0.05);
      expect(job.cpuEfficiency, id).toBeCloseTo(Math.round(cpu) / (ncpus * wall), 12);
      expect(Math.abs((job.cpuEfficiency ?? NaN) * 100 - (printed.cpu_eff_pct ?? 0)), id).toBeLessThan(100 / (ncpus * wall) + 0.05);
      // Memory: one-task steps give the same figure; job 603's step has 2 tasks.
      expect(job.memoryEfficiency, id).toBeCloseTo(used / req, 12);
      if (id === '603') {
        expect(Math.abs(((rss * 2) / req) * 100 - (printed.mem_eff_pct ?? NaN)), id).toBeLessThanOrEqual(0.05);
        expect(used, id).toBeGreaterThan(rss * 1.5);
        expect(used, id).toBeLessThanOrEqual(rss * 2);
      } else {
        expect(used, id).toBe(rss);
        expect(Math.abs((job.memoryEfficiency ?? NaN) * 100 - (printed.mem_eff_pct ?? NaN)), id).toBeLessThanOrEqual(0.05);
      }
    });
  }

  it('prints seff\'s "Memory Utilized" (the 2 tasks\' sum) for job 603, and both figures in --json', () => {
    const job = jobs.find((j) => j.jobId === '603');
    if (job === undefined) throw new Error('job 603 missing');
    const lines = formatEfficiencyReport({ jobs: [chargeJob(job, undefined)], notFound: [] }).split('\n');
    // TRESUsageInTot mem=220952K; MaxRSS 110492K is one task's.
    expect(lines).toContain('Memory Utilized: 215.77 MB');
    expect(lines).toContain('Memory Efficiency: 53.94% of 400.00 MB (400.00 MB/node)');
    const json = toEfficiencyJson({ jobs: [chargeJob(job, undefined)], notFound: [] }, 'test') as { jobs: { max_rss_bytes: number; memory_used_bytes: number }[] };
    expect(json.jobs[0]).toMatchObject({ max_rss_bytes: 110492 * 1024, memory_used_bytes: 220952 * 1024 });
  });
});
