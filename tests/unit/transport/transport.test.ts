import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { quoteShell } from '../../../src/shell-quote.js';
import { abbreviateCommand, formatDuration, temporarySibling, withCwd } from '../../../src/transport/transport.js';

describe('transport helpers', () => {
  it('formats durations for messages', () => {
    expect(formatDuration(60_000)).toBe('60 s');
    expect(formatDuration(500)).toBe('0.5 s');
    expect(formatDuration(1_234)).toBe('1.2 s');
  });

  it('keeps short commands and cuts long multi-line scripts to one readable line', () => {
    expect(abbreviateCommand('squeue --me')).toBe('squeue --me');
    expect(abbreviateCommand('set -e\ncd /x\nsbatch job.sh')).toBe('set -e \u21b5 cd /x \u21b5 sbatch job.sh');
    const long = abbreviateCommand(`echo ${'x'.repeat(500)}`);
    expect(long).toHaveLength(200);
    expect(long.endsWith('\u2026')).toBe(true);
  });

  it('prefixes a quoted cd that stops the command when it fails', () => {
    expect(withCwd('ls', undefined, quoteShell)).toBe('ls');
    expect(withCwd('ls', "/scratch/my project/it's", quoteShell)).toBe(`cd -- '/scratch/my project/it'\\''s' && ls`);
  });

  it('names temporary files next to the final one, unique per call', () => {
    const a = temporarySibling('/runs/r1/run.json');
    const b = temporarySibling('/runs/r1/run.json');
    expect(dirname(a)).toBe('/runs/r1');
    expect(a.startsWith('/runs/r1/run.json.tmp-')).toBe(true);
    expect(a).not.toBe(b);
  });
});
