import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decideGoldenMode, readGolden } from './golden.js';

describe('golden files', () => {
  it('compares by default and rewrites only with HPCBENCH_UPDATE_GOLDEN=1 outside CI', () => {
    expect(decideGoldenMode({})).toBe('compare');
    expect(decideGoldenMode({ CI: 'true' })).toBe('compare');
    expect(decideGoldenMode({ HPCBENCH_UPDATE_GOLDEN: '1' })).toBe('update');
    expect(decideGoldenMode({ HPCBENCH_UPDATE_GOLDEN: '1', CI: 'false' })).toBe('update');
    expect(decideGoldenMode({ HPCBENCH_UPDATE_GOLDEN: 'yes' })).toBe('compare');
  });

  it('refuses to rewrite a golden file under CI and leaves it as committed', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'hpcbench-golden-')), 'expected.txt');
    writeFileSync(file, 'committed\n');
    for (const CI of ['true', '1']) {
      expect(() => readGolden(file, 'computed\n', { CI, HPCBENCH_UPDATE_GOLDEN: '1' })).toThrow(/refused under CI/);
    }
    expect(readFileSync(file, 'utf8')).toBe('committed\n');
    expect(readGolden(file, 'computed\n', { CI: 'true' })).toBe('committed\n');
  });

  it('fails on a missing golden file instead of creating it, unless asked to update', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'hpcbench-golden-')), 'nested', 'expected.txt');
    expect(() => readGolden(file, 'computed\n', { CI: 'true' })).toThrow(/golden file .*expected\.txt is missing: run the test with HPCBENCH_UPDATE_GOLDEN=1 outside CI/);
    expect(() => readGolden(file, 'computed\n', {})).toThrow(/is missing/);
    expect(existsSync(file)).toBe(false);
    expect(readGolden(file, 'computed\n', { HPCBENCH_UPDATE_GOLDEN: '1' })).toBe('computed\n');
    expect(readFileSync(file, 'utf8')).toBe('computed\n');
  });
});
