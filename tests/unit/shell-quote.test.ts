import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { quoteShell, shellCommand } from '../../src/shell-quote.js';

describe('quoteShell', () => {
  it('leaves safe words bare and quotes the rest', () => {
    expect(quoteShell('sequana_gpu')).toBe('sequana_gpu');
    expect(quoteShell('a b')).toBe("'a b'");
    expect(quoteShell("it's")).toBe("'it'\\''s'");
    expect(quoteShell('')).toBe("''");
  });

  it('round-trips any string through bash unchanged', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary' }).map((s) => s.replace(/\0/g, '')), { minLength: 1, maxLength: 4 }), (args) => {
        const out = execFileSync('bash', ['-c', `printf '%s\\0' ${shellCommand(args)}`], { encoding: 'utf8', timeout: 20_000 });
        const back = out.split('\0').slice(0, -1);
        expect(back).toEqual(args);
      }),
      { numRuns: 40 },
    );
  });

  it('executes nothing hidden in hostile values', () => {
    const hostile = ['$(echo pwned)', '`echo pwned`', 'a; echo pwned', 'x\necho pwned', "'; echo pwned; '", '${HOME}'];
    const out = execFileSync('bash', ['-c', `printf '%s|' ${shellCommand(hostile)}`], { encoding: 'utf8', timeout: 20_000 });
    expect(out).toBe(`${hostile.join('|')}|`);
  });

  it('refuses a NUL byte', () => {
    expect(() => quoteShell('a\0b')).toThrow(/NUL/);
  });
});
