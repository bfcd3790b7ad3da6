// `hpcbench efficiency` (the real CLI from dist/) against the real SLURM test cluster: two tiny
// jobs submitted with sbatch over SSH, then the CLI's figures checked against what sacct itself
// prints for those jobs, recomputed here with seff's formulas, and an unknown id reported as
// not found. Needs `npm run build` first.
//
// "One sacct call" is not asserted here: the cluster keeps no per-command record (sshd logs
// connections, not the commands run on them, and slurmdbd does not log queries at its level),
// and counting sshd connections would race with other suites using the same cluster. The unit
// tests of queryJobEfficiency check that the jobs go to a single sacct invocation.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeCluster } from './support/cluster.js';
import { runEfficiency, writeEfficiencyProject, type EfficiencyProject } from './support/efficiency-jobs.js';
import { execRemoteOk, waitForJobEnd, withCluster } from './support/remote.js';

// A job id far above what the test cluster will reach while these tests exist.
const UNKNOWN_ID = '987654321';

/** sacct's [D-][HH:]MM:SS[.mmm] in seconds (written here, not imported, to check hpcbench's). */
function seconds(text: string): number {
  const [days, rest] = text.includes('-') ? [Number(text.split('-')[0]), text.split('-')[1] ?? ''] : [0, text];
  const parts = rest.split(':').map(Number).reverse();
  return days * 86400 + (parts[0] ?? 0) + (parts[1] ?? 0) * 60 + (parts[2] ?? 0) * 3600;
}

/** MaxRSS / ReqMem text in bytes: K/M/G/T are powers of 1024; Slurm ≥ 21.08 prints no c/n suffix. */
function bytes(text: string): number | null {
  const m = /^([0-9.]+)([KMGT]?)$/.exec(text.trim());
  if (m === null) return null;
  const power = { '': 0, K: 1, M: 2, G: 3, T: 4 }[m[2] ?? ''] ?? 0;
  return Number(m[1]) * 1024 ** power;
}

interface Expected {
  elapsed: number;
  totalCpu: number;
  ncpus: number;
  maxRss: number | null;
  reqMem: number | null;
}

/** The job row's Elapsed/NCPUS/ReqMem, TotalCPU (the steps' sum when the job row says 0) and the largest step MaxRSS. */
function expectFromSacct(table: string, id: string): Expected {
  const rows = table.trim().split('\n').slice(1).map((l) => l.split('|'));
  const job = rows.find((r) => r[0] === id);
  if (job === undefined) throw new Error(`sacct printed no row for job ${id}:\n${table}`);
  const steps = rows.filter((r) => r[0]?.startsWith(`${id}.`));
  const [, elapsed = '', totalCpu = '', ncpus = '', , reqMem = ''] = job;
  const stepCpu = steps.reduce((sum, r) => sum + seconds(r[2] ?? '0'), 0);
  const rss = [job, ...steps].map((r) => bytes(r[4] ?? '')).filter((v): v is number => v !== null);
  return {
    elapsed: seconds(elapsed),
    totalCpu: seconds(totalCpu) > 0 ? seconds(totalCpu) : stepCpu,
    ncpus: Number(ncpus),
    maxRss: rss.length > 0 ? Math.max(...rss) : null,
    reqMem: bytes(reqMem),
  };
}

function close(actual: unknown, expected: number | null, what: string): void {
  if (expected === null) {
    expect(actual, what).toBeNull();
    return;
  }
  expect(typeof actual, what).toBe('number');
  expect(Math.abs((actual as number) - expected), what).toBeLessThanOrEqual(Math.abs(expected) * 1e-9 + 1e-12);
}

describeCluster('hpcbench efficiency on the test cluster', (cluster) => {
  let project: EfficiencyProject;
  let ids: [string, string];
  let table = '';

  beforeAll(async () => {
    project = writeEfficiencyProject(cluster);
    const common = project.sbatch;
    ids = await withCluster(cluster, async (client) => {
      // One job with a memory request that writes ~40 MiB (written, so the pages are resident)
      // and spins 7 s inside an srun step: longer than the cluster's JobAcctGatherFrequency of
      // 5 s, or MaxRSS is sampled before the memory is touched. One without --mem that sleeps.
      const busy = `${common} --job-name=hpcb-eff-mem --ntasks=1 --mem=128M --wrap ` +
        `'srun python3 -c "import time; b = bytes(1) * (40 * 2**20); t = time.time()\nwhile time.time() - t < 7: pass"'`;
      const idle = `${common} --job-name=hpcb-eff-idle --ntasks=1 --wrap 'sleep 2'`;
      const a = (await execRemoteOk(client, busy)).trim().split(';')[0] ?? '';
      const b = (await execRemoteOk(client, idle)).trim().split(';')[0] ?? '';
      await Promise.all([waitForJobEnd(client, a, { timeoutMs: 40_000, intervalMs: 1000 }), waitForJobEnd(client, b, { timeoutMs: 40_000, intervalMs: 1000 })]);
      // The figures as sacct prints them, steps included, for the test's own seff arithmetic.
      table = await execRemoteOk(client, `sacct -P -o JobID,Elapsed,TotalCPU,NCPUS,MaxRSS,ReqMem -j ${a},${b}`);
      return [a, b] as [string, string];
    });
  }, 55_000);

  afterAll(() => {
    if (project !== undefined) rmSync(project.dir, { recursive: true, force: true });
  });

  it('gives seff\'s figures for both jobs and reports an unknown id as not found', () => {
    const run = runEfficiency(project, [ids[0], ids[1], UNKNOWN_ID]);
    expect(run.status, `${run.stderr}`).toBe(0);
    const doc = JSON.parse(run.stdout) as { cluster: string; jobs: Record<string, unknown>[]; not_found: string[] };
    expect(doc.cluster).toBe('test');
    expect(doc.not_found).toEqual([UNKNOWN_ID]);
    expect(run.stderr).toContain(`job ${UNKNOWN_ID}: not in sacct`);
    expect(doc.jobs.map((j) => j.job_id).sort()).toEqual([...ids].sort());
    for (const id of ids) {
      const got = doc.jobs.find((j) => j.job_id === id) ?? {};
      const want = expectFromSacct(table, id);
      const at = `job ${id}`;
      expect(got.state, at).toBe('COMPLETED');
      close(got.elapsed_s, want.elapsed, `${at} elapsed`);
      close(got.total_cpu_s, want.totalCpu, `${at} TotalCPU`);
      close(got.ncpus, want.ncpus, `${at} NCPUS`);
      close(got.max_rss_bytes, want.maxRss, `${at} MaxRSS`);
      close(got.req_mem_bytes, want.reqMem, `${at} ReqMem`);
      // seff: CPU efficiency = TotalCPU in whole seconds (rounded) / (Elapsed × cores); memory efficiency = MaxRSS / requested.
      close(got.cpu_efficiency, want.elapsed > 0 ? Math.round(want.totalCpu) / (want.elapsed * want.ncpus) : null, `${at} CPU efficiency`);
      close(got.memory_efficiency, want.maxRss !== null && want.reqMem ? want.maxRss / want.reqMem : null, `${at} memory efficiency`);
      close(got.cpu_hours, (want.ncpus * want.elapsed) / 3600, `${at} CPU-hours`);
    }
    // The busy job did real work in its srun step: its figures are not all zero.
    const busy = doc.jobs.find((j) => j.job_id === ids[0]) ?? {};
    expect(busy.max_rss_bytes as number).toBeGreaterThan(30 * 2 ** 20);
    expect(busy.total_cpu_s as number).toBeGreaterThan(1);
  }, 35_000);
});
