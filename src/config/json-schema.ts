/**
 * The JSON Schema of hpcbench.yaml, derived from the zod schema so that editors (through
 * `# yaml-language-server: $schema=…`) complete and check exactly what `config check` accepts.
 * Descriptions come from docs/config.md, the one place where fields are explained, so hovering a
 * key in an editor shows the same text as the reference.
 *
 * schema/hpcbench.schema.json is generated from here (`npm run schema`); a unit test fails when
 * the committed file and a fresh generation differ.
 */
import * as z from 'zod';
import { configSchema } from './schema.js';

/** A JSON Schema node, as far as this module reads it. */
export interface JsonSchemaNode {
  type?: string | string[];
  description?: string;
  pattern?: string;
  properties?: Record<string, JsonSchemaNode>;
  additionalProperties?: JsonSchemaNode | boolean;
  items?: JsonSchemaNode;
  anyOf?: JsonSchemaNode[];
  [key: string]: unknown;
}

/** The placeholder a record key takes in a documented path: `clusters.<name>.workdir`. */
const RECORD_KEY = '<name>';

/**
 * Rewrites a regular expression source so that it matches case-insensitively without the `i`
 * flag, which JSON Schema patterns cannot carry: `G` becomes `[Gg]`, `[KM]` becomes `[KMkm]`.
 */
export function expandCaseInsensitive(source: string): string {
  let out = '';
  let inClass = false;
  let classExtra = '';
  for (let i = 0; i < source.length; i++) {
    const ch = source.charAt(i);
    if (ch === '\\') {
      out += source.slice(i, i + 2);
      i++;
      continue;
    }
    if (inClass) {
      if (ch === ']') {
        out += `${classExtra}]`;
        inClass = false;
        classExtra = '';
        continue;
      }
      const end = source.charAt(i + 2);
      if (source.charAt(i + 1) === '-' && end !== ']' && end !== '') {
        // A range (a-z) gains the same range in the other case.
        if (swapCase(ch) !== ch) classExtra += `${swapCase(ch)}-${swapCase(end)}`;
        out += source.slice(i, i + 3);
        i += 2;
        continue;
      }
      const other = swapCase(ch);
      if (other !== ch && !classExtra.includes(other)) classExtra += other;
      out += ch;
      continue;
    }
    if (ch === '[') {
      inClass = true;
      out += ch;
      continue;
    }
    const other = swapCase(ch);
    out += other === ch ? ch : `[${ch}${other}]`;
  }
  return out;
}

function swapCase(ch: string): string {
  const lower = ch.toLowerCase();
  return lower === ch ? ch.toUpperCase() : lower;
}

/** The regular expressions of a zod string schema's `.regex()` checks. */
function zodPatterns(schema: unknown): RegExp[] {
  const checks = (schema as { _zod?: { def?: { checks?: { _zod?: { def?: { pattern?: unknown } } }[] } } })._zod?.def?.checks ?? [];
  return checks.map((c) => c._zod?.def?.pattern).filter((p): p is RegExp => p instanceof RegExp);
}

/**
 * Key paths documented once for several places: `defaults.profiling` takes the same fields as an
 * experiment's `profiling`.
 */
const DOCUMENTED_ALIASES: readonly (readonly [string, string])[] = [['defaults.profiling.', 'experiments.<name>.profiling.']];

/** The docs/config.md key path that documents a schema key path. */
export function findDocumentedPath(path: string): string {
  for (const [from, to] of DOCUMENTED_ALIASES) if (path.startsWith(from)) return `${to}${path.slice(from.length)}`;
  return path;
}

/** Walks every object property of the schema, calling `visit` with its dotted key path. */
function visitSchemaKeys(node: JsonSchemaNode, visit: (path: string, node: JsonSchemaNode) => void, prefix = ''): void {
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    visit(path, child);
    visitSchemaKeys(child, visit, path);
  }
  const extra = node.additionalProperties;
  if (typeof extra === 'object' && (extra.properties || extra.anyOf || extra.additionalProperties || extra.items)) {
    visitSchemaKeys(extra, visit, prefix ? `${prefix}.${RECORD_KEY}` : RECORD_KEY);
  }
  for (const branch of node.anyOf ?? []) visitSchemaKeys(branch, visit, prefix);
  if (node.items && typeof node.items === 'object') visitSchemaKeys(node.items, visit, `${prefix}[]`);
}

/** Every key path of hpcbench.yaml in the schema, in schema order, without duplicates. */
export function listSchemaKeyPaths(schema: JsonSchemaNode): string[] {
  const paths = new Set<string>();
  visitSchemaKeys(schema, (path) => paths.add(path));
  return [...paths];
}

/**
 * The fields documented in docs/config.md: table rows whose first cell is a key path in
 * backticks, mapped to the row's meaning column (the fifth cell: | key | type | default | meaning | example |).
 */
export function parseDocumentedKeys(markdown: string): Map<string, string> {
  const keys = new Map<string, string>();
  for (const line of markdown.split('\n')) {
    const match = /^\|\s*`([^`]+)`\s*\|(.*)\|\s*$/.exec(line);
    if (!match?.[1] || !match[2]) continue;
    const cells = match[2].split(/(?<!\\)\|/).map((c) => c.trim());
    keys.set(match[1], (cells[2] ?? '').replace(/\\\|/g, '|'));
  }
  return keys;
}

/** Markdown of a table cell made plain for an editor tooltip: no backticks, no links. */
function plainText(cell: string): string {
  return cell
    .replace(/\[([^\]]+)\]\([^)]+\)/g, '$1')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/<br>/g, ' ')
    .trim();
}

/**
 * The JSON Schema (draft-07, the draft editors' YAML plugins support best) of hpcbench.yaml as
 * it is written (zod's input side), with descriptions from docs/config.md when given.
 */
export function generateConfigJsonSchema(docsMarkdown?: string): JsonSchemaNode {
  const schema = z.toJSONSchema(configSchema, {
    target: 'draft-7',
    io: 'input',
    override: (ctx) => {
      const insensitive = zodPatterns(ctx.zodSchema).find((p) => p.flags.includes('i'));
      const node = ctx.jsonSchema as JsonSchemaNode;
      if (insensitive && typeof node.pattern === 'string') node.pattern = expandCaseInsensitive(insensitive.source);
    },
  }) as JsonSchemaNode;
  schema.title = 'hpcbench.yaml';
  schema.description = 'An hpcbench experiment description: clusters, experiments and defaults. Reference: docs/config.md.';
  if (docsMarkdown !== undefined) {
    const documented = parseDocumentedKeys(docsMarkdown);
    visitSchemaKeys(schema, (path, node) => {
      const text = documented.get(findDocumentedPath(path));
      if (text) node.description = plainText(text);
    });
  }
  return schema;
}

/** The committed file's text: two-space JSON and a final newline, so diffs stay readable. */
export function formatConfigJsonSchema(schema: JsonSchemaNode): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}
