// The efficiency formula against seff's own printed numbers (tests/fixtures/real/seff/): from the
// raw figures each seff report prints, computeEfficiencies must give the percentages it printed,
// and `hpcbench efficiency`'s report must print seff's lines the same way.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { computeEfficiencies, readSacctSeconds } from '../../../../src/profile/accounting/sacct.js';
import { chargeJob } from '../../../../src/profile/accounting/efficiency.js';
import { formatEfficiencyReport } from '../../../../src/profile/accounting/efficiency-format.js';
import { looksLikeSacctOutput, readSacctFigures } from '../../../../src/profile/accounting/sacct-read.js';

const DIR = join(__dirname, '../../../fixtures/real/seff');
const POW: Record<string, number> = { KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };

function readSeff(name: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(join(DIR, name), 'utf8').split('\n')) {
    const at = line.indexOf(': ');
    if (at > 0) out[line.slice(0, at)] = line.slice(at + 2).trim();
  }
  return out;
}

function bytes(text: string): number {
  const [value, unit] = text.split(' ');
  return Number(value) * (POW[unit ?? ''] ?? NaN);
}

describe.each([
  ['cluster1-seff-52-cores.txt', '88.81%', '42.27%', '355.47 GB'],
  ['greatlakes-seff-2-nodes.txt', '47.87%', '0.42%', '2.00 GB'],
])('seff report %s', (name, cpuPct, memPct, memPerNode) => {
  const seff = readSeff(name);
  const nodes = Number(seff.Nodes);
  const cores = Number(seff['Cores per node']) * nodes;
  const elapsed = readSacctSeconds(seff['Job Wall-clock time']);
  const cpu = readSacctSeconds(seff['CPU Utilized']);
  const [memReq] = /of (.*)$/.exec(seff['Memory Efficiency'] ?? '')?.slice(1) ?? [];

  it('gives the CPU and memory efficiency seff printed, from its own raw figures', () => {
    const eff = computeEfficiencies({ totalCpuSeconds: cpu, elapsedSeconds: elapsed, ncpus: cores, maxRssBytes: bytes(seff['Memory Utilized'] ?? ''), reqMemBytes: bytes(memReq ?? '') });
    expect(`${((eff.cpuEfficiency ?? NaN) * 100).toFixed(2)}%`).toBe(cpuPct);
    expect(`${((eff.memoryEfficiency ?? NaN) * 100).toFixed(2)}%`).toBe(memPct);
  });

  it('prints the core-walltime and memory as seff does', () => {
    const jobs = readSacctFigures(readFileSync(join(DIR, name), 'utf8'), { file: name });
    const lines = formatEfficiencyReport({ jobs: jobs.map((job) => chargeJob(job, undefined)), notFound: [] }).split('\n');
    expect(seff['CPU Efficiency']).toMatch(new RegExp(`^${cpuPct} of `));
    for (const key of ['Job ID', 'Nodes', 'Cores per node', 'CPU Utilized', 'CPU Efficiency', 'Job Wall-clock time', 'Memory Utilized']) {
      expect(lines, key).toContain(`${key}: ${seff[key] ?? '(missing)'}`);
    }
    // Newer seff versions add the share per node; the figure before it is seff's.
    expect(lines.find((l) => l.startsWith('Memory Efficiency: '))).toBe(`Memory Efficiency: ${seff['Memory Efficiency'] ?? ''} (${memPerNode}/node)`);
  });
});

const refs = JSON.parse(readFileSync(join(DIR, '../references.json'), 'utf8')) as { files: Record<string, Record<string, number | string>> };

describe.each(['cluster1-seff-52-cores.txt', 'greatlakes-seff-2-nodes.txt'])('seff report %s read as accounting', (name) => {
  it('gives the figures references.json recomputed from it', () => {
    const ref = refs.files[`seff/${name}`] ?? {};
    const jobs = readSacctFigures(readFileSync(join(DIR, name), 'utf8'), { file: name });
    expect(jobs).toHaveLength(1);
    const [job] = jobs;
    expect(job?.jobId).toBe(ref.job_id);
    expect(job?.state).toBe('COMPLETED');
    expect(job?.nodes).toBe(ref.nodes);
    expect(job?.ncpus).toBe(Number(ref.cores_per_node) * Number(ref.nodes));
    expect(job?.elapsedSeconds).toBe(ref.wall_s);
    expect(job?.totalCpuSeconds).toBe(ref.cpu_utilized_s);
    expect(job?.maxRssBytes).toBeCloseTo(Number(ref.memory_utilized_bytes), 3);
    expect(job?.reqMemBytes).toBeCloseTo(Number(ref.memory_requested_bytes), 3);
    expect(job?.cpuEfficiency).toBeCloseTo(Number(ref.cpu_efficiency_recomputed), 12);
    expect(job?.memoryEfficiency).toBeCloseTo(Number(ref.memory_efficiency_recomputed), 12);
    expect(looksLikeSacctOutput(readFileSync(join(DIR, name), 'utf8'))).toBe(true);
  });
});
