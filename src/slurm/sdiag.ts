/**
 * sdiag: slurmctld's RPC counters, read by the benchmark to show that one poll cycle costs a
 * constant number of controller RPCs whatever the job count.
 */
import { InputError } from '../errors.js';

interface RpcCount {
  name: string;
  /** Message type number (for by-type rows) or uid (for by-user rows). */
  id: number;
  count: number;
  averageMicros: number;
  totalMicros: number;
}

interface SdiagStats {
  /** `sdiag output at ...` timestamp, seconds since the epoch, when printed. */
  sampledAt?: number;
  /** Counters reset at this time (`Data since`); compare two samples only if it is unchanged. */
  dataSince?: number;
  serverThreadCount?: number;
  jobsSubmitted?: number;
  rpcsByType: RpcCount[];
  rpcsByUser: RpcCount[];
  /** Sum of `count` over rpcsByType. */
  totalRpcs: number;
}

const ROW = /^\s*(\S+)\s*\(\s*(\d+)\s*\)\s+count:(\d+)\s+ave_time:(\d+)\s+total_time:(\d+)/;

/**
 * @internal read by bench/submit-poll.bench.mjs from dist/slurm/sdiag.js, not part of the API
 */
export function parseSdiag(stdout: string): SdiagStats {
  const stats: SdiagStats = { rpcsByType: [], rpcsByUser: [], totalRpcs: 0 };
  let section: 'type' | 'user' | 'other' = 'other';
  let sawTypeSection = false;
  const epoch = (line: string): number | undefined => {
    const m = /\((\d+)\)\s*$/.exec(line);
    return m?.[1] === undefined ? undefined : Number(m[1]);
  };
  for (const line of stdout.split('\n')) {
    const trimmed = line.trim();
    if (trimmed.startsWith('sdiag output at')) {
      const at = epoch(trimmed);
      if (at !== undefined) stats.sampledAt = at;
    } else if (trimmed.startsWith('Data since')) {
      const at = epoch(trimmed);
      if (at !== undefined) stats.dataSince = at;
    } else if (trimmed.startsWith('Server thread count:')) {
      stats.serverThreadCount = Number(trimmed.split(':')[1]);
    } else if (trimmed.startsWith('Jobs submitted:') && stats.jobsSubmitted === undefined) {
      stats.jobsSubmitted = Number(trimmed.split(':')[1]);
    }
    if (/^Remote Procedure Call statistics by message type/.test(trimmed)) {
      section = 'type';
      sawTypeSection = true;
      continue;
    }
    if (/^Remote Procedure Call statistics by user/.test(trimmed)) {
      section = 'user';
      continue;
    }
    if (trimmed === '' || /^Pending RPC statistics/.test(trimmed)) {
      if (trimmed !== '') section = 'other';
      continue;
    }
    if (section === 'other') continue;
    const m = ROW.exec(line);
    if (!m?.[1] || !m[2] || !m[3] || !m[4] || !m[5]) continue;
    const row: RpcCount = {
      name: m[1],
      id: Number(m[2]),
      count: Number(m[3]),
      averageMicros: Number(m[4]),
      totalMicros: Number(m[5]),
    };
    if (section === 'type') stats.rpcsByType.push(row);
    else stats.rpcsByUser.push(row);
  }
  if (!sawTypeSection) {
    throw new InputError('no "Remote Procedure Call statistics by message type" section', {
      file: 'sdiag output',
      hint: 'sdiag needs a reachable slurmctld; run `sdiag` by hand on the login node.',
    });
  }
  stats.totalRpcs = stats.rpcsByType.reduce((sum, r) => sum + r.count, 0);
  return stats;
}

interface RpcDelta {
  totalRpcs: number;
  byType: Record<string, number>;
  byUser: Record<string, number>;
}

/**
 * RPCs made between two samples; undefined when the counters were reset in between.
 * @internal read by bench/submit-poll.bench.mjs from dist/slurm/sdiag.js, not part of the API
 */
export function diffSdiag(before: SdiagStats, after: SdiagStats): RpcDelta | undefined {
  if (before.dataSince !== undefined && after.dataSince !== undefined && before.dataSince !== after.dataSince) {
    return undefined;
  }
  const delta = (a: readonly RpcCount[], b: readonly RpcCount[]): Record<string, number> => {
    const out: Record<string, number> = {};
    const prior = new Map(a.map((r) => [r.name, r.count]));
    for (const r of b) {
      const d = r.count - (prior.get(r.name) ?? 0);
      if (d !== 0) out[r.name] = d;
    }
    return out;
  };
  const byType = delta(before.rpcsByType, after.rpcsByType);
  return {
    totalRpcs: Object.values(byType).reduce((s, v) => s + v, 0),
    byType,
    byUser: delta(before.rpcsByUser, after.rpcsByUser),
  };
}
