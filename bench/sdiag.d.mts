// Types of bench/sdiag.mjs, for its TypeScript unit tests (tests/unit/bench/sdiag.test.ts).

export interface RpcCount {
  name: string;
  /** Message type number (for by-type rows) or uid (for by-user rows). */
  id: number;
  count: number;
  averageMicros: number;
  totalMicros: number;
}

export interface SdiagStats {
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

export interface RpcDelta {
  totalRpcs: number;
  byType: Record<string, number>;
  byUser: Record<string, number>;
}

export function parseSdiag(stdout: string): SdiagStats;
export function diffSdiag(before: SdiagStats, after: SdiagStats): RpcDelta | undefined;
