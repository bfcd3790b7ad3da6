// A run directory can hold the experiments' `env:` secrets (in scripts and manifest.json): none
// of it is readable by group or others, and a planted link in it is never written through.
import { lstatSync, readdirSync, readFileSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UnsafeWriteError } from '../../../src/errors.js';
import { writeRun } from '../../../src/render/index.js';
import { FIXTURE_DIR, renderFixture, tempDir } from './helpers.js';

function modeOf(path: string): number {
  return statSync(path).mode & 0o777;
}

describe('writeRun file modes', () => {
  it('writes scripts 0700, every other file 0600, and the run and task directories 0700', () => {
    const dir = join(tempDir('modes'), 'run');
    const run = renderFixture('infer');
    writeRun(dir, run, { copyFilesFrom: FIXTURE_DIR });
    expect(modeOf(dir)).toBe(0o700);
    const scripts = [...run.files.keys()].filter((f) => f.endsWith('.sbatch') || f.endsWith('.sh'));
    const others = [...run.files.keys()].filter((f) => !scripts.includes(f));
    expect(scripts.length).toBeGreaterThan(0);
    expect(others).toContain('manifest.json');
    for (const f of scripts) expect(modeOf(join(dir, f)), f).toBe(0o700);
    for (const f of others) expect(modeOf(join(dir, f)), f).toBe(0o600);
    expect(modeOf(join(dir, 'scripts'))).toBe(0o700);
    expect(modeOf(join(dir, 'out/infer/0'))).toBe(0o700);
  });

  it('keeps the modes when an existing run directory is written again', () => {
    const dir = join(tempDir('modes-again'), 'run');
    const run = renderFixture('infer');
    writeRun(dir, run, { copyFilesFrom: false });
    writeRun(dir, run, { copyFilesFrom: false });
    expect(modeOf(join(dir, 'scripts/infer.sbatch'))).toBe(0o700);
    expect(modeOf(join(dir, 'manifest.json'))).toBe(0o600);
  });

  it('refuses a symlink planted in place of a script and leaves its target as it was', () => {
    const base = tempDir('modes-link');
    const dir = join(base, 'run');
    const run = renderFixture('infer');
    writeRun(dir, run, { copyFilesFrom: false });
    const victim = join(base, 'victim.sh');
    writeFileSync(victim, 'original\n');
    const script = join(dir, 'scripts/infer.sbatch');
    const before = readdirSync(join(dir, 'scripts'));
    // Replace the script by a link to a file outside the run.
    unlinkSync(script);
    symlinkSync(victim, script);
    expect(() => writeRun(dir, run, { copyFilesFrom: false })).toThrow(UnsafeWriteError);
    expect(() => writeRun(dir, run, { copyFilesFrom: false })).toThrow(/infer\.sbatch: is a symbolic link/);
    expect(readFileSync(victim, 'utf8')).toBe('original\n');
    expect(lstatSync(script).isSymbolicLink()).toBe(true);
    expect(readdirSync(join(dir, 'scripts')).sort()).toEqual(before.sort());
  });
});
