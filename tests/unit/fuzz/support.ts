// Fuzzing support: mutations of real inputs (truncate, flip bytes, insert NULs, huge lines,
// deep nesting, random text) and the one property every reader must keep: it returns, or it
// throws a project error with exit code 1 or 2. Never a TypeError, RangeError or stack
// overflow, and never more memory than a generous bound per case.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { expect } from 'vitest';
import { isHpcbenchError } from '../../../src/errors.js';

/** A generous bound on heap growth per case: the inputs are at most a few MiB. */
const HEAP_BOUND_BYTES = 256 * 1024 * 1024;

/** Fixed seed: a failure reproduces; FUZZ_SEED picks another for a longer local run. */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20261201);

/** Runs per reader, tuned to keep the whole fuzz suite well under a minute on two cores. */
export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 100);

type Mutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'flip'; at: number; mask: number }
  | { kind: 'nul'; at: number; count: number }
  | { kind: 'huge-line'; at: number; length: number }
  | { kind: 'deep'; at: number; depth: number; open: string }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'repeat-line'; at: number; times: number }
  | { kind: 'number'; at: number; text: string };

const position = fc.double({ min: 0, max: 1, noNaN: true });

const WEIRD_NUMBERS = ['-1', '0', '1e309', '-1e309', 'NaN', '99999999999999999999', '4000001', '1.5', '-0', '0x10', '1e-400'];

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: position }),
  fc.record({ kind: fc.constant('flip' as const), at: position, mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('nul' as const), at: position, count: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('huge-line' as const), at: position, length: fc.integer({ min: 64 * 1024, max: 2 * 1024 * 1024 }) }),
  fc.record({ kind: fc.constant('deep' as const), at: position, depth: fc.integer({ min: 100, max: 5000 }), open: fc.constantFrom('[', '{"a":', '{', '- ', '  ') }),
  fc.record({ kind: fc.constant('insert' as const), at: position, text: fc.string({ unit: 'binary', maxLength: 40 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: position, length: fc.integer({ min: 1, max: 200 }) }),
  fc.record({ kind: fc.constant('repeat-line' as const), at: position, times: fc.integer({ min: 2, max: 2000 }) }),
  fc.record({ kind: fc.constant('number' as const), at: position, text: fc.constantFrom(...WEIRD_NUMBERS) }),
);

/** Applies one mutation to bytes; positions are fractions of the length so shrinking stays meaningful. */
function applyMutation(input: Buffer, m: Mutation): Buffer {
  const at = Math.min(input.length, Math.floor(m.at * input.length));
  switch (m.kind) {
    case 'truncate':
      return input.subarray(0, at);
    case 'flip': {
      if (input.length === 0) return input;
      const copy = Buffer.from(input);
      const i = Math.min(at, copy.length - 1);
      copy[i] = (copy[i] as number) ^ m.mask;
      return copy;
    }
    case 'nul':
      return Buffer.concat([input.subarray(0, at), Buffer.alloc(m.count), input.subarray(at)]);
    case 'huge-line':
      return Buffer.concat([input.subarray(0, at), Buffer.alloc(m.length, 0x41), input.subarray(at)]);
    case 'deep':
      return Buffer.concat([input.subarray(0, at), Buffer.from(m.open.repeat(m.depth)), input.subarray(at)]);
    case 'insert':
      return Buffer.concat([input.subarray(0, at), Buffer.from(m.text, 'latin1'), input.subarray(at)]);
    case 'delete':
      return Buffer.concat([input.subarray(0, at), input.subarray(Math.min(input.length, at + m.length))]);
    case 'repeat-line': {
      const start = input.lastIndexOf(10, Math.max(0, at - 1)) + 1;
      const endAt = input.indexOf(10, at);
      const end = endAt === -1 ? input.length : endAt + 1;
      const line = input.subarray(start, end);
      const repeated = Buffer.concat(Array.from({ length: Math.min(m.times, Math.floor((4 * 1024 * 1024) / Math.max(1, line.length))) }, () => line));
      return Buffer.concat([input.subarray(0, start), repeated, input.subarray(end)]);
    }
    case 'number': {
      // Replaces the number nearest the position, where numbers are what the reader checks.
      const text = input.toString('latin1');
      const re = /-?\d+(\.\d+)?/g;
      let best: RegExpExecArray | null = null;
      for (let match = re.exec(text); match !== null; match = re.exec(text)) {
        if (best === null || Math.abs(match.index - at) < Math.abs(best.index - at)) best = match;
        if (match.index > at) break;
      }
      if (best === null) return input;
      return Buffer.from(text.slice(0, best.index) + m.text + text.slice(best.index + best[0].length), 'latin1');
    }
  }
}

/** Seeds, mutated 1 to 3 times, or (one case in eight) random bytes or text. */
export function inputArb(seeds: readonly Buffer[]): fc.Arbitrary<Buffer> {
  const mutated = fc
    .tuple(fc.integer({ min: 0, max: seeds.length - 1 }), fc.array(mutationArb, { minLength: 1, maxLength: 3 }))
    .map(([i, mutations]) => mutations.reduce((buffer, m) => applyMutation(buffer, m), seeds[i] as Buffer));
  const random = fc.oneof(
    fc.uint8Array({ maxLength: 4096 }).map((a) => Buffer.from(a)),
    fc.string({ maxLength: 2000 }).map((s) => Buffer.from(s, 'utf8')),
    fc.json({ maxDepth: 6 }).map((s) => Buffer.from(s, 'utf8')),
  );
  return fc.oneof({ arbitrary: mutated, weight: 7 }, { arbitrary: random, weight: 1 });
}

/** Real files under a fixtures folder (recursively), by extension, at most `limit` bytes each. */
export function fixtureSeeds(dir: string, pattern: RegExp, limit = 256 * 1024): Buffer[] {
  const out: Buffer[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      const stat = statSync(path);
      if (stat.isDirectory()) walk(path);
      else if (pattern.test(name) && stat.size > 0 && stat.size <= limit) out.push(readFileSync(path));
    }
  };
  walk(dir);
  if (out.length === 0) throw new Error(`no fixtures matching ${String(pattern)} under ${dir}`);
  return out;
}

