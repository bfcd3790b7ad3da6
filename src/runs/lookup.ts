/**
 * Finding a submission whose answer was lost (the connection dropped after sbatch was sent, or
 * slurmctld timed out mid-reply): the job may exist. Every job carries `--comment=hpcbench:<run>`,
 * its job name and `--chdir=<remote run dir>`; squeue shows all three, sacct the name and the
 * directory (it stores comments only with AccountingStoreFlags=job_comment).
 */
import {
  buildSacctArgs,
  buildSqueueArgs,
  readSacctOutput,
  readSqueueOutput,
  type SlurmJobRecord,
} from '../slurm/index.js';
import { RemoteError } from '../errors.js';
import type { Transport } from '../transport/transport.js';
import { formatAccountingStartTime, toSlurmOutput, type QueryCounters } from './query.js';

export interface LostSubmissionQuery {
  tag: string;
  jobName: string;
  remoteDir: string;
  /** Ids already known for this job (earlier attempts): never mistaken for the lost one. */
  knownIds: readonly string[];
  /** When the run was created (run.json `created_at`): sacct is asked only about jobs since then. */
  runCreatedAt?: string;
  counters?: QueryCounters;
  /** The remote account; asked of the remote side (`id -un`) when not given. */
  user?: string;
}

/** The account the commands run as on the cluster, which may differ from the local user name. */
async function remoteUser(transport: Transport): Promise<string> {
  const result = await transport.exec(['id', '-un']);
  const name = result.stdout.trim();
  if (result.code !== 0 || !/^[A-Za-z0-9_][A-Za-z0-9._-]*\$?$/.test(name)) {
    throw new RemoteError(`cannot tell the remote user name: \`id -un\` on ${transport.target} answered ${JSON.stringify(name || result.stderr.trim())} (exit ${result.code})`);
  }
  return name;
}

function baseId(record: SlurmJobRecord): string {
  return record.arrayJobId ?? record.jobIdRaw ?? record.jobId;
}

function sameDir(a: string | undefined, b: string): boolean {
  return a !== undefined && a.replace(/\/+$/, '') === b.replace(/\/+$/, '');
}

/** The id of the lost submission, or undefined when SLURM has no such job. */
export async function findLostSubmission(transport: Transport, query: LostSubmissionQuery): Promise<string | undefined> {
  const pick = (records: readonly SlurmJobRecord[], byComment: boolean): string | undefined => {
    const ids = new Set<string>();
    for (const r of records) {
      if (r.name !== query.jobName) continue;
      const tagged = byComment ? r.comment === query.tag : false;
      if (!tagged && !sameDir(r.workDir, query.remoteDir)) continue;
      const id = baseId(r);
      if (!query.knownIds.includes(id)) ids.add(id);
    }
    // Several unknown matches cannot come from one lost sbatch; take the newest.
    return [...ids].sort((a, b) => Number(b) - Number(a))[0];
  };
  // Only this account's jobs: another user's job with the same name and directory is never ours.
  const user = query.user ?? (await remoteUser(transport));
  if (query.counters) query.counters.squeue += 1;
  const squeue = readSqueueOutput(toSlurmOutput(await transport.exec(buildSqueueArgs({ names: [query.jobName], user }))));
  const found = pick(squeue.records, true);
  if (found !== undefined) return found;
  // Gone from squeue already (finished and aged out): ask accounting.
  if (query.counters) query.counters.sacct += 1;
  const startTime = query.runCreatedAt === undefined ? undefined : formatAccountingStartTime(query.runCreatedAt, new Date());
  const sacctQuery = { names: [query.jobName], user, ...(startTime === undefined ? {} : { startTime }) };
  const sacct = readSacctOutput(toSlurmOutput(await transport.exec(buildSacctArgs(sacctQuery))));
  if (sacct.kind === 'unavailable') return undefined;
  return pick(sacct.jobs, true);
}
