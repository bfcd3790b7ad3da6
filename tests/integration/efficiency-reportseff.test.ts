// `hpcbench efficiency` against an independent seff: reportseff (PyPI, pinned in
// tests/cluster/venv-requirements.txt), run on the cluster by the test user over SSH — it calls
// sacct itself — for three real jobs of known CPU and memory use:
//   cpu: 2 CPUs, one busy until the process has used 5 s of CPU (CPU efficiency under 50 %; a
//        fixed amount of CPU, not of wall time, because the node's CPUs are shared with the host);
//   mem: 1 task holding 200 MiB for 8 s of a 400 MiB request (memory efficiency ~ 50 %);
//   two: one srun step of 2 tasks, each holding 100 MiB (where the definitions part).
// The figures must agree to reportseff's printed precision (one decimal of a percent), with the
// two differences of definition stated and checked rather than hidden:
//   - reportseff truncates TotalCPU to whole seconds (int(timedelta.total_seconds())); hpcbench
//     keeps sacct's milliseconds (TotalCPU is user + system time, printed to the millisecond),
//     so reportseff's CPUEff is reproduced from hpcbench's figures with the truncation, and
//     hpcbench's own figure differs from it by less than 1 s of CPU over the core-walltime;
//   - for a step of several tasks reportseff multiplies MaxRSS (one task's peak) by NTasks;
//     hpcbench, like SchedMD's seff (contribs/seff), takes the step's TRESUsageInTot mem (the sum
//     of the tasks' peaks). For one-task steps the two are the same figure.
// Needs `npm run build` first and the venv of tests/cluster/venv.sh.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeCluster } from './support/cluster.js';
import { runEfficiency, writeEfficiencyProject, type EfficiencyProject } from './support/efficiency-jobs.js';
import { execRemoteOk, waitForJobEnd, withCluster } from './support/remote.js';

const REPORTSEFF = 'PATH=/opt/hpcbench-venv/bin:$PATH reportseff';

/** A python3 -c program, quoted for --wrap's single quotes (no single quote inside). */
const BUSY = 'import time\nwhile time.process_time() < 5: pass';
const HOLD = (mib: number): string => `import time\nb = b"x" * (${mib} * 2**20)\ntime.sleep(8)`;

interface JobJson {
  job_id: string;
  state: string | null;
  elapsed_s: number | null;
  total_cpu_s: number | null;
  ncpus: number | null;
  max_rss_bytes: number | null;
  memory_used_bytes: number | null;
  req_mem_bytes: number | null;
  cpu_efficiency: number | null;
  memory_efficiency: number | null;
}

interface SeffRow {
  state: string;
  cpu: number | null;
  mem: number | null;
}

/** reportseff's table: JobID State CPUEff MemEff, `---` for a figure it does not have. */
function parseReportseff(text: string): Map<string, SeffRow> {
  const rows = new Map<string, SeffRow>();
  const pct = (cell: string | undefined): number | null => (cell === undefined || cell === '---' ? null : Number(cell.replace(/%$/, '')));
  for (const line of text.trim().split('\n').slice(1)) {
    const [id, state, cpu, mem] = line.trim().split(/\s+/);
    if (id !== undefined && state !== undefined) rows.set(id, { state, cpu: pct(cpu), mem: pct(mem) });
  }
  return rows;
}

/** "Equal to the printed precision": within half of the last printed digit (0.05 %). */
function expectPrinted(printed: number | null, percent: number, what: string): void {
  expect(printed, what).not.toBeNull();
  expect(Math.abs((printed ?? NaN) - percent), `${what}: printed ${printed}, expected ${percent}`).toBeLessThanOrEqual(0.05 + 1e-9);
}

