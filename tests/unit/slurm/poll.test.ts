import { ControllerUnreachableError } from '../../../src/errors.js';
import { describe, expect, it } from 'vitest';
import { createPollSchedule } from '../../../src/slurm/poll-schedule.js';
import { watchJobs, type PollEvent, type PolledJob } from '../../../src/slurm/poll.js';
import { parseJobState } from '../../../src/slurm/job-state.js';

describe('createPollSchedule', () => {
  it('starts short, backs off by the factor and stops at the ceiling (no jitter)', () => {
    const s = createPollSchedule({ floorMs: 5000, ceilingMs: 20_000, factor: 2, jitter: 0 });
    expect([s.next(), s.next(), s.next(), s.next(), s.next()]).toEqual([5000, 10_000, 20_000, 20_000, 20_000]);
    s.reset();
    expect(s.next()).toBe(5000);
  });

  it('never goes below the floor, whatever the caller asks', () => {
    const s = createPollSchedule({ floorMs: 10, initialMs: 0, jitter: 1, random: () => 0 });
    // 1000 ms is the smallest floor the schedule accepts.
    expect(s.floorMs).toBe(1000);
    for (let i = 0; i < 20; i++) expect(s.next()).toBeGreaterThanOrEqual(1000);
  });

  it('spreads delays with jitter inside ±jitter of the base and within bounds', () => {
    const low = createPollSchedule({ initialMs: 10_000, jitter: 0.2, random: () => 0 });
    const high = createPollSchedule({ initialMs: 10_000, jitter: 0.2, random: () => 0.999_999 });
    expect(low.next()).toBe(8000);
    expect(high.next()).toBe(12_000);
    const capped = createPollSchedule({ initialMs: 60_000, ceilingMs: 60_000, jitter: 0.5, random: () => 0.999 });
    expect(capped.next()).toBe(60_000);
  });
});

type Job = PolledJob & { elapsed: number };

function job(id: string, state: string, elapsed = 0): Job {
  return { id, state: parseJobState(state), elapsed };
}

function scripted(cycles: (Job[] | Error)[]): () => Promise<Job[]> {
  let i = 0;
  return async () => {
    const next = cycles[Math.min(i, cycles.length - 1)];
    i++;
    if (next instanceof Error) throw next;
    return next ?? [];
  };
}

// Every event of a watch, in order, as watchJobs hands them to its callback.
async function collect(options: Parameters<typeof watchJobs<Job>>[0]): Promise<PollEvent<Job>[]> {
  const events: PollEvent<Job>[] = [];
  await watchJobs(options, (e) => {
    events.push(e);
  });
  return events;
}

