import { describe, expect, it } from 'vitest';
import {
  describeJobState,
  formatJobState,
  isTerminal,
  parseJobState,
  type PlainJobStateName,
} from '../../../src/slurm/job-state.js';
import { explainPendingReason } from '../../../src/slurm/pending-reason.js';

describe('parseJobState', () => {
  it.each([
    ['PENDING', 'PENDING'],
    ['PD', 'PENDING'],
    ['R', 'RUNNING'],
    ['CG', 'COMPLETING'],
    ['CD', 'COMPLETED'],
    ['F', 'FAILED'],
    ['CA', 'CANCELLED'],
    ['TO', 'TIMEOUT'],
    ['OOM', 'OUT_OF_MEMORY'],
    ['NF', 'NODE_FAIL'],
    ['PR', 'PREEMPTED'],
    ['RQ', 'REQUEUED'],
    ['BF', 'BOOT_FAIL'],
    ['DL', 'DEADLINE'],
    ['S', 'SUSPENDED'],
    ['CF', 'CONFIGURING'],
    ['OO', 'OUT_OF_MEMORY'],
    ['SE', 'SPECIAL_EXIT'],
    ['OUT_OF_MEMORY', 'OUT_OF_MEMORY'],
    ['running', 'RUNNING'],
    [' COMPLETED ', 'COMPLETED'],
  ])('reads %j as %s', (text, name) => {
    expect(parseJobState(text).name).toBe(name);
  });

  it('keeps the uid of "CANCELLED by <uid>"', () => {
    expect(parseJobState('CANCELLED by 1000')).toEqual({ name: 'CANCELLED', by: '1000' });
    expect(parseJobState('CANCELLED by 0')).toEqual({ name: 'CANCELLED', by: '0' });
    expect(parseJobState('CANCELLED')).toEqual({ name: 'CANCELLED' });
  });

  it('reads truncated and flagged states by their base', () => {
    expect(parseJobState('CANCELLED+')).toEqual({ name: 'CANCELLED' });
    expect(parseJobState('PENDING+REQUEUE')).toEqual({ name: 'PENDING' });
  });

  it('keeps unknown text instead of throwing', () => {
    expect(parseJobState('WARPING')).toEqual({ name: 'UNKNOWN', raw: 'WARPING' });
    expect(parseJobState('')).toEqual({ name: 'UNKNOWN', raw: '' });
  });

  it('formats back the way sacct prints', () => {
    expect(formatJobState(parseJobState('CANCELLED by 1000'))).toBe('CANCELLED by 1000');
    expect(formatJobState(parseJobState('R'))).toBe('RUNNING');
    expect(formatJobState(parseJobState('??'))).toBe('UNKNOWN (??)');
  });
});

describe('terminal states', () => {
  const terminal: PlainJobStateName[] = ['COMPLETED', 'FAILED', 'TIMEOUT', 'OUT_OF_MEMORY', 'NODE_FAIL', 'BOOT_FAIL', 'DEADLINE', 'PREEMPTED'];
  const live: PlainJobStateName[] = ['PENDING', 'CONFIGURING', 'RUNNING', 'COMPLETING', 'REQUEUED', 'SUSPENDED', 'STOPPED'];

  it.each(terminal)('%s is terminal', (name) => {
    expect(isTerminal({ name })).toBe(true);
  });
  it.each(live)('%s is not terminal', (name) => {
    expect(isTerminal({ name })).toBe(false);
  });
  it('CANCELLED is terminal, UNKNOWN is not', () => {
    expect(isTerminal({ name: 'CANCELLED', by: '1000' })).toBe(true);
    expect(isTerminal({ name: 'UNKNOWN', raw: 'not found' })).toBe(false);
  });
  it('describes states, including the cancelling uid', () => {
    expect(describeJobState({ name: 'CANCELLED', by: '1000' })).toContain('uid 1000');
    expect(describeJobState({ name: 'TIMEOUT' })).toContain('time limit');
    expect(describeJobState({ name: 'UNKNOWN', raw: 'not found' })).toContain('not found');
  });
});

describe('pending reasons', () => {
  it('explains common reasons', () => {
    expect(explainPendingReason('Priority').explanation).toContain('higher priority');
    expect(explainPendingReason('Resources').blocking).toBe(false);
    expect(explainPendingReason('DependencyNeverSatisfied').blocking).toBe(true);
    expect(explainPendingReason('QOSMaxJobsPerUserLimit').explanation).toContain('QOS');
  });
  it('splits details off ReqNodeNotAvail and strips parentheses', () => {
    expect(explainPendingReason('ReqNodeNotAvail, UnavailableNodes:node[03-04]')).toMatchObject({
      code: 'ReqNodeNotAvail',
      detail: 'UnavailableNodes:node[03-04]',
    });
    const resources = explainPendingReason('(Resources)');
    expect(resources.code).toBe('Resources');
    expect(resources).not.toHaveProperty('detail');
  });
  it('gives generic but useful text for unlisted QOS/Assoc limits and unknown codes', () => {
    const qos = explainPendingReason('QOSGrpGRESRunMinutes');
    expect(qos.explanation).toContain('QOSGrpGRESRunMinutes');
    expect(qos.blocking).toBe(true);
    expect(explainPendingReason('AssocGrpNodeLimit').blocking).toBe(false);
    expect(explainPendingReason('SomethingNew').explanation).toContain('SomethingNew');
  });
});

describe('pending reasons seen on the test cluster', () => {
  it('explains array throttling and the long node-availability reason', () => {
    expect(explainPendingReason('JobArrayTaskLimit').explanation).toContain('%N');
    const nodes = explainPendingReason('(Nodes_required_for_job_are_DOWN,_DRAINED_or_reserved_for_jobs_in_higher_priority_partitions)');
    expect(nodes.explanation).toContain('drained');
  });
});
