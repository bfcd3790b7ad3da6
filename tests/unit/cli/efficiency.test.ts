// `hpcbench efficiency` without a cluster: a fake Transport answers sacct in the layout asked for
// (header from --format, the --delimiter given), and the test counts the sacct calls.
import { describe, expect, it } from 'vitest';
import { FakeCluster } from '../runs/fake-cluster.js';
import { queryJobEfficiency, validateJobIds } from '../../../src/profile/accounting/efficiency.js';
import { formatEfficiencyReport, toEfficiencyJson } from '../../../src/profile/accounting/efficiency-format.js';
import { UsageError } from '../../../src/errors.js';

type Row = Record<string, string>;

const ROWS: Row[] = [
  { JobID: '501', State: 'COMPLETED', ExitCode: '0:0', Elapsed: '01:00:00', TotalCPU: '03:00:00', NCPUS: '4', NNodes: '1', AllocTRES: 'billing=4,cpu=4,gres/gpu=2,mem=16G,node=1', ReqMem: '16G', MaxRSS: '' },
  { JobID: '501.batch', State: 'COMPLETED', ExitCode: '0:0', Elapsed: '01:00:00', TotalCPU: '03:00:00', NCPUS: '4', NNodes: '1', AllocTRES: 'cpu=4,mem=16G,node=1', ReqMem: '', MaxRSS: '4194304K' },
  { JobID: '502', State: 'TIMEOUT', ExitCode: '0:0', Elapsed: '00:30:00', TotalCPU: '00:00:00', NCPUS: '2', NNodes: '1', AllocTRES: 'cpu=2,mem=4G,node=1', ReqMem: '2Gc', MaxRSS: '' },
  { JobID: '502.0', State: 'CANCELLED', ExitCode: '0:15', Elapsed: '00:30:00', TotalCPU: '00:45:00', NCPUS: '2', NNodes: '1', AllocTRES: 'cpu=2,mem=4G,node=1', ReqMem: '', MaxRSS: '1G' },
];

function answerSacct(argv: readonly string[]): string {
  const format = argv.find((a) => a.startsWith('--format='))?.slice('--format='.length).split(',') ?? [];
  const delimiter = argv.find((a) => a.startsWith('--delimiter='))?.slice('--delimiter='.length) ?? '|';
  const asked = new Set(argv.find((a) => a.startsWith('--jobs='))?.slice('--jobs='.length).split(','));
  const rows = ROWS.filter((r) => asked.has((r.JobID ?? '').split('.')[0] ?? ''));
  return [format.join(delimiter), ...rows.map((r) => format.map((f) => r[f] ?? '').join(delimiter))].join('\n') + '\n';
}

function fakeCluster(): FakeCluster {
  const cluster = new FakeCluster();
  cluster.fault = (argv) => (argv[0] === 'sacct' ? { stdout: answerSacct(argv), stderr: '', code: 0 } : undefined);
  return cluster;
}

describe('hpcbench efficiency', () => {
  it('asks sacct once for several jobs and computes seff figures, GPU-hours and SU', async () => {
    const cluster = fakeCluster();
    const report = await queryJobEfficiency({ transport: cluster, jobIds: ['501', '502', '999'], rates: { suPerGpuHour: 10, currencyPerSu: 0.5, currency: 'BRL' } });
    expect(cluster.count('sacct')).toBe(1);
    expect(cluster.calls).toHaveLength(1);
    expect(cluster.calls[0]).toContain('--jobs=501,502,999');
    const [a, b] = report.jobs;
    expect(a?.cpuEfficiency).toBe(0.75);
    expect(a?.memoryEfficiency).toBe(0.25);
    expect(a?.gpuHours).toBe(2);
    expect(a?.serviceUnits).toBe(20);
    expect(a?.cost).toBe(10);
    // The allocation row says TotalCPU 0; its step carries the usage (as seff sums it).
    expect(b?.totalCpuSeconds).toBe(2700);
    expect(b?.cpuEfficiency).toBe(2700 / (1800 * 2));
    expect(b?.reqMemBytes).toBe(4 * 1024 ** 3);
    expect(b?.memoryEfficiency).toBe(0.25);
    expect(b?.gpus).toBe(0);
    expect(report.notFound).toEqual(['999']);
  });

  it('prints seff lines and machine-readable JSON with nulls for unknown figures', async () => {
    const report = await queryJobEfficiency({ transport: fakeCluster(), jobIds: ['501', '502'] });
    const text = formatEfficiencyReport(report);
    expect(text).toContain('Job ID: 501\nState: COMPLETED (exit code 0)\nNodes: 1\nCores per node: 4\nCPU Utilized: 03:00:00\nCPU Efficiency: 75.00% of 04:00:00 core-walltime');
    expect(text).toContain('Memory Utilized: 4.00 GB\nMemory Efficiency: 25.00% of 16.00 GB (16.00 GB/node)');
    expect(text).toContain('Memory Efficiency: 25.00% of 4.00 GB (2.00 GB/core)');
    expect(text).toContain('Total over 2 jobs: GPU-hours 2.000, CPU-hours 5.000');
    const json = toEfficiencyJson(report, 'test') as { jobs: { job_id: string; service_units: number | null }[]; not_found: string[] };
    expect(json.jobs.map((j) => j.job_id)).toEqual(['501', '502']);
    expect(json.jobs[0]?.service_units).toBeNull();
    expect(json.not_found).toEqual([]);
  });

  it('says, as seff, that a pending job has no figures and a running one has partial ones', () => {
    const base = { jobIdRaw: null, hasJobRow: true, name: null, partition: null, exitCode: '0:0', submit: null, start: null, end: null, elapsedSeconds: 60, totalCpuSeconds: 30, ncpus: 1, ncpusFrom: 'NCPUS', nodes: 1, gpus: 0, maxRssBytes: 0, reqMem: null, reqMemBytes: null, allocMemBytes: null, cpuEfficiency: 0.5, memoryEfficiency: null, steps: [], cpuHours: null, gpuHours: null, serviceUnits: null, cost: null, currency: null };
    const text = formatEfficiencyReport({ jobs: [{ ...base, jobId: '1', state: 'PENDING' }, { ...base, jobId: '2', state: 'RUNNING' }], notFound: [] });
    expect(text).toContain('Job ID: 1\nState: PENDING\nCores: 1\nEfficiency not available for jobs in the PENDING state.');
    expect(text).toContain('Job ID: 2\nState: RUNNING\nCores: 1\nCPU Utilized: 00:00:30\nCPU Efficiency: 50.00% of 00:01:00 core-walltime');
    expect(text).toContain('Memory Utilized: 0.00 MB');
    expect(text).toContain('WARNING: Efficiency statistics can only be obtained after the job has ended');
  });

  it('refuses a step id or a typo before connecting', async () => {
    expect(() => validateJobIds(['123.batch'])).toThrow(UsageError);
    expect(() => validateJobIds(['12a'])).toThrow(/not a SLURM job id/);
    expect(() => validateJobIds([])).toThrow(UsageError);
    const cluster = fakeCluster();
    await queryJobEfficiency({ transport: cluster, jobIds: ['1', '2_3'] });
    expect(cluster.calls[0]).toContain('--jobs=1,2_3');
  });

  it('reports accounting that is switched off as such', async () => {
    const cluster = new FakeCluster();
    cluster.fault = () => ({ stdout: '', stderr: 'sacct: error: Slurm accounting storage is disabled', code: 1 });
    await expect(queryJobEfficiency({ transport: cluster, jobIds: ['1'] })).rejects.toThrow(/sacct cannot be used/);
  });
});