describeCluster('hpcbench efficiency against reportseff on the test cluster', (cluster) => {
  let project: EfficiencyProject;
  let ids: { cpu: string; mem: string; two: string };
  let seffText = '';
  let tresText = '';

  beforeAll(async () => {
    project = writeEfficiencyProject(cluster);
    const common = project.sbatch;
    ids = await withCluster(cluster, async (client) => {
      await execRemoteOk(client, `${REPORTSEFF} --version`).catch((error: unknown) => {
        throw new Error(`reportseff is not installed for ${cluster.username}: run \`bash tests/cluster/venv.sh\` (${String(error)})`);
      });
      // Every job's work runs in an srun step, longer than the cluster's JobAcctGatherFrequency
      // of 5 s, so that MaxRSS is sampled while the memory is held.
      const submit = async (args: string, program: string): Promise<string> =>
        (await execRemoteOk(client, `${common} ${args} --wrap 'srun python3 -c "${program.replace(/"/g, '\\"')}"'`)).trim().split(';')[0] ?? '';
      const cpu = await submit('--job-name=hpcb-rse-cpu --ntasks=1 --cpus-per-task=2 --mem=256M', BUSY);
      const mem = await submit('--job-name=hpcb-rse-mem --ntasks=1 --mem=400M', HOLD(200));
      const two = await submit('--job-name=hpcb-rse-two --ntasks=2 --mem=400M', HOLD(100));
      // The node has 2 CPUs, so the jobs may run one after the other.
      for (const id of [cpu, mem, two]) await waitForJobEnd(client, id, { timeoutMs: 150_000, intervalMs: 1000 });
      seffText = await execRemoteOk(client, `${REPORTSEFF} --format JobID,State,CPUEff,MemEff ${cpu} ${mem} ${two}`);
      tresText = await execRemoteOk(client, `sacct -P -n -o JobID,NTasks,MaxRSS,TRESUsageInTot -j ${two}`);
      return { cpu, mem, two };
    });
  }, 200_000);

  afterAll(() => {
    if (project !== undefined) rmSync(project.dir, { recursive: true, force: true });
  });

  it('gives reportseff\'s CPUEff and MemEff, apart from the two stated differences of definition', () => {
    const run = runEfficiency(project, [ids.cpu, ids.mem, ids.two]);
    expect(run.status, run.stderr).toBe(0);
    const jobs = (JSON.parse(run.stdout) as { jobs: JobJson[] }).jobs;
    const seff = parseReportseff(seffText);
    expect([...seff.keys()].sort(), seffText).toEqual([ids.cpu, ids.mem, ids.two].sort());

    for (const [what, id] of Object.entries(ids)) {
      const job = jobs.find((j) => j.job_id === id);
      const row = seff.get(id);
      if (job === undefined || row === undefined) throw new Error(`job ${id} (${what}) missing: ${run.stdout}\n${seffText}`);
      const at = `${what} job ${id}`;
      expect(job.state, at).toBe('COMPLETED');
      expect(row.state, at).toBe('COMPLETED');
      const { elapsed_s: elapsed, total_cpu_s: cpu, ncpus, req_mem_bytes: req } = job;
      if (elapsed === null || cpu === null || ncpus === null || req === null || job.cpu_efficiency === null || job.memory_efficiency === null) {
        throw new Error(`${at}: hpcbench left a figure unknown: ${JSON.stringify(job)}`);
      }
      // CPU: reportseff's figure from hpcbench's TotalCPU truncated to whole seconds, as it does.
      const truncated = (Math.floor(cpu) / ncpus / elapsed) * 100;
      if (Math.floor(cpu) === 0) expect(row.cpu, `${at} CPUEff of under 1 s of CPU`).toBeNull();
      else expectPrinted(row.cpu, truncated, `${at} CPUEff`);
      // hpcbench counts whole CPU seconds rounded, as SchedMD's seff does; reportseff truncates them.
      expect(job.cpu_efficiency * 100, `${at} CPU efficiency vs round(TotalCPU)/(Elapsed×NCPUS)`).toBeCloseTo((Math.round(cpu) / (elapsed * ncpus)) * 100, 9);
      expect(Math.abs(job.cpu_efficiency * 100 - (row.cpu ?? 0)), `${at}: at most one second apart`).toBeLessThan(100 / (ncpus * elapsed) + 0.05);
      // Memory: MemEff is MaxRSS × NTasks / ReqMem; the same as hpcbench's for one-task steps.
      const tasks = what === 'two' ? 2 : 1;
      expect(job.max_rss_bytes, at).not.toBeNull();
      expectPrinted(row.mem, (((job.max_rss_bytes ?? NaN) * tasks) / req) * 100, `${at} MemEff = MaxRSS × NTasks / ReqMem`);
      if (tasks === 1) expectPrinted(row.mem, job.memory_efficiency * 100, `${at} MemEff vs hpcbench`);
    }

    // The known use: 5 s of CPU on one of two CPUs (so never more than half) and 200 MiB of 400.
    const cpuJob = jobs.find((j) => j.job_id === ids.cpu);
    expect(cpuJob?.total_cpu_s).toBeGreaterThanOrEqual(5);
    expect(cpuJob?.total_cpu_s).toBeLessThan(6);
    expect(cpuJob?.cpu_efficiency).toBeGreaterThan(0);
    expect(cpuJob?.cpu_efficiency).toBeLessThanOrEqual(0.5 + 0.02);
    const memJob = jobs.find((j) => j.job_id === ids.mem);
    expect(memJob?.memory_efficiency).toBeGreaterThan(0.5);
    expect(memJob?.memory_efficiency).toBeLessThan(0.6);

    // Two tasks: hpcbench's memory used is sacct's TRESUsageInTot mem of the step (seff's), more
    // than one task's MaxRSS, and at most MaxRSS × 2 (reportseff's upper bound).
    const two = jobs.find((j) => j.job_id === ids.two);
    const step = tresText.trim().split('\n').map((l) => l.split('|')).find((r) => r[0] === `${ids.two}.0`);
    const tot = /(?:^|,)mem=([\d.]+)([KMG]?)(?:,|$)/.exec(step?.[3] ?? '');
    expect(step?.[1], tresText).toBe('2');
    expect(tot, tresText).not.toBeNull();
    expect(two?.memory_used_bytes).toBe(Number(tot?.[1]) * 1024 ** ' KMG'.indexOf(tot?.[2] || ' '));
    expect(two?.memory_used_bytes).toBeGreaterThan((two?.max_rss_bytes ?? Infinity) * 1.5);
    expect(two?.memory_used_bytes).toBeLessThanOrEqual((two?.max_rss_bytes ?? 0) * 2);
    expect(two?.memory_efficiency).toBeCloseTo((two?.memory_used_bytes ?? NaN) / (two?.req_mem_bytes ?? NaN), 12);
  }, 35_000);
});
