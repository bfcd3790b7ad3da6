/**
 * A run id names a directory under results/ and on the cluster, and goes into every job's
 * `--comment`: only characters that are safe in all three, and never `.`/`..` or a path.
 */
import * as z from 'zod';

export const RUN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export const RUN_ID_EXPECTED = "a run id (a letter or digit, then letters, digits, '.', '_' or '-', at most 128 characters)";

export const runIdSchema = z.string({ error: RUN_ID_EXPECTED }).regex(RUN_ID_PATTERN, RUN_ID_EXPECTED);

export function isValidRunId(value: string): boolean {
  return RUN_ID_PATTERN.test(value);
}
