import { describe, expect, it } from 'vitest';
// The sdiag reader of bench/submit-poll.bench.mjs (a benchmark helper, not part of hpcbench).
import { diffSdiag, parseSdiag } from '../../../bench/sdiag.mjs';
import { fixture } from '../slurm/fixtures.js';

describe('sdiag', () => {
  const stats = parseSdiag(fixture('sdiag.txt'));

  it('reads RPC counts by type and user, and the totals', () => {
    expect(stats.rpcsByType).toHaveLength(9);
    expect(stats.rpcsByType[0]).toEqual({ name: 'REQUEST_JOB_INFO', id: 2003, count: 212, averageMicros: 311, totalMicros: 65_932 });
    expect(stats.totalRpcs).toBe(212 + 130 + 104 + 101 + 101 + 33 + 3 + 2 + 1);
    expect(stats.rpcsByUser).toEqual([
      { name: 'root', id: 0, count: 332, averageMicros: 205, totalMicros: 68_193 },
      { name: 'alice', id: 1000, count: 355, averageMicros: 920, totalMicros: 326_454 },
    ]);
    expect(stats).toMatchObject({ sampledAt: 1_795_500_600, dataSince: 1_795_478_400, serverThreadCount: 3, jobsSubmitted: 104 });
  });

  it('diffs two samples and refuses across a counter reset', () => {
    const later = parseSdiag(
      fixture('sdiag.txt')
        .replace('count:212 ', 'count:215 ')
        .replace('(    1000) count:355 ', '(    1000) count:358 '),
    );
    expect(diffSdiag(stats, later)).toEqual({ totalRpcs: 3, byType: { REQUEST_JOB_INFO: 3 }, byUser: { alice: 3 } });
    expect(diffSdiag(stats, { ...later, dataSince: 1 })).toBeUndefined();
  });

  it('reads real 22.05 sdiag output (test cluster)', () => {
    const real = parseSdiag(fixture('sdiag-real-22.05.txt'));
    expect(real.rpcsByType).toHaveLength(13);
    expect(real.rpcsByType.find((r) => r.name === 'REQUEST_JOB_INFO')).toMatchObject({ id: 2003, count: 223 });
    expect(real.totalRpcs).toBe(233 + 223 + 29 + 24 + 20 + 20 + 7 + 6 + 2 + 2 + 1 + 1 + 1);
    expect(real.rpcsByUser.map((u) => [u.name, u.id, u.count])).toEqual([
      ['hpcb', 1001, 519],
      ['root', 0, 50],
    ]);
  });

  it('rejects output without the RPC section', () => {
    expect(() => parseSdiag('sdiag: error: slurm_get_statistics: Unable to contact slurm controller\n')).toThrow(/no "Remote Procedure Call statistics by message type" section/);
  });
});
