// sacct output in the shapes people save, read by column name (hand-made from the sacct man page;
// the real captures are in tests/unit/profile/accounting/real-sacct.test.ts).
import { describe, expect, it } from 'vitest';
import { looksLikeSacctTable, readSacctTable } from '../../../src/slurm/sacct-table.js';
import { InputError } from '../../../src/errors.js';

function thrown(fn: () => unknown): InputError {
  try {
    fn();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}

describe('readSacctTable', () => {
  it('reads -P columns by header name, in any order', () => {
    const t = readSacctTable('State|JobID|Elapsed\nCOMPLETED|7|00:01:00\nCOMPLETED|7.batch|00:01:00\n');
    expect(t.format).toBe('pipe');
    expect(t.columns).toEqual(['State', 'JobID', 'Elapsed']);
    expect(t.rows.map((r) => r.values.JobID)).toEqual(['7', '7.batch']);
    expect(t.rows[0]?.line).toBe(2);
  });

  it('accepts the trailing | of -p and lower-case headers', () => {
    const t = readSacctTable('jobid|state|\n7|FAILED|\n');
    expect(t.columns).toEqual(['JobID', 'State']);
    expect(t.rows[0]?.values).toEqual({ JobID: '7', State: 'FAILED' });
  });

  it('names the file, line and expected fields when a row has the wrong count', () => {
    const e = thrown(() => readSacctTable('JobID|State\n7|COMPLETED\n8|COMPLETED|x|y\n', { file: 's.txt' }));
    expect(e.message).toContain('expected 2 fields');
    expect(e.message).toContain('JobID,State');
    expect(e.message).toContain('found 4');
    expect(e.file).toBe('s.txt');
    expect(e.line).toBe(3);
  });

  it('refuses headerless -P without a field list, and reads it with one', () => {
    const text = '7|COMPLETED|00:00:10\n';
    expect(thrown(() => readSacctTable(text, { file: 'n.txt' })).message).toContain('field list is needed');
    const t = readSacctTable(text, { fields: 'JobID,State,Elapsed' });
    expect(t.headerInFile).toBe(false);
    expect(t.rows[0]?.values.Elapsed).toBe('00:00:10');
  });

  it('takes fixed-width spans from the dash line, keeps cut values and expands a cut header', () => {
    const text = [
      '       JobID    JobName      State ExitCo ',
      '------------ ---------- ---------- ------ ',
      '123          long_name+ CANCELLED+    0:0 ',
      '123.ba+           batch  CANCELLED   0:15 ',
      '',
    ].join('\n');
    const t = readSacctTable(text);
    expect(t.format).toBe('fixed');
    expect(t.columns).toEqual(['JobID', 'JobName', 'State', 'ExitCode']);
    expect(t.rows.map((r) => r.values)).toEqual([
      { JobID: '123', JobName: 'long_name+', State: 'CANCELLED+', ExitCode: '0:0' },
      { JobID: '123.ba+', JobName: 'batch', State: 'CANCELLED', ExitCode: '0:15' },
    ]);
  });

  it('reads headerless fixed width with %widths and skips echoed job-name lines', () => {
    const text = ['my_job_name', '55           x                 0:0 ', ''].join('\n');
    const t = readSacctTable(text, { fields: 'JobID,JobName%12,ExitCode%6' });
    expect(t.skippedLines).toEqual([1]);
    expect(t.rows[0]?.values).toEqual({ JobID: '55', JobName: 'x', ExitCode: '0:0' });
  });

  it('refuses a fixed-width row that does not start with a job id, naming the line', () => {
    const text = 'JobID State\n----- -----\n7     OK\nnot a row here\n';
    const e = thrown(() => readSacctTable(text, { file: 'f.txt' }));
    expect(e.line).toBe(4);
    expect(e.message).toContain('job id');
  });

  it('says that a headerless fixed-width table needs its column list', () => {
    const e = thrown(() => readSacctTable('echoed_name\n55           x                 0:0 \n', { file: 'h.log' }));
    expect(e.line).toBe(2);
    expect(e.message).toContain('without its header');
    expect(e.hint).toContain('--sacct-fields');
  });

  it('refuses text that is no sacct shape, saying how to give the field list', () => {
    const e = thrown(() => readSacctTable('hello world\n', { file: 'x.log' }));
    expect(e.message).toContain('not sacct output');
    expect(e.hint).toContain('--sacct-fields');
  });

  it('recognises sacct tables by content', () => {
    expect(looksLikeSacctTable('ReqMem|MaxRSS|State\n')).toBe(true);
    expect(looksLikeSacctTable('    ReqMem     MaxRSS\n---------- ----------\n')).toBe(true);
    expect(looksLikeSacctTable('a|b|c\n')).toBe(false);
    expect(looksLikeSacctTable('timestamp, index\n')).toBe(false);
    // Header cells are matched to sacct's field names: a cut name by prefix, any case exactly.
    expect(readSacctTable('JobID|ExitCo|elapsed\n7|0:0|00:01:00\n').columns).toEqual(['JobID', 'ExitCode', 'Elapsed']);
  });
});
