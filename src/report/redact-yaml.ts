/**
 * Redacts an hpcbench.yaml as text, keeping its comments and layout so the embedded config still
 * reads as the user wrote it: values under secret-looking keys (`env: {HF_TOKEN: …}`, anywhere in
 * the document, aliases followed) and secrets inside other strings (`setup: ["export HF_TOKEN=…"]`).
 * A file that does not parse is redacted line by line instead, erring on the side of hiding.
 */
import { isAlias, isCollection, isScalar, parseDocument, visit, type Document, type Node } from 'yaml';
import { isSecretKey, REDACTED, redactText } from './redact.js';

interface Replacement {
  start: number;
  end: number;
  text: string;
}

function quoted(value: string, original: string): string {
  // A block scalar's range ends with its line break; keep it so the next key stays on its own line.
  return JSON.stringify(value) + (original.endsWith('\n') ? '\n' : '');
}

/** Every scalar in a node (a secret's value may be a list or a map: all of it goes). */
function collectScalars(node: unknown, doc: Document, seen: Set<unknown>, out: Node[]): void {
  if (node === null || node === undefined || seen.has(node)) return;
  seen.add(node);
  if (isAlias(node)) {
    collectScalars(node.resolve(doc), doc, seen, out);
    return;
  }
  if (isScalar(node)) {
    out.push(node);
    return;
  }
  if (isCollection(node)) {
    for (const item of node.items) {
      if (isScalar(item) || isAlias(item) || isCollection(item)) collectScalars(item, doc, seen, out);
      else if (item !== null && typeof item === 'object' && 'value' in item) collectScalars(item.value, doc, seen, out);
    }
  }
}

function redactParsed(text: string, doc: Document): string {
  const byStart = new Map<number, Replacement>();
  const add = (node: Node, value: string): void => {
    const range = node.range;
    if (range === undefined || range === null) return;
    const [start, end] = range;
    if (end <= start) return;
    byStart.set(start, { start, end, text: quoted(value, text.slice(start, end)) });
  };
  const secretNodes: Node[] = [];
  visit(doc, {
    Pair(_, pair) {
      const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
      if (key !== undefined && isSecretKey(key)) collectScalars(pair.value, doc, new Set(), secretNodes);
    },
    Scalar(_, node) {
      if (typeof node.value !== 'string') return;
      const redacted = redactText(node.value);
      if (redacted !== node.value) add(node, redacted);
    },
  });
  // A secret's whole value wins over a partial redaction of the same scalar.
  for (const node of secretNodes) add(node, REDACTED);
  const replacements = [...byStart.values()].sort((a, b) => b.start - a.start);
  let out = text;
  let limit = Number.POSITIVE_INFINITY;
  for (const r of replacements) {
    if (r.end > limit) continue;
    out = out.slice(0, r.start) + r.text + out.slice(r.end);
    limit = r.start;
  }
  return out;
}

const YAML_PAIR = /^(\s*(?:-\s+)?)(["']?)([^\s"'#:][^"'#:]*?)\2([ \t]*:)(?:[ \t]+(.*))?$/;

/** For text that does not parse: `key: value` lines with a secret key lose the value, and what follows indented under it. */
function redactLines(text: string): string {
  const lines = text.split('\n');
  let hiddenIndent: number | undefined;
  return lines
    .map((line) => {
      const indent = line.length - line.trimStart().length;
      if (hiddenIndent !== undefined) {
        if (line.trim() === '' || indent > hiddenIndent) return line.trim() === '' ? line : `${' '.repeat(indent)}${REDACTED}`;
        hiddenIndent = undefined;
      }
      const m = YAML_PAIR.exec(line);
      if (m !== null && isSecretKey(m[3] ?? '')) {
        hiddenIndent = indent;
        const value = m[5] ?? '';
        return `${m[1] ?? ''}${m[2] ?? ''}${m[3] ?? ''}${m[2] ?? ''}${m[4] ?? ''}${value.trim() === '' ? '' : ` "${REDACTED}"`}`;
      }
      return redactText(line);
    })
    .join('\n');
}

/** An hpcbench.yaml (or any YAML) with its secrets redacted, comments and layout kept. */
export function redactYamlText(text: string): string {
  let doc: Document;
  try {
    doc = parseDocument(text, { prettyErrors: false, uniqueKeys: false });
  } catch {
    return redactLines(text);
  }
  if (doc.errors.length > 0) return redactLines(text);
  return redactParsed(text, doc);
}
