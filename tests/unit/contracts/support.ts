import { expect } from 'vitest';
import { ExitCode, InputError } from '../../../src/errors.js';

/** The InputError (exit 2) an action throws; fails the test when it throws nothing or something else. */
export function caught(action: () => unknown): InputError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).exitCode).toBe(ExitCode.usage);
    return error as InputError;
  }
  throw new Error('expected an InputError');
}

/**
 * Paths of every key with an upper-case letter in a JSON document, not descending into data maps
 * (keys named in dataMapKeys, and the per-GPU `missing` map), whose keys are the user's.
 */
export function listCamelKeys(value: unknown, dataMapKeys: ReadonlySet<string>, path = '', out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((item, i) => listCamelKeys(item, dataMapKeys, `${path}[${i}]`, out));
  else if (typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(value)) {
      if (/[A-Z]/.test(key)) out.push(`${path}.${key}`);
      const perGpuMissing = key === 'missing' && /\.gpus\[\d+\]$/.test(path);
      if (!dataMapKeys.has(key) && !perGpuMissing) listCamelKeys(child, dataMapKeys, `${path}.${key}`, out);
    }
  }
  return out;
}
