import { describe, expect, it } from 'vitest';
import { ControllerUnreachableError } from '../../../src/errors.js';
import { queryJobs, type JobQueryOptions } from '../../../src/runs/query.js';
import type { ExecResult, Transport } from '../../../src/transport/transport.js';
import { asFollowFields, fixture } from '../slurm/fixtures.js';
import { createExecOnlyTransport } from './helpers.js';

/** Answers squeue and sacct with recorded outputs and logs when each call starts and ends. */
function answering(answers: Record<string, ExecResult>): { transport: Transport; events: string[] } {
  const events: string[] = [];
  const transport = createExecOnlyTransport(async (argv) => {
    const program = argv[0] ?? '';
    events.push(`start ${program}`);
    // Two turns of the event loop, as a reply over a connection would take at least.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    events.push(`end ${program}`);
    const answer = answers[program];
    if (!answer) throw new Error(`unexpected command ${argv.join(' ')}`);
    return answer;
  });
  return { transport, events };
}

const ok = (stdout: string): ExecResult => ({ stdout, stderr: '', code: 0 });
const realSqueue = fixture('squeue-real-22.05.txt');
const realSacct = fixture('sacct-real-22.05.txt');
/** What queryJobs' sacct call prints for the same jobs (it asks for no TRES column). */
const realSacctFollow = asFollowFields(realSacct);
const describeViews = (views: Awaited<ReturnType<typeof queryJobs>>['views']): string[] => views.map((v) => JSON.stringify(v));

async function queryBothWays(answers: Record<string, ExecResult>, ids: string[], options: JobQueryOptions = {}) {
  const sequential = answering(answers);
  const alongside = answering(answers);
  const counters = { squeue: 0, sacct: 0 };
  return {
    sequential: await queryJobs(sequential.transport, ids, options),
    alongside: await queryJobs(alongside.transport, ids, { ...options, accountingAlongside: true, counters }),
    events: alongside.events,
    counters,
  };
}

describe('queryJobs with accounting alongside squeue (hpcbench status)', () => {
  it('asks sacct before squeue has answered, and gives the views of the sequential path', async () => {
    // Job 2 has aged out of squeue, 14 is finished, 13 is running, 404 is unknown to both.
    const { sequential, alongside, events, counters } = await queryBothWays({ squeue: ok(realSqueue), sacct: ok(realSacctFollow) }, ['13', '2', '14', '404']);
    expect(events.indexOf('start sacct')).toBeLessThan(events.indexOf('end squeue'));
    expect(counters).toEqual({ squeue: 1, sacct: 1 });
    expect(alongside.accounting).toBe('ok');
    expect(describeViews(alongside.views)).toEqual(describeViews(sequential.views));
    expect(alongside.views.map((v) => `${v.id}:${v.state.name}:${v.source}`)).toEqual(['13:RUNNING:squeue', '2:FAILED:sacct', '14:OUT_OF_MEMORY:squeue', '404:UNKNOWN:none']);
  });

  it('uses no sacct record when every job is live (the answer it did not need is dropped)', async () => {
    const live = realSqueue
      .split('\n')
      .filter((l) => /RUNNING|PENDING/.test(l))
      .join('\n');
    const { sequential, alongside } = await queryBothWays({ squeue: ok(live), sacct: ok(realSacctFollow) }, ['13', '18', '19']);
    expect(alongside.accounting).toBe('not-asked');
    expect(describeViews(alongside.views)).toEqual(describeViews(sequential.views));
  });

  it('reports disabled accounting as the sequential path does', async () => {
    const disabled = { stdout: '', stderr: fixture('sacct-disabled.stderr.txt'), code: 1 };
    const { sequential, alongside } = await queryBothWays({ squeue: ok(realSqueue), sacct: disabled }, ['12', '404']);
    expect(alongside).toEqual(sequential);
    expect(alongside.accounting).toBe('unavailable');
  });

  it('lets a failed squeue through, whatever became of the early sacct', async () => {
    const down = { stdout: '', stderr: fixture('squeue-controller-down.stderr.txt'), code: 1 };
    const { transport } = answering({ squeue: down });
    await expect(queryJobs(transport, ['1'], { accountingAlongside: true })).rejects.toBeInstanceOf(ControllerUnreachableError);
  });
});
