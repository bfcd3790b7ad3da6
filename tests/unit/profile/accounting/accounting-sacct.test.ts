// seff's formulas on hand-checkable sacct tables: TotalCPU from the steps when the allocation row
// has none (or 0), ReqMem per CPU / per node / total, and unknown figures staying null.
import { describe, expect, it } from 'vitest';
import { readSacctFigures, readSacctJobs } from '../../../../src/profile/accounting/sacct-read.js';
import { SACCT_FIELDS } from '../../../../src/slurm/sacct.js';

describe('seff-style figures', () => {
  it('sums step TotalCPU when the allocation row says 0', () => {
    const text = 'JobID|State|Elapsed|TotalCPU|NCPUS|MaxRSS|ReqMem|NNodes\n' +
      '9|COMPLETED|00:10:00|00:00:00|4|||2\n9.batch|COMPLETED|00:10:00|00:05:00|4|1024K||1\n9.0|COMPLETED|00:09:00|00:15:00|4|2G||1\n';
    const [job] = readSacctFigures(text);
    expect(job?.totalCpuSeconds).toBe(1200);
    expect(job?.cpuEfficiency).toBe(1200 / (600 * 4));
    expect(job?.maxRssBytes).toBe(2 * 1024 ** 3);
    expect(job?.reqMemBytes).toBeNull();
    expect(job?.memoryEfficiency).toBeNull();
  });

  it('reads the TotalCPU 00:00:00 that sacct -X prints on every job row as unknown, not 0 % efficiency', () => {
    const allocations = 'JobID|State|Elapsed|TotalCPU|NCPUS\n7|COMPLETED|00:00:09|00:00:00|2\n8|COMPLETED|00:00:05|00:00:00|1\n';
    for (const job of readSacctFigures(allocations)) {
      expect(job.totalCpuSeconds).toBeNull();
      expect(job.cpuEfficiency).toBeNull();
    }
    // With step rows in the table the 0 is a reading (a job that ran no step used no CPU).
    const withSteps = 'JobID|State|Elapsed|TotalCPU|NCPUS\n7|COMPLETED|00:00:09|00:00:00|2\n8|COMPLETED|00:00:05|00:00:01|1\n8.batch|COMPLETED|00:00:05|00:00:01|1\n';
    expect(readSacctFigures(withSteps).find((j) => j.jobId === '7')?.totalCpuSeconds).toBe(0);
  });

  it('leaves CPU efficiency unknown, not 0, when TotalCPU is not in the file', () => {
    const [job] = readSacctFigures('JobID|State|Elapsed|AllocTRES\n5|COMPLETED|00:04:26|cpu=8,gres/gpu=2,mem=64G,node=1\n');
    expect(job?.ncpus).toBe(8);
    expect(job?.gpus).toBe(2);
    expect(job?.totalCpuSeconds).toBeNull();
    expect(job?.cpuEfficiency).toBeNull();
    const [sj] = readSacctJobs('JobID|State|Elapsed|AllocTRES\n5|COMPLETED|00:04:26|cpu=8,gres/gpu=2,mem=64G,node=1\n');
    expect(sj?.totalCpuSeconds).toBeUndefined();
  });

  it('multiplies ReqMem as seff does', () => {
    const reqMem = (text: string): (number | null)[] => readSacctFigures(text).map((job) => job.reqMemBytes);
    // Per CPU (×NCPUS), per node (×NNodes), for the whole job.
    expect(reqMem('JobID|NCPUS|NNodes|ReqMem\n1|4|1|100Mc\n2|25|2|500Gn\n3|2|3|16G\n4|1|1|\n')).toEqual([400 * 1024 ** 2, 1000 * 1024 ** 3, 16 * 1024 ** 3, null]);
    // Per node without a node count is one node, as seff assumes; per CPU without a CPU count is unknown.
    expect(reqMem('JobID|ReqMem\n1|2000Mn\n')).toEqual([2000 * 1024 ** 2]);
    expect(reqMem('JobID|NNodes|ReqMem\n1|1|100Mc\n')).toEqual([null]);
  });

  it('reads MaxRSS with and without a unit, and an empty one as unknown', () => {
    const rss = readSacctFigures('JobID|MaxRSS\n1|488.50M\n2|0\n3|\n').map((job) => job.maxRssBytes);
    expect(rss).toEqual([488.5 * 1024 ** 2, 0, null]);
  });

  it('counts typed GPUs when AllocTRES has no plain gres/gpu', () => {
    const [job] = readSacctFigures('JobID|Elapsed|AllocTRES\n5|01:00:00|cpu=8,gres/gpu:a100=2,gres/gpu:v100=1,node=1\n');
    expect(job?.gpus).toBe(3);
  });

  it('reads an empty sacct.txt (nothing recorded yet) as no jobs', () => {
    expect(readSacctJobs('')).toEqual([]);
    expect(readSacctJobs('\n')).toEqual([]);
  });

  it('keeps reading hpcbench\'s own 26-field layout with parseSacct', () => {
    const row = SACCT_FIELDS.map((f) => (f === 'JobID' || f === 'JobIDRaw' ? '42' : f === 'State' ? 'COMPLETED' : f === 'NCPUS' ? '2' : ''));
    const [job] = readSacctJobs(`${row.join('|')}\n`);
    expect(job?.jobId).toBe('42');
    expect(job?.cpus).toBe(2);
  });
});
