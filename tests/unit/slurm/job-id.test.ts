import { describe, expect, it } from 'vitest';
import { tryParseJobId } from '../../../src/slurm/job-id.js';
import { expandHostList } from '../../../src/slurm/hostlist.js';

describe('job ids', () => {
  it('reads plain jobs and steps', () => {
    expect(tryParseJobId('123')).toEqual({ jobId: '123', baseId: '123' });
    expect(tryParseJobId('123.batch')).toEqual({ jobId: '123', baseId: '123', step: 'batch' });
    expect(tryParseJobId('123.0')?.step).toBe('0');
    expect(tryParseJobId('123.extern')?.step).toBe('extern');
  });
  it('reads array tasks and pending ranges', () => {
    expect(tryParseJobId('123_4')).toEqual({ jobId: '123_4', baseId: '123', arrayJobId: '123', arrayTaskId: '4' });
    expect(tryParseJobId('123_4.batch')).toMatchObject({ jobId: '123_4', step: 'batch', arrayTaskId: '4' });
    expect(tryParseJobId('123_[5-9]')).toEqual({
      jobId: '123_[5-9]',
      baseId: '123',
      arrayJobId: '123',
      arrayTaskId: '5-9',
      arrayPendingRange: true,
    });
    expect(tryParseJobId('123_[1,3-5%2]')?.arrayTaskId).toBe('1,3-5%2');
  });
  it('reads heterogeneous job components', () => {
    expect(tryParseJobId('123+0')).toEqual({ jobId: '123+0', baseId: '123', hetJobId: '123', hetJobOffset: '0' });
    expect(tryParseJobId('123+1.batch')).toMatchObject({ jobId: '123+1', step: 'batch' });
  });
  it('rejects non-ids', () => {
    expect(tryParseJobId('abc')).toBeUndefined();
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
