import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseJobState, formatJobState } from '../../../src/slurm/job-state.js';
import { UNIT_SEPARATOR } from '../../../src/slurm/squeue.js';
import { parseSlurmDuration } from '../../../src/slurm/time.js';
import { SlurmFormatError } from '../../../src/errors.js';
import { formatSqueueRow, readSqueueRecords } from './squeue-rows.js';

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
        const row = formatSqueueRow({ jobId: '7', jobIdRaw: '7', arrayJobId: '7', state: 'RUNNING', name, comment });
        const [record] = readSqueueRecords(`${row}\n`);
        expect(record?.name).toBe(name);
        const trimmed = comment.trim();
        if (trimmed !== '' && !['(null)', 'N/A', 'None assigned', '(None)'].includes(trimmed)) expect(record?.comment).toBe(trimmed);
      }),
    );
  });
});
