// sdiag: slurmctld's RPC counters, read by bench/submit-poll.bench.mjs to show that one poll
// cycle costs a constant number of controller RPCs whatever the job count. It lives here, not in
// src/: hpcbench itself never reads sdiag (it needs the controller's machine), only this benchmark does.
// Types: sdiag.d.mts (the unit tests in tests/unit/bench/ are TypeScript).

const ROW = /^\s*(\S+)\s*\(\s*(\d+)\s*\)\s+count:(\d+)\s+ave_time:(\d+)\s+total_time:(\d+)/;

/** The epoch seconds sdiag prints in parentheses at the end of a timestamp line. */
function readEpoch(line) {
  const m = /\((\d+)\)\s*$/.exec(line);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

/** The counters of one `sdiag` run; throws when the output has no RPC statistics (no controller). */
export function parseSdiag(stdout) {
  const stats = { rpcsByType: [], rpcsByUser: [], totalRpcs: 0 };
  let section = 'other';
  let sawTypeSection = false;
  for (const line of stdout.split('\n')) {
    const trimmed = line.trim();
    if (trimmed.startsWith('sdiag output at')) {
      const at = readEpoch(trimmed);
      if (at !== undefined) stats.sampledAt = at;
    } else if (trimmed.startsWith('Data since')) {
      const at = readEpoch(trimmed);
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
    const row = { name: m[1], id: Number(m[2]), count: Number(m[3]), averageMicros: Number(m[4]), totalMicros: Number(m[5]) };
    if (section === 'type') stats.rpcsByType.push(row);
    else stats.rpcsByUser.push(row);
  }
  if (!sawTypeSection) {
    throw new Error('sdiag output: no "Remote Procedure Call statistics by message type" section (sdiag needs a reachable slurmctld; run `sdiag` by hand)');
  }
  stats.totalRpcs = stats.rpcsByType.reduce((sum, r) => sum + r.count, 0);
  return stats;
}

/** Per-name count increases from `before` to `after`; names that did not change are left out. */
function diffCounts(before, after) {
  const out = {};
  const prior = new Map(before.map((r) => [r.name, r.count]));
  for (const r of after) {
    const d = r.count - (prior.get(r.name) ?? 0);
    if (d !== 0) out[r.name] = d;
  }
  return out;
}

/** RPCs made between two samples; undefined when the counters were reset in between. */
export function diffSdiag(before, after) {
  if (before.dataSince !== undefined && after.dataSince !== undefined && before.dataSince !== after.dataSince) {
    return undefined;
  }
  const byType = diffCounts(before.rpcsByType, after.rpcsByType);
  return {
    totalRpcs: Object.values(byType).reduce((s, v) => s + v, 0),
    byType,
    byUser: diffCounts(before.rpcsByUser, after.rpcsByUser),
  };
}
