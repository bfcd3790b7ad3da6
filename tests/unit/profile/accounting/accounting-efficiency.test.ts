// The efficiency formula against seff's own printed numbers (tests/fixtures/real/seff/): from the
// raw figures each seff report prints, computeEfficiencies must give the percentages it printed,
// and the seff formatters must print its durations the same way.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { computeEfficiencies, readSacctSeconds } from '../../../../src/profile/accounting/sacct.js';
import { formatSeffDuration, formatSeffMemory } from '../../../../src/profile/accounting/efficiency-format.js';
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
  ['cluster1-seff-52-cores.txt', '88.81%', '42.27%'],
  ['greatlakes-seff-2-nodes.txt', '47.87%', '0.42%'],
])('seff report %s', (name, cpuPct, memPct) => {
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
    expect(seff['CPU Efficiency']).toBe(`${cpuPct} of ${formatSeffDuration((elapsed ?? NaN) * cores)} core-walltime`);
    expect(formatSeffDuration(cpu ?? NaN)).toBe(seff['CPU Utilized']);
    expect(formatSeffMemory(bytes(memReq ?? ''))).toBe(memReq);
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