export type Outcome = 'ok' | 'exit-1' | 'exit-2';

/**
 * Runs a reader on one input and checks the property: a result, or a project error with exit
 * code 1 or 2 (a stack overflow is a RangeError and fails here like any internal error).
 */
export async function expectContainedOutcome(read: () => unknown, describe: () => string): Promise<Outcome> {
  const before = process.memoryUsage().heapUsed;
  let outcome: Outcome = 'ok';
  try {
    await read();
  } catch (error) {
    if (!isHpcbenchError(error) || (error.exitCode !== 1 && error.exitCode !== 2)) {
      const what = error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ''}` : String(error);
      expect.fail(`internal error on ${describe()}:\n${what}`);
    }
    // A message for people: one file named, no stack trace text in it.
    expect(error.message).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);
    outcome = error.exitCode === 1 ? 'exit-1' : 'exit-2';
  }
  const growth = process.memoryUsage().heapUsed - before;
  expect(growth, `heap growth on ${describe()}`).toBeLessThan(HEAP_BOUND_BYTES);
  return outcome;
}

/** A short description of an input for failure messages. */
export function describeInput(buffer: Buffer): string {
  const head = buffer.subarray(0, 160).toString('latin1').replace(/[^\x20-\x7e]/g, '.');
  return `${buffer.length} bytes starting ${JSON.stringify(head)}`;
}

/** Every path to a value inside a JSON document (the root excluded), found without recursion. */
function jsonPaths(root: unknown): (string | number)[][] {
  const out: (string | number)[][] = [];
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value: root, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop() as { value: unknown; path: (string | number)[] };
    if (path.length > 0) out.push(path);
    if (Array.isArray(value)) value.slice(0, 50).forEach((v, i) => stack.push({ value: v, path: [...path, i] }));
    else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) stack.push({ value: v, path: [...path, k] });
  }
  return out;
}

const REPLACEMENTS: unknown[] = [null, 'x', '', -1, 0, 1e308, 2.5, true, [], {}, [null], { a: 1 }, '../../x', 'NaN', '__proto__'];

/**
 * Documents that are valid JSON but wrong in one to three places: a value replaced by one of
 * another type, or a key removed. This is what a hand edit does, and what reaches the code
 * behind a reader when the reader lets it through.
 */
export function jsonFieldMutationArb(seeds: readonly Buffer[]): fc.Arbitrary<Buffer> {
  const parsed = seeds.map((s) => JSON.parse(s.toString('utf8')) as unknown);
  const paths = parsed.map(jsonPaths);
  return fc
    .tuple(
      fc.integer({ min: 0, max: seeds.length - 1 }),
      fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: -1, max: REPLACEMENTS.length - 1 })), { minLength: 1, maxLength: 3 }),
    )
    .map(([i, edits]) => {
      const doc = structuredClone(parsed[i]);
      const all = paths[i] as (string | number)[][];
      for (const [where, what] of edits) {
        const path = all[Math.min(all.length - 1, Math.floor(where * all.length))];
        if (path === undefined) continue;
        let holder: unknown = doc;
        for (const part of path.slice(0, -1)) holder = holder === null || typeof holder !== 'object' ? undefined : (holder as Record<string | number, unknown>)[part];
        if (holder === null || typeof holder !== 'object') continue;
        const key = path[path.length - 1] as string | number;
        if (what < 0) {
          if (Array.isArray(holder) && typeof key === 'number') holder.splice(key, 1);
          else delete (holder as Record<string | number, unknown>)[key];
        } else (holder as Record<string | number, unknown>)[key] = structuredClone(REPLACEMENTS[what]);
      }
      return Buffer.from(JSON.stringify(doc));
    });
}
