import { SlurmFormatError } from '../../../src/errors.js';
import { describe, expect, it } from 'vitest';
import { buildScancelArgs } from '../../../src/slurm/scancel.js';

describe('buildScancelArgs', () => {
  it('cancels by ids or by name, never by user alone', () => {
    expect(buildScancelArgs({ jobIds: ['101', '104_[3-9%2]', '105_2'] })).toEqual(['scancel', '101', '104_[3-9%2]', '105_2']);
    expect(buildScancelArgs({ name: 'hpcbench-r1', user: 'alice' }, { state: 'PENDING' })).toEqual([
      'scancel',
      '--state=PENDING',
      '--name=hpcbench-r1',
      '--user=alice',
    ]);
    expect(buildScancelArgs({ jobIds: ['7'] }, { signal: 'USR1', batchOnly: true })).toEqual(['scancel', '--signal=USR1', '--batch', '7']);
  });
  it('rejects empty lists and non-ids', () => {
    expect(() => buildScancelArgs({ jobIds: [] })).toThrow(SlurmFormatError);
    expect(() => buildScancelArgs({ jobIds: ['1 2'] })).toThrow(/"1 2" is not valid/);
    expect(() => buildScancelArgs({ name: ' ' })).toThrow(SlurmFormatError);
  });
});
