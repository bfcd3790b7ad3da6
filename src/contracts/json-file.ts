/**
 * Reading back a JSON file hpcbench (or a job script) wrote: parse, then validate against the
 * file's contract. Every failure is an InputError (exit 2) naming the file and, for a bad value,
 * the field path and what was expected, so a hand-edited or truncated file never gives an
 * internal error further on.
 */
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { InputError } from '../errors.js';

/** Deeper than any document hpcbench writes; a deeper one would only make readers recurse. */
const MAX_JSON_DEPTH = 64;

export interface ContractInfo {
  /** What the file should be, for the hint: "a hpcbench.run/1 document written by hpcbench submit". */
  expected: string;
  /** What to do about a broken file. */
  fix: string;
}

/** 1-based line and column of a character offset. */
function lineColumnOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** The nesting depth of JSON text, strings skipped; a cheap guard run before JSON.parse. */
function measureDepth(text: string): { depth: number; offset: number } {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      depth++;
      if (depth > MAX_JSON_DEPTH) return { depth, offset: i };
    } else if (c === 93 || c === 125) depth--;
  }
  return { depth, offset: -1 };
}

/** JSON.parse with errors that name the file and the position (line:column) of the problem. */
export function parseJsonText(text: string, file: string, info: ContractInfo): unknown {
  if (text.trim() === '') throw new InputError(`the file is empty; expected ${info.expected}`, { file, hint: info.fix });
  const deep = measureDepth(text);
  if (deep.offset >= 0) {
    const at = lineColumnOf(text, deep.offset);
    throw new InputError(`nested deeper than ${MAX_JSON_DEPTH} levels at line ${at.line} column ${at.column}; expected ${info.expected}`, { file, hint: info.fix });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const offset = locateSyntaxError(text, message);
    const at = lineColumnOf(text, offset);
    // V8 quotes the text around an unexpected token; the position says it better.
    const why = offset >= text.length ? 'the text ends early (truncated?)' : message.replace(/\s*in JSON at position \d+.*$/s, '').replace(/, (\.\.\.)?".*" is not valid JSON$/s, '');
    throw new InputError(`not valid JSON at line ${at.line} column ${at.column} (character ${offset}): ${why}`, { file, hint: info.fix, cause: error });
  }
}

/** The position JSON.parse names, else (it names none for some tokens) the shortest prefix that fails before its end. */
function locateSyntaxError(text: string, message: string): number {
  const position = /at position (\d+)/.exec(message);
  if (position?.[1] !== undefined) return Number(position[1]);
  if (/Unexpected end of JSON input/.test(message)) return text.length;
  const failsWithin = (length: number): boolean => {
    try {
      JSON.parse(text.slice(0, length));
      return false;
    } catch (error) {
      const inner = error instanceof Error ? error.message : '';
      const at = /at position (\d+)/.exec(inner);
      if (at?.[1] !== undefined) return Number(at[1]) < length;
      return !/Unexpected end of JSON input/.test(inner);
    }
  };
  let low = 1;
  let high = text.length;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (failsWithin(middle)) high = middle;
    else low = middle + 1;
  }
  return Math.max(0, low - 1);
}

/** `jobs[2].job_id`, as people write paths into JSON. */
function formatFieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else {
      const name = String(part);
      out += /^[A-Za-z_][\w-]*$/.test(name) ? `${out === '' ? '' : '.'}${name}` : `[${JSON.stringify(name)}]`;
    }
  }
  return out === '' ? '(the document)' : out;
}

/** A short description of a JSON value for "got …". */
function describeJsonValue(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return value.length > 40 ? `the string ${JSON.stringify(value.slice(0, 40))}…` : `the string ${JSON.stringify(value)}`;
  // JSON has nothing else but numbers and booleans; anything else is named by its type only.
  return typeof value === 'number' || typeof value === 'boolean' ? `${typeof value} ${String(value)}` : typeof value;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current = root;
  for (const part of path) {
    if (current === null || typeof current !== 'object') return undefined;
    if (!Object.prototype.hasOwnProperty.call(current, part)) return undefined;
    current = (current as Record<PropertyKey, unknown>)[part];
  }
  return current;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
  int: 'an integer',
  record: 'an object',
};

/** zod's own wording; anything else is a contract's message, worded as the expectation. */
const ZOD_DEFAULT_MESSAGE = /^(Invalid|Too (small|big)|Unrecognized|Expected)/;

function describeExpectation(issue: z.core.$ZodIssue): string {
  if (!ZOD_DEFAULT_MESSAGE.test(issue.message)) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      return TYPE_WORDS[issue.expected] ?? issue.expected;
    case 'invalid_value':
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
      return issue.origin === 'array' ? `at least ${String(issue.minimum)} item(s)` : issue.origin === 'string' ? `at least ${String(issue.minimum)} character(s)` : `at least ${String(issue.minimum)}`;
    case 'too_big':
      return issue.origin === 'array' ? `at most ${String(issue.maximum)} item(s)` : issue.origin === 'string' ? `at most ${String(issue.maximum)} character(s)` : `at most ${String(issue.maximum)}`;
    case 'unrecognized_keys':
      return `no key ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
    case 'invalid_format':
      return `a string in the expected format (${issue.format})`;
    default:
      return issue.message;
  }
}

export interface ValidateOptions {
  /** How the file spells a field path of the validated value (a document whose keys were converted on reading). */
  showPath?: (path: readonly PropertyKey[]) => readonly PropertyKey[];
}

/** Validates a parsed document; the first problem is reported as `path: expected X, got Y`. */
export function validateDocument<S extends z.ZodType>(schema: S, value: unknown, file: string, info: ContractInfo, options: ValidateOptions = {}): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  if (issue === undefined) throw new InputError(`does not match ${info.expected}`, { file, hint: info.fix });
  const path = issue.path;
  const got = issue.code === 'unrecognized_keys' ? 'such a key' : describeJsonValue(valueAt(value, path));
  const more = parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more problem(s))` : '';
  const shown = options.showPath === undefined ? path : options.showPath(path);
  throw new InputError(`${formatFieldPath(shown)}: expected ${describeExpectation(issue)}, got ${got}${more}`, {
    file,
    hint: `expected ${info.expected}; ${info.fix}`,
  });
}

/** Parses and validates JSON text. */
export function parseJsonDocument<S extends z.ZodType>(schema: S, text: string, file: string, info: ContractInfo): z.output<S> {
  return validateDocument(schema, parseJsonText(text, file, info), file, info);
}

function readError(file: string, error: unknown, info: ContractInfo): InputError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : String(error);
  return new InputError(`cannot read the file: ${why}`, { file, hint: info.fix, cause: error });
}

/** The text of a JSON file, with read errors (missing, a directory, no permission) as InputError. */
export function readJsonText(file: string, info: ContractInfo): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw readError(file, error, info);
  }
}

/** Reads, parses and validates a JSON file (synchronously, for readers that are). */
export function readJsonDocumentSync<S extends z.ZodType>(schema: S, file: string, info: ContractInfo): z.output<S> {
  return parseJsonDocument(schema, readJsonText(file, info), file, info);
}