describe('watchJobs', () => {
  it('makes one fetch per cycle, reports changes, and stops when all are terminal', async () => {
    let fetches = 0;
    const cycles = [
      [job('1', 'PD'), job('2', 'PD')],
      [job('1', 'R', 5), job('2', 'PD')],
      [job('1', 'R', 10), job('2', 'PD')],
      [job('1', 'CD', 15), job('2', 'F')],
    ];
    const fetch = scripted(cycles);
    const sleeps: number[] = [];
    const events = await collect({
      fetchStates: () => {
        fetches++;
        return fetch();
      },
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      schedule: { floorMs: 5000, factor: 2, jitter: 0 },
    });
    expect(fetches).toBe(4);
    const updates = events.filter((e) => e.kind === 'update');
    expect(updates.map((e) => e.kind === 'update' && e.changes.map((c) => `${c.id}:${c.from?.name ?? '-'}>${c.to.name}`))).toEqual([
      ['1:->PENDING', '2:->PENDING'],
      ['1:PENDING>RUNNING'],
      [],
      ['1:RUNNING>COMPLETED', '2:PENDING>FAILED'],
    ]);
    expect(events.at(-1)?.kind).toBe('done');
    // The interval resets to the floor after each change and grows while nothing moves.
    expect(sleeps).toEqual([5000, 5000, 10_000]);
  });

  it('reports an unreachable controller as retrying, never as a job failure, then carries on', async () => {
    const down = new ControllerUnreachableError('slurm_load_jobs error: Unable to contact slurm controller (connect failure)');
    const fetch = scripted([[job('1', 'R')], down, down, [job('1', 'R')], [job('1', 'CD')]]);
    const events = await collect({ fetchStates: fetch, sleep: async () => {}, schedule: { jitter: 0 } });
    const retrying = events.filter((e) => e.kind === 'retrying');
    expect(retrying).toHaveLength(2);
    expect(retrying[0]?.kind === 'retrying' && retrying[0].message).toMatch(/^controller unreachable, retrying/);
    expect(retrying.map((e) => e.kind === 'retrying' && e.attempt)).toEqual([1, 2]);
    const changes = events.flatMap((e) => (e.kind === 'update' ? e.changes.map((c) => c.to.name) : []));
    expect(changes).toEqual(['RUNNING', 'COMPLETED']);
    expect(events.at(-1)).toMatchObject({ kind: 'done' });
  });

  it('backs off while the controller stays down', async () => {
    const down = new ControllerUnreachableError('Socket timed out on send/recv operation');
    const fetch = scripted([down, down, down, [job('1', 'CD')]]);
    const events = await collect({ fetchStates: fetch, sleep: async () => {}, schedule: { factor: 2, jitter: 0 } });
    expect(events.flatMap((e) => (e.kind === 'retrying' ? [e.retryInMs] : []))).toEqual([5000, 10_000, 20_000]);
  });

  it('rethrows errors that are not retryable, and gives up after maxConsecutiveFailures', async () => {
    await expect(collect({ fetchStates: scripted([new Error('parse error')]), sleep: async () => {} })).rejects.toThrow(
      'parse error',
    );
    const down = new ControllerUnreachableError('down');
    await expect(
      collect({ fetchStates: scripted([down]), sleep: async () => {}, maxConsecutiveFailures: 3 }),
    ).rejects.toBeInstanceOf(ControllerUnreachableError);
  });

  it('stops watching (not the jobs) when aborted during a sleep', async () => {
    const controller = new AbortController();
    const events = await collect({
      fetchStates: scripted([[job('1', 'R')]]),
      signal: controller.signal,
      sleep: async () => {
        controller.abort();
      },
    });
    expect(events.map((e) => e.kind)).toEqual(['update', 'aborted']);
    expect(events.at(-1)).toMatchObject({ kind: 'aborted', jobs: [{ id: '1' }] });
  });

  it('resumes from known states and reports only news', async () => {
    const events = await collect({
      fetchStates: scripted([[job('1', 'R')], [job('1', 'CD')]]),
      sleep: async () => {},
      knownStates: new Map([['1', parseJobState('RUNNING')]]),
    });
    const changes = events.flatMap((e) => (e.kind === 'update' ? e.changes : []));
    expect(changes.map((c) => `${c.from?.name}>${c.to.name}`)).toEqual(['RUNNING>COMPLETED']);
  });

  it('watchJobs calls back for each event and resolves with the outcome', async () => {
    const kinds: string[] = [];
    const result = await watchJobs({ fetchStates: scripted([[job('1', 'TO')]]), sleep: async () => {} }, (e) => {
      kinds.push(e.kind);
    });
    expect(kinds).toEqual(['update', 'done']);
    expect(result.outcome).toBe('done');
    expect(result.jobs?.[0]?.state.name).toBe('TIMEOUT');
  });

  it('its default sleep ends early and quietly on abort', async () => {
    const controller = new AbortController();
    // A minute between polls: only an abort that ends the sleep lets this watch finish in time.
    const result = await watchJobs(
      { fetchStates: async () => [job('1', 'R')], signal: controller.signal, schedule: { floorMs: 60_000, jitter: 0 } },
      (e) => {
        if (e.kind === 'update') setImmediate(() => controller.abort());
      },
    );
    expect(result).toMatchObject({ outcome: 'aborted', jobs: [{ id: '1' }] });
  });
});

describe('watchJobs with jobs found nowhere', () => {
  it('keeps waiting for UNKNOWN jobs by default, and gives up after giveUpOnUnknownAfter cycles when asked', async () => {
    const lost = { id: '9', state: parseJobState(''), elapsed: 0 };
    const fetch = scripted([[job('1', 'CD'), lost]]);
    const events = await collect({ fetchStates: fetch, sleep: async () => {}, giveUpOnUnknownAfter: 3 });
    expect(events.filter((e) => e.kind === 'update')).toHaveLength(3);
    expect(events.at(-1)).toMatchObject({ kind: 'done', unresolved: ['9'] });
    let cycles = 0;
    const controller = new AbortController();
    const forever = await collect({
      fetchStates: async () => [lost],
      sleep: async () => {
        if (++cycles === 10) controller.abort();
      },
      signal: controller.signal,
    });
    expect(forever.at(-1)?.kind).toBe('aborted');
    expect(cycles).toBe(10);
  });
});
