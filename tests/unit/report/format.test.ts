import { describe, expect, it } from 'vitest';
import { formatChange, formatDuration, formatMiB, formatMs, formatNumber, formatPercent, formatSeconds, MISSING } from '../../../src/report/format.js';

describe('report number formatting', () => {
  it('uses a decimal point in English and a decimal comma in pt-BR', () => {
    expect(formatNumber(1234.5678, 'en', 2)).toBe('1,234.57');
    expect(formatNumber(1234.5678, 'pt-BR', 2)).toBe('1.234,57');
    expect(formatPercent(0.1234, 'pt-BR')).toBe('12,3 %');
    expect(formatMs(0.01234, 'en')).toBe('12.34');
  });

  it('keeps about three significant figures by default', () => {
    expect(formatNumber(0.001234, 'en')).toBe('0.00123');
    expect(formatNumber(12.345, 'en')).toBe('12.35');
    expect(formatNumber(123.45, 'en')).toBe('123.5');
    expect(formatNumber(12345.6, 'en')).toBe('12,346');
  });

  it('writes missing values as a dash, never null or NaN', () => {
    for (const v of [null, undefined, Number.NaN, Number.POSITIVE_INFINITY, 'x']) {
      expect(formatNumber(v, 'en')).toBe(MISSING);
      expect(formatMs(v, 'pt-BR')).toBe(MISSING);
    }
    expect(formatDuration(null)).toBe(MISSING);
  });

  it('formats durations, sizes and signed changes', () => {
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatDuration(65)).toBe('1:05');
    expect(formatMiB(2048, 'en')).toBe('2.0 GiB');
    expect(formatMiB(800, 'en')).toBe('800 MiB');
    expect(formatChange(0.05, 'en')).toBe('+5.0 %');
    expect(formatChange(-0.125, 'pt-BR')).toBe('−12,5 %');
  });
});

describe('formatSeconds', () => {
  it('keeps latencies in ms below 10 s and writes longer times as h:mm:ss, never 300,000.0 ms', () => {
    expect(formatSeconds(0.3926, 'en')).toBe('392.6 ms');
    expect(formatSeconds(9.99, 'pt-BR')).toBe('9.990,0 ms');
    expect(formatSeconds(10, 'en')).toBe('0:10');
    expect(formatSeconds(300, 'en')).toBe('5:00');
    expect(formatSeconds(3725, 'en')).toBe('1:02:05');
    expect(formatSeconds(null, 'en')).toBe(MISSING);
    // A long latency keeps its ms: a generation of 12.5 s is not "0:13".
    expect(formatSeconds(12.5, 'en', 'latency')).toBe('12,500.0 ms');
  });
});
