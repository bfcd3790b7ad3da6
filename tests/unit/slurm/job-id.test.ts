import { describe, expect, it } from 'vitest';
import { expandArrayRange, parseJobId, tryParseJobId } from '../../../src/slurm/job-id.js';
import { expandHostList } from '../../../src/slurm/hostlist.js';
import { InputError } from '../../../src/errors.js';

describe('job ids', () => {
  it('reads plain jobs and steps', () => {
    expect(parseJobId('123')).toEqual({ jobId: '123', baseId: '123' });
    expect(parseJobId('123.batch')).toEqual({ jobId: '123', baseId: '123', step: 'batch' });
    expect(parseJobId('123.0').step).toBe('0');
    expect(parseJobId('123.extern').step).toBe('extern');
  });
  it('reads array tasks and pending ranges', () => {
    expect(parseJobId('123_4')).toEqual({ jobId: '123_4', baseId: '123', arrayJobId: '123', arrayTaskId: '4' });
    expect(parseJobId('123_4.batch')).toMatchObject({ jobId: '123_4', step: 'batch', arrayTaskId: '4' });
    expect(parseJobId('123_[5-9]')).toEqual({
      jobId: '123_[5-9]',
      baseId: '123',
      arrayJobId: '123',
      arrayTaskId: '5-9',
      arrayPendingRange: true,
    });
    expect(parseJobId('123_[1,3-5%2]').arrayTaskId).toBe('1,3-5%2');
  });
  it('reads heterogeneous job components', () => {
    expect(parseJobId('123+0')).toEqual({ jobId: '123+0', baseId: '123', hetJobId: '123', hetJobOffset: '0' });
    expect(parseJobId('123+1.batch')).toMatchObject({ jobId: '123+1', step: 'batch' });
  });
  it('rejects non-ids with an InputError that names the source', () => {
    expect(tryParseJobId('abc')).toBeUndefined();
    expect(() => parseJobId('JobID', { file: 'sacct output', line: 1 })).toThrow(InputError);
    expect(() => parseJobId('JobID', { file: 'sacct output', line: 1 })).toThrow(/sacct output:1: job id "JobID"/);
  });
  it('expands array ranges', () => {
    expect(expandArrayRange('5-9')).toEqual([5, 6, 7, 8, 9]);
    expect(expandArrayRange('[1,3-5%2]')).toEqual([1, 3, 4, 5]);
    expect(expandArrayRange('0-9:3')).toEqual([0, 3, 6, 9]);
    expect(expandArrayRange('x')).toBeUndefined();
    expect(expandArrayRange('5-1')).toBeUndefined();
  });
});

describe('expandHostList', () => {
  it('expands ranges and keeps zero padding', () => {
    expect(expandHostList('node[01-03,07],gpu5')).toEqual(['node01', 'node02', 'node03', 'node07', 'gpu5']);
    expect(expandHostList('sdumont[1002-1003]')).toEqual(['sdumont1002', 'sdumont1003']);
    expect(expandHostList('r[1-2]n[1-2]')).toEqual(['r1n1', 'r1n2', 'r2n1', 'r2n2']);
    expect(expandHostList('None assigned')).toEqual([]);
  });
  it('rejects broken lists clearly', () => {
    expect(() => expandHostList('node[01-')).toThrow(/unclosed/);
    expect(() => expandHostList('node[a-b]')).toThrow(/not N or N-M/);
  });
});
