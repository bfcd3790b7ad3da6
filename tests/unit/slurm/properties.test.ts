import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseJobState, formatJobState } from '../../../src/slurm/job-state.js';
import { parseSqueue, SQUEUE_FIELDS, UNIT_SEPARATOR } from '../../../src/slurm/squeue.js';
import { parseSlurmDuration } from '../../../src/slurm/time.js';
import { SlurmFormatError } from '../../../src/errors.js';

// Free text as people type it: anything but the delimiter and line breaks.
const freeText = fc.string({ maxLength: 40 }).filter((s) => !s.includes(UNIT_SEPARATOR) && !/[\n\r]/.test(s));

describe('properties', () => {
  it('parseJobState never throws and formats back to a non-empty string', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        expect(formatJobState(parseJobState(text)).length).toBeGreaterThan(0);
      }),
    );
  });

  it('parseSlurmDuration, on any text, returns seconds or throws SlurmFormatError, nothing else', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        try {
          expect(parseSlurmDuration(text)).toBeGreaterThanOrEqual(0);
        } catch (error) {
          expect(error).toBeInstanceOf(SlurmFormatError);
        }
      }),
    );
  });

  it('squeue rows keep names and comments whole, whatever they contain', () => {
    fc.assert(
      fc.property(freeText, freeText, (name, comment) => {
        const fields: string[] = SQUEUE_FIELDS.map(([key]) => {
          if (key === 'name') return name;
          if (key === 'comment') return comment;
          if (key === 'jobId' || key === 'jobIdRaw' || key === 'arrayJobId') return '7';
          if (key === 'state') return 'RUNNING';
          return '';
        });
        const [record] = parseSqueue(`${fields.join(UNIT_SEPARATOR)}\n`, UNIT_SEPARATOR);
        expect(record?.name).toBe(name);
        const trimmed = comment.trim();
        if (trimmed !== '' && !['(null)', 'N/A', 'None assigned', '(None)'].includes(trimmed)) expect(record?.comment).toBe(trimmed);
      }),
    );
  });
});
