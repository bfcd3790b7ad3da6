/**
 * A SLURM job id as run.json keeps it: digits, or digits_task / digits+offset. Ids go into
 * scancel and sacct command lines, so anything else in a hand-edited file is refused on read.
 * An empty string is what a local run records for a task it never started.
 */
import * as z from 'zod';

const STORED_JOB_ID = /^(?:\d+(?:[_+]\d+)?)?$/;

const EXPECTED = 'a string of digits (a SLURM job id)';

export const jobIdSchema = z.string({ error: EXPECTED }).regex(STORED_JOB_ID, EXPECTED);
