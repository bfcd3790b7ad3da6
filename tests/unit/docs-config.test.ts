import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  findDocumentedPath,
  generateConfigJsonSchema,
  listSchemaKeyPaths,
  parseDocumentedKeys,
} from '../../src/config/json-schema.js';

const ROOT = join(import.meta.dirname, '..', '..');
const markdown = readFileSync(join(ROOT, 'docs', 'config.md'), 'utf8');
const documented = parseDocumentedKeys(markdown);
const schemaPaths = listSchemaKeyPaths(generateConfigJsonSchema());

describe('docs/config.md', () => {
  it('documents every key of the config schema (src/config/schema.ts)', () => {
    const missing = schemaPaths.filter((path) => !documented.has(findDocumentedPath(path)));
    expect(missing, 'add a row for each of these to docs/config.md').toEqual([]);
  });

  it('documents no key that the schema lacks', () => {
    const known = new Set(schemaPaths);
    const stale = [...documented.keys()].filter((path) => !known.has(path));
    expect(stale, 'these rows of docs/config.md name keys the schema does not have').toEqual([]);
  });

  it('gives every field a type, a default, a meaning and an example', () => {
    const incomplete: string[] = [];
    for (const line of markdown.split('\n')) {
      const key = /^\|\s*`([^`]+)`\s*\|/.exec(line)?.[1];
      if (!key) continue;
      const cells = line.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim());
      if (cells.length !== 5 || cells.some((c) => c === '')) incomplete.push(key);
    }
    expect(incomplete).toEqual([]);
    expect(documented.size).toBeGreaterThan(100);
  });

  it('reads the meaning column of a row', () => {
    const keys = parseDocumentedKeys('| `a.b` | string | none | What it does, with `code`. | `b: x` |\n| not a row |\n');
    expect([...keys]).toEqual([['a.b', 'What it does, with `code`.']]);
  });
});
