// squeue output written the way hpcbench asks for it, for tests that play or parse squeue.
// The field order comes from buildSqueueArgs' --format; what each code means is squeue(1)'s,
// written here independently so a code paired with the wrong field fails the tests.
import { buildSqueueArgs, readSqueueOutput, UNIT_SEPARATOR } from '../../../src/slurm/squeue.js';
import type { SlurmJobRecord } from '../../../src/slurm/job-record.js';

const FIELD_OF_CODE: Readonly<Record<string, string>> = {
  '%i': 'jobId',
  '%A': 'jobIdRaw',
  '%F': 'arrayJobId',
  '%K': 'arrayTaskId',
  '%j': 'name',
  '%T': 'state',
  '%r': 'reason',
  '%M': 'elapsed',
  '%l': 'timeLimit',
  '%N': 'nodes',
  '%D': 'nodeCount',
  '%C': 'cpus',
  '%P': 'partition',
  '%u': 'user',
  '%a': 'account',
  '%V': 'submitTime',
  '%S': 'startTime',
  '%Z': 'workDir',
  '%k': 'comment',
};

/** The fields hpcbench asks squeue for, in its --format order. */
export function listSqueueFields(): string[] {
  const format = buildSqueueArgs().find((arg) => arg.startsWith('--format='));
  if (format === undefined) throw new Error('buildSqueueArgs gave no --format');
  return format
    .slice('--format='.length)
    .split(UNIT_SEPARATOR)
    .map((code) => {
      const field = FIELD_OF_CODE[code];
      if (field === undefined) throw new Error(`squeue format code ${code} is not known to the tests`);
      return field;
    });
}

/** One squeue row in hpcbench's format; fields not given are empty. */
export function formatSqueueRow(values: Readonly<Record<string, string>>): string {
  return listSqueueFields()
    .map((field) => values[field] ?? '')
    .join(UNIT_SEPARATOR);
}

/** The records of a successful squeue call that printed `stdout`. */
export function readSqueueRecords(stdout: string): SlurmJobRecord[] {
  return readSqueueOutput({ stdout, stderr: '', exitCode: 0 }).records;
}
