import { SlurmFormatError } from '../../../src/errors.js';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  formatSlurmDuration,
  parseSlurmDuration,
  parseSlurmDurationValue,
  parseSlurmTimestamp,
} from '../../../src/slurm/time.js';
import {
  formatSlurmMemory,
  parseRequestedMemory,
  parseSlurmMemory,
  parseTres,
  tryParseSlurmMemory,
} from '../../../src/slurm/memory.js';

describe('parseSlurmDuration', () => {
  it.each([
    ['30', 1800],
    ['30:15', 1815],
    ['02:00:00', 7200],
    ['48:00:00', 172_800],
    ['1-00', 86_400],
    ['1-12', 129_600],
    ['1-12:30', 131_400],
    ['2-03:04:05', 2 * 86_400 + 3 * 3600 + 4 * 60 + 5],
    ['0:42', 42],
    ['1:02:03', 3723],
    ['00:00.012', 0.012],
    ['04:51.234', 291.234],
  ])('%s → %d s', (text, seconds) => {
    expect(parseSlurmDuration(text)).toBeCloseTo(seconds, 6);
  });

  it('UNLIMITED is Infinity; Partition_Limit and INVALID are values, not seconds', () => {
    expect(parseSlurmDuration('UNLIMITED')).toBe(Number.POSITIVE_INFINITY);
    expect(parseSlurmDurationValue('Partition_Limit')).toEqual({ kind: 'partition-limit' });
    expect(parseSlurmDurationValue('INVALID')).toEqual({ kind: 'invalid' });
    expect(() => parseSlurmDuration('Partition_Limit')).toThrow(SlurmFormatError);
    expect(() => parseSlurmDuration('INVALID')).toThrow(SlurmFormatError);
  });

  it('rejects nonsense with a message naming the value and the forms expected', () => {
    for (const bad of ['', 'abc', '1:60', '1-25:00', '10:61:00', '1h', '-5', '1:2:3:4']) {
      expect(() => parseSlurmDuration(bad)).toThrow(SlurmFormatError);
    }
    expect(() => parseSlurmDuration('2h')).toThrow(/"2h".*1-12:00:00/);
    try {
      parseSlurmDuration('2h');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(SlurmFormatError);
      expect((error as SlurmFormatError).text).toBe('2h');
    }
  });
});

describe('formatSlurmDuration', () => {
  it.each([
    [0, '00:00:00'],
    [59, '00:00:59'],
    [5400, '01:30:00'],
    [86_399, '23:59:59'],
    [86_400, '1-00:00:00'],
    [183_845, '2-03:04:05'],
    [90.2, '00:01:31'],
  ])('%d s → %s', (seconds, text) => {
    expect(formatSlurmDuration(seconds)).toBe(text);
  });
  it('formats Infinity as UNLIMITED and rejects negatives and NaN', () => {
    expect(formatSlurmDuration(Number.POSITIVE_INFINITY)).toBe('UNLIMITED');
    expect(() => formatSlurmDuration(-1)).toThrow(SlurmFormatError);
    expect(() => formatSlurmDuration(Number.NaN)).toThrow(SlurmFormatError);
  });
  it('round-trips every whole number of seconds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 400 * 86_400 }), (s) => parseSlurmDuration(formatSlurmDuration(s)) === s),
    );
  });
});

describe('parseSlurmTimestamp', () => {
  it('keeps ISO-like timestamps and drops placeholders', () => {
    expect(parseSlurmTimestamp('2026-11-24T06:08:27')).toBe('2026-11-24T06:08:27');
    for (const none of ['Unknown', 'None', 'N/A', '', '(null)', undefined]) expect(parseSlurmTimestamp(none)).toBeUndefined();
  });
});

describe('memory', () => {
  it.each([
    ['64G', 65_536],
    ['4000M', 4000],
    ['4000', 4000],
    ['1T', 1_048_576],
    ['10240K', 10],
    ['1.50G', 1536],
    ['512MB', 512],
    ['2GiB', 2048],
  ])('%s → %d MiB', (text, mib) => {
    expect(parseSlurmMemory(text)).toBeCloseTo(mib, 6);
  });
  it('rejects nonsense', () => {
    expect(() => parseSlurmMemory('lots')).toThrow(/"lots" is not valid: expected a size such as 512M/);
    expect(tryParseSlurmMemory('4X')).toBeUndefined();
  });
  it('formats MiB as whole units, rounding up', () => {
    expect(formatSlurmMemory(65_536)).toBe('64G');
    expect(formatSlurmMemory(1_048_576)).toBe('1T');
    expect(formatSlurmMemory(1500)).toBe('1500M');
    expect(formatSlurmMemory(1500.2)).toBe('1501M');
    expect(formatSlurmMemory(0)).toBe('0M');
    expect(() => formatSlurmMemory(-1)).toThrow(SlurmFormatError);
  });
  it('reads ReqMem in the new and the old (n/c suffix) forms', () => {
    expect(parseRequestedMemory('16G')).toEqual({ mib: 16_384, per: 'job' });
    expect(parseRequestedMemory('4000Mn')).toEqual({ mib: 4000, per: 'node' });
    expect(parseRequestedMemory('2000Mc')).toEqual({ mib: 2000, per: 'cpu' });
    expect(parseRequestedMemory('')).toBeUndefined();
    expect(parseRequestedMemory('0')).toBeUndefined();
  });
  it('reads TRES strings', () => {
    expect(parseTres('billing=4,cpu=4,gres/gpu=1,mem=8G,node=1')).toEqual({
      cpus: 4,
      memMiB: 8192,
      nodes: 1,
      billing: 4,
      gpus: 1,
      gres: { gpu: 1 },
      other: {},
    });
    const typed = parseTres('cpu=96,mem=375G,node=2,gres/gpu:a100=4,energy=1234,fs/disk=100');
    expect(typed.gres).toEqual({ 'gpu:a100': 4 });
    expect(typed.gpus).toBeUndefined();
    expect(typed.other).toEqual({ energy: '1234', 'fs/disk': '100' });
    expect(parseTres('')).toEqual({ gres: {}, other: {} });
  });
});
