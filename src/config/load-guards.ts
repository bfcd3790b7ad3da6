/**
 * What hpcbench.yaml must not contain before it is turned into data: control bytes, nesting
 * deeper than any config needs, keys that name JavaScript's object machinery, and aliases that
 * expand into more data than the file holds. Each becomes an issue at file:line:column
 * (exit 2) instead of an internal error or a key that silently vanishes.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { ConfigIssue } from '../errors.js';

/** Far more than any config needs; keeps the parser, the schema and the resolver off deep recursion. */
export const MAX_CONFIG_DEPTH = 64;

/** The yaml library's own default: a node reached through more aliases than this is refused. */
export const MAX_ALIAS_COUNT = 100;

/** Keys that would reach Object.prototype or a constructor when the config becomes an object. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function position(lines: LineCounter, offset: number): { line: number; column: number } {
  const { line, col } = lines.linePos(offset);
  return { line, column: col };
}

/**
 * Control characters other than tab, line feed and carriage return (YAML forbids them; NUL
 * above all). Checked before parsing, so the position is counted here.
 */
export function findControlCharacters(text: string, file: string): ConfigIssue[] {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      line++;
      lineStart = i + 1;
    } else if ((c < 32 && c !== 9 && c !== 13) || c === 127) {
      const name = c === 0 ? 'a NUL byte' : `control character U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
      return [{ file, path: '', line, column: i - lineStart + 1, message: `${name} in the file: expected YAML text (is it a binary file, or saved as UTF-16?)` }];
    }
  }
  return [];
}

/** No config comes near this; a larger file is refused before the parser spends memory on it. */
const MAX_CONFIG_BYTES = 1024 * 1024;

export function checkConfigSize(text: string, file: string): ConfigIssue[] {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes <= MAX_CONFIG_BYTES) return [];
  return [{ file, path: '', line: 1, column: 1, message: `the file is ${bytes} bytes: expected a config of at most ${MAX_CONFIG_BYTES} bytes (1 MiB)` }];
}

/**
 * Flow collections (`[`, `{`) nested deeper than MAX_CONFIG_DEPTH, found before parsing: the
 * parser spends memory per level (millions of `[` took gigabytes). A bracket counts where a flow
 * collection can start (first on its line, or after `:`, `-`, `?`, `,`, `[`, `{`), so a `[` inside
 * a plain value (`command: echo [x`) does not; quoted text and comments are skipped.
 */
export function findDeepFlow(text: string, file: string): ConfigIssue[] {
  let depth = 0;
  let line = 1;
  let lineStart = 0;
  let previous = '\n';
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '\n') {
      line++;
      lineStart = i + 1;
      if (quote === "'") quote = '';
      previous = '\n';
      continue;
    }
    if (quote !== '') {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = '';
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') continue;
    if (c === '#' && (previous === '\n' || text[i - 1] === ' ' || text[i - 1] === '\t')) {
      const end = text.indexOf('\n', i);
      i = (end === -1 ? text.length : end) - 1;
      continue;
    }
    if ((c === '"' || c === "'") && (depth > 0 || ':-?,[{\n'.includes(previous))) quote = c;
    else if ((c === '[' || c === '{') && (depth > 0 || ':-?,[{\n'.includes(previous))) {
      depth++;
      if (depth > MAX_CONFIG_DEPTH) {
        return [{ file, path: '', line, column: i - lineStart + 1, message: `nested deeper than ${MAX_CONFIG_DEPTH} levels of [ ] and { }: expected a config of a few levels of mappings and lists` }];
      }
    } else if ((c === ']' || c === '}') && depth > 0) depth--;
    previous = c;
  }
  return [];
}

/** Nesting depth of the data the document became (aliases expanded), counted without recursion. */
export function measureDataDepth(data: unknown): number {
  let deepest = 0;
  const stack: { value: unknown; depth: number }[] = [{ value: data, depth: 0 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop() as { value: unknown; depth: number };
    if (value === null || typeof value !== 'object') continue;
    deepest = Math.max(deepest, depth + 1);
    if (deepest > MAX_CONFIG_DEPTH) return deepest;
    for (const child of Object.values(value as Record<string, unknown>)) stack.push({ value: child, depth: depth + 1 });
  }
  return deepest;
}

/** A parser that ran out of stack reports it as a syntax error; say what it means. */
export function describeParserError(message: string): string {
  return /call stack/i.test(message) ? `nested too deeply: expected at most ${MAX_CONFIG_DEPTH} levels of mappings and lists` : `YAML syntax error: ${message}`;
}

function keyText(pair: unknown): { text: string; node: Node | undefined } | undefined {
  if (!isPair(pair)) return undefined;
  const key = pair.key;
  if (isScalar(key)) return { text: String(key.value), node: key };
  return undefined;
}

/**
 * Walks the parsed document without recursion (a deep file must not overflow here either):
 * nesting beyond MAX_CONFIG_DEPTH and prototype keys are reported where they are.
 */
export function findUnsafeNodes(doc: Document, file: string, lines: LineCounter): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const stack: { node: unknown; depth: number; path: string }[] = [{ node: doc.contents, depth: 0, path: '' }];
  while (stack.length > 0) {
    const { node, depth, path } = stack.pop() as { node: unknown; depth: number; path: string };
    if (isAlias(node) || !(isMap(node) || isSeq(node))) continue;
    if (depth >= MAX_CONFIG_DEPTH) {
      const at = node.range ? position(lines, node.range[0]) : { line: 1, column: 1 };
      issues.push({ file, path: path.length > 60 ? `${path.slice(0, 60)}…` : path, ...at, message: `nested deeper than ${MAX_CONFIG_DEPTH} levels: expected a config of a few levels of mappings and lists` });
      return issues;
    }
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = keyText(pair);
        const childPath = key === undefined ? path : path === '' ? key.text : `${path}.${key.text}`;
        if (key !== undefined && PROTOTYPE_KEYS.has(key.text)) {
          const at = key.node?.range ? position(lines, key.node.range[0]) : { line: 1, column: 1 };
          issues.push({
            file,
            path: childPath,
            ...at,
            message: `'${key.text}' cannot be used as a name: expected a name other than __proto__, constructor or prototype (JavaScript reserves them)`,
          });
        }
        stack.push({ node: pair.value, depth: depth + 1, path: childPath });
      }
    } else {
      node.items.forEach((item, i) => stack.push({ node: item, depth: depth + 1, path: `${path}[${i}]` }));
    }
  }
  return issues;
}

/**
 * Where the first alias is, for the error of a document whose aliases expand too far (the
 * yaml library stops at MAX_ALIAS_COUNT with a bare ReferenceError).
 */
export function findFirstAlias(doc: Document, lines: LineCounter): { line: number; column: number } {
  const stack: unknown[] = [doc.contents];
  let first: number | undefined;
  while (stack.length > 0) {
    const node = stack.pop();
    if (isAlias(node)) {
      if (node.range && (first === undefined || node.range[0] < first)) first = node.range[0];
    } else if (isMap(node)) for (const pair of node.items) stack.push(pair.key, pair.value);
    else if (isSeq(node)) for (const item of node.items) stack.push(item);
  }
  return first === undefined ? { line: 1, column: 1 } : position(lines, first);
}
