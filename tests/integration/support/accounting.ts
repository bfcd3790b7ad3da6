// Waiting for slurmdbd to hold a finished job's whole allocation row, before a test takes sacct's
// answer as its reference. slurmctld sends slurmdbd the job's start and end as separate messages,
// and they can arrive out of order: for a moment after a short job ends, sacct may show its
// allocation row with the end state and exit code but with the name "allocation" and no
// partition, ReqTRES, time limit or working directory (seen in CI: two sacct calls a second
// apart gave two different rows). Asked through the project's own Transport, as hpcbench asks.
import type { Transport } from '../../../src/transport/transport.js';
import { TERMINAL_STATES } from './remote.js';

/** The fields of sacct's allocation row that slurmdbd fills in from the job's start record. */
export interface AccountedJob {
  name: string;
  partition: string;
  state: string;
  reqTres: string;
  timeLimit: string;
  workDir: string;
}

const FIELDS = ['JobName', 'Partition', 'State', 'ReqTRES', 'Timelimit', 'WorkDir'] as const;

function readAllocationRow(stdout: string): AccountedJob | undefined {
  const line = stdout.split('\n').find((l) => l.trim() !== '');
  if (line === undefined) return undefined;
  // The unit separator, so that no field value can split the row.
  const [name = '', partition = '', state = '', reqTres = '', timeLimit = '', workDir = ''] = line.split('\x1f');
  return { name, partition, state, reqTres, timeLimit, workDir };
}

function isComplete(row: AccountedJob | undefined, expectedName: string | undefined): row is AccountedJob {
  if (row === undefined || !TERMINAL_STATES.has(row.state.split(' ')[0] ?? '')) return false;
  if (expectedName !== undefined ? row.name !== expectedName : row.name === '' || row.name === 'allocation') return false;
  return row.partition !== '' && row.reqTres !== '' && row.timeLimit !== '' && row.workDir !== '';
}

export interface AccountingWaitOptions {
  /** The job name the row must carry (else any name but slurmdbd's placeholder "allocation"). */
  expectedName?: string;
  timeoutMs?: number;
  intervalMs?: number;
}

/**
 * Polls `sacct -X` until the job's allocation row is terminal and complete, and returns it.
 * Throws, with the last row seen, when slurmdbd has not completed it within the timeout: that is
 * an accounting failure on the cluster, not something the test should compare against.
 */
export async function waitForCompleteAccounting(transport: Transport, jobId: string, options: AccountingWaitOptions = {}): Promise<AccountedJob> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const intervalMs = options.intervalMs ?? 1_000;
  const deadline = Date.now() + timeoutMs;
  const argv = ['sacct', '--noheader', '--parsable2', '--allocations', '--delimiter=\x1f', `--format=${FIELDS.join(',')}`, `--jobs=${jobId}`];
  let last = '(no sacct row yet)';
  for (;;) {
    const result = await transport.exec(argv);
    if (result.code !== 0) throw new Error(`sacct failed (exit ${String(result.code)}) for job ${jobId}: ${result.stderr.trim()}`);
    const row = readAllocationRow(result.stdout);
    if (isComplete(row, options.expectedName)) return row;
    if (row !== undefined) last = JSON.stringify(row);
    if (Date.now() + intervalMs > deadline) {
      throw new Error(
        `slurmdbd did not complete the allocation row of job ${jobId} within ${timeoutMs} ms ` +
          `(expected a terminal State and ${options.expectedName === undefined ? 'a JobName other than "allocation"' : `JobName=${options.expectedName}`}, ` +
          `Partition, ReqTRES, Timelimit and WorkDir); last row: ${last}`,
      );
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
