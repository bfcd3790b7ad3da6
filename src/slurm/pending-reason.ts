/**
 * Pending reasons are kept as SLURM's text (there are over a hundred and new releases add
 * more); this map explains the ones users meet and says which ones will never resolve alone.
 */

export interface PendingReasonInfo {
  /** The reason code without details, e.g. `ReqNodeNotAvail`. */
  code: string;
  /** Details SLURM appended, e.g. `UnavailableNodes:node[1-2]`. */
  detail?: string;
  explanation: string;
  /** The job cannot start until someone changes it or the cluster (cancel or fix it). */
  blocking: boolean;
}

const EXPLANATIONS: Readonly<Record<string, { text: string; blocking?: boolean }>> = {
  None: { text: 'no reason recorded yet; the scheduler has not looked at the job' },
  Priority: { text: 'jobs with higher priority are ahead of it in the queue' },
  Resources: { text: 'it is next in line, waiting for nodes, CPUs, memory or GPUs to free up' },
  Dependency: { text: 'waiting for the jobs it depends on to finish' },
  DependencyNeverSatisfied: {
    text: 'a job it depends on ended in a way that can never satisfy the dependency; cancel it',
    blocking: true,
  },
  BeginTime: { text: 'its --begin time has not arrived yet' },
  JobHeldUser: { text: 'held by its owner; release it with `scontrol release <id>`', blocking: true },
  JobHeldAdmin: { text: 'held by an administrator; ask them to release it', blocking: true },
  ReqNodeNotAvail: { text: 'a node it requires is down, drained or reserved' },
  Reservation: { text: 'waiting for its advanced reservation to start' },
  PartitionDown: { text: 'its partition is down', blocking: true },
  PartitionInactive: { text: 'its partition is inactive', blocking: true },
  PartitionNodeLimit: {
    text: 'it asks for more nodes than the partition allows',
    blocking: true,
  },
  PartitionTimeLimit: {
    text: 'its time limit is longer than the partition allows; lower --time or pick another partition',
    blocking: true,
  },
  PartitionConfig: { text: 'it asks for something the partition is not configured for', blocking: true },
  NodeDown: { text: 'a node it needs is down' },
  BadConstraints: { text: 'its constraints cannot be satisfied by any node', blocking: true },
  InvalidAccount: { text: 'its account is invalid; resubmit with a valid --account', blocking: true },
  InvalidQOS: { text: 'its QOS is invalid; resubmit with a valid --qos', blocking: true },
  Licenses: { text: 'waiting for a license' },
  Cleaning: { text: 'a previous run of it is still being cleaned up' },
  Prolog: { text: 'the prolog is running on its nodes' },
  launch_failed_requeued_held: {
    text: 'launching it failed, so SLURM requeued and held it; release it or cancel it',
    blocking: true,
  },
  QOSMaxJobsPerUserLimit: { text: 'you already run as many jobs as your QOS allows' },
  QOSMaxSubmitJobPerUserLimit: { text: 'you already have as many jobs queued as your QOS allows' },
  QOSMaxWallDurationPerJobLimit: {
    text: 'its time limit is longer than your QOS allows; lower --time',
    blocking: true,
  },
  QOSMaxGRESPerUser: { text: 'you already use as many GPUs (GRES) as your QOS allows' },
  QOSMaxCpuPerUserLimit: { text: 'you already use as many CPUs as your QOS allows' },
  QOSMaxNodePerUserLimit: { text: 'you already use as many nodes as your QOS allows' },
  AssocMaxJobsLimit: { text: 'your association already runs as many jobs as it may' },
  AssocGrpCpuLimit: { text: 'your group (account) already uses as many CPUs as it may' },
  AssocGrpGRES: { text: 'your group (account) already uses as many GPUs (GRES) as it may' },
  AssocGrpMemLimit: { text: 'your group (account) already uses as much memory as it may' },
  AssocGrpBillingMinutes: {
    text: "your account's allocation of compute time is used up; ask for more hours",
    blocking: true,
  },
  AssocGrpCPUMinutesLimit: {
    text: "your account's allocation of CPU minutes is used up; ask for more hours",
    blocking: true,
  },
  MaxRunningJobsPerUser: { text: 'you already run as many jobs as you may' },
  JobArrayTaskLimit: { text: "the array's %N limit allows no more of its tasks to run at once" },
  Nodes_required_for_job_are_DOWN_DRAINED_or_reserved_for_jobs_in_higher_priority_partitions: {
    text: 'the nodes it needs are down, drained, or reserved for jobs in higher-priority partitions',
  },
};

/**
 * Splits `ReqNodeNotAvail, UnavailableNodes:node1` and `(Resources)` into code and detail.
 */
function splitPendingReason(text: string): { code: string; detail?: string } {
  const trimmed = text.trim().replace(/^\((.*)\)$/, '$1');
  const match = /^([^,]+?)\s*,\s*(.+)$/.exec(trimmed);
  if (match?.[1] !== undefined && match[2] !== undefined) return { code: match[1].trim(), detail: match[2].trim() };
  return { code: trimmed };
}

/** Explains a pending reason; unknown codes get a generic but honest explanation. */
export function explainPendingReason(text: string): PendingReasonInfo {
  const { code, detail } = splitPendingReason(text);
  // squeue writes this one with a comma inside ("..._DOWN,_DRAINED_..."); drop it to look it up.
  const known = EXPLANATIONS[code] ?? EXPLANATIONS[text.trim().replace(/^\((.*)\)$/, '$1').replace(/,/g, '')];
  const base = { code, ...(detail === undefined ? {} : { detail }) };
  if (known) {
    return { ...base, explanation: known.text, blocking: known.blocking ?? false };
  }
  if (/^(QOS|Assoc).*(Limit|GRES|Minutes)/.test(code)) {
    const minutes = /Minutes/.test(code);
    return {
      ...base,
      explanation: minutes
        ? `a ${code.startsWith('QOS') ? 'QOS' : 'account'} limit on accumulated compute time is reached (${code})`
        : `a ${code.startsWith('QOS') ? 'QOS' : 'account'} limit is reached (${code}); it starts when your other jobs finish`,
      blocking: minutes,
    };
  }
  return { ...base, explanation: `SLURM reports "${code}"; see squeue(1) JOB REASON CODES`, blocking: false };
}
