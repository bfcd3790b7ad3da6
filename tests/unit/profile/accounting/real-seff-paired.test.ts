// SchedMD's seff (contribs/seff/seff of Slurm 22.05.8, run with Debian's libslurmdb-perl on this
// project's test cluster) on eight real jobs, next to sacct captures of the same jobs. From the
// sacct capture alone, `hpcbench efficiency` must print seff's lines: state, cores, CPU utilized
// (whole seconds, rounded as seff rounds them), CPU efficiency, wall-clock time, memory utilized
// and memory efficiency. One difference is stated, not hidden: for a step of several tasks
// seff 22.05 multiplies one task's peak by the task count ("estimated maximum"), while hpcbench,
// like the current seff, takes the step's TRESUsageInTot (the sum of the tasks' peaks).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSacctFigures } from '../../../../src/profile/accounting/sacct-read.js';
import { chargeJob } from '../../../../src/profile/accounting/efficiency.js';
import { formatEfficiencyReport } from '../../../../src/profile/accounting/efficiency-format.js';

const ROOT = join(__dirname, '../../../fixtures/real');
const STEPS = 'sacct/slurm-22.05-parsable2-steps.txt';
const TWO_TASKS = 'sacct/slurm-22.05-parsable2-tresusageintot-two-task-step.txt';

const PAIRS: [seff: string, sacct: string, job: string][] = [
  ['slurm-22.05.8-seff-188-two-cores.txt', STEPS, '188'],
  ['slurm-22.05.8-seff-189-failed.txt', STEPS, '189'],
  ['slurm-22.05.8-seff-190-memory.txt', STEPS, '190'],
  ['slurm-22.05.8-seff-191_1-array-task.txt', STEPS, '191_1'],
  ['slurm-22.05.8-seff-191_2-array-task.txt', STEPS, '191_2'],
  ['slurm-22.05.8-seff-601-two-cores.txt', TWO_TASKS, '601'],
  ['slurm-22.05.8-seff-602-one-core.txt', TWO_TASKS, '602'],
  ['slurm-22.05.8-seff-603-two-tasks.txt', TWO_TASKS, '603'],
];

/** seff's `Key: value` lines. */
function readSeff(name: string): Map<string, string> {
  const text = readFileSync(join(ROOT, 'seff', name), 'utf8');
  return new Map(text.trim().split('\n').map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]));
}

function efficiencyLines(sacct: string, job: string): Map<string, string> {
  const figures = readSacctFigures(readFileSync(join(ROOT, sacct), 'utf8'), { file: sacct }).find((j) => j.jobId === job);
  if (figures === undefined) throw new Error(`job ${job} is not in ${sacct}`);
  const text = formatEfficiencyReport({ jobs: [chargeJob(figures, undefined)], notFound: [] });
  return new Map(text.split('\n').map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]));
}

describe('seff 22.05.8 and hpcbench efficiency on the same real jobs', () => {
  it.each(PAIRS)('%s: the lines seff printed, from %s', (seffFile, sacct, job) => {
    const seff = readSeff(seffFile);
    const ours = efficiencyLines(sacct, job);
    const several = (seff.get('Memory Utilized') ?? '').endsWith('(estimated maximum)');
    const keys = ['State', 'Cores', 'Nodes', 'Cores per node', 'CPU Utilized', 'CPU Efficiency', 'Job Wall-clock time', ...(several ? [] : ['Memory Utilized'])];
    for (const key of keys) expect(ours.get(key), `${job} ${key}`).toBe(seff.get(key));
    // seff 22.05 adds the share per node only for several tasks; the figures before it are the same.
    const memory = (line: string | undefined): string => (line ?? '').replace(/ \([^)]*\)$/, '');
    if (!several) expect(memory(ours.get('Memory Efficiency')), job).toBe(memory(seff.get('Memory Efficiency')));
  });

  it('job 603 (one step of 2 tasks): seff 22.05 estimates 2 × one task\'s peak, hpcbench sums both peaks', () => {
    const seff = readSeff('slurm-22.05.8-seff-603-two-tasks.txt');
    const ours = efficiencyLines(TWO_TASKS, '603');
    // MaxRSS 110492K × NTasks 2 = 220984K; TRESUsageInTot mem=220952K.
    expect(seff.get('Memory Utilized')).toBe(`${((110492 * 2) / 1024).toFixed(2)} MB (estimated maximum)`);
    expect(ours.get('Memory Utilized')).toBe(`${(220952 / 1024).toFixed(2)} MB`);
    expect(seff.get('Memory Efficiency')).toBe('53.95% of 400.00 MB (400.00 MB/node)');
    expect(ours.get('Memory Efficiency')).toBe('53.94% of 400.00 MB (400.00 MB/node)');
  });
});
