/**
 * Maps a config path (`experiments.lora.resources.time`) back to a line and column of the YAML
 * file, so every problem can be reported where the user must fix it.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, type Document, type Node } from 'yaml';
import type { ConfigIssue } from '../errors.js';

export type ConfigPath = readonly (string | number)[];

export function formatPath(path: ConfigPath): string {
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : /^[A-Za-z_][\w-]*$/.test(part) ? (i === 0 ? part : `.${part}`) : `[${JSON.stringify(part)}]`))
    .join('');
}

export class SourceMap {
  constructor(
    readonly file: string,
    private readonly doc: Document | undefined,
    private readonly lines: LineCounter,
  ) {}

  /**
   * Position of the value at `path`, or of the nearest existing ancestor when the value is
   * missing. With `key`, the position of that key inside the mapping at `path`.
   */
  locate(path: ConfigPath, key?: string): { line: number; column: number } | undefined {
    if (!this.doc) return undefined;
    for (let depth = path.length; depth >= 0; depth--) {
      const prefix = path.slice(0, depth);
      const node = prefix.length === 0 ? this.doc.contents : this.doc.getIn(prefix, true);
      if (!node || typeof node !== 'object') continue;
      if (key !== undefined && depth === path.length && isMap(node)) {
        const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === key);
        const keyNode = pair && isPair(pair) ? (pair.key as Node | null) : null;
        if (keyNode?.range) return this.position(keyNode.range[0]);
      }
      if (depth < path.length && depth > 0) {
        // The value is missing: point at the key of the deepest existing parent.
        const keyPos = this.keyPosition(path.slice(0, depth));
        if (keyPos) return keyPos;
      }
      const range = (node as Node).range;
      if (range) return this.position(range[0]);
    }
    return undefined;
  }

  /** Position of the key that holds the value at `path` (its name, not its value). */
  keyPosition(path: ConfigPath): { line: number; column: number } | undefined {
    if (!this.doc || path.length === 0) return undefined;
    const parentPath = path.slice(0, -1);
    const last = path[path.length - 1];
    const parent = parentPath.length === 0 ? this.doc.contents : this.doc.getIn(parentPath, true);
    if (isMap(parent)) {
      const pair = parent.items.find((item) => isScalar(item.key) && String(item.key.value) === String(last));
      const keyNode = pair?.key as Node | null | undefined;
      if (keyNode?.range) return this.position(keyNode.range[0]);
    }
    if (isSeq(parent) && typeof last === 'number') {
      const item = parent.items[last] as Node | undefined;
      if (item?.range) return this.position(item.range[0]);
    }
    return undefined;
  }

  has(path: ConfigPath): boolean {
    return this.doc !== undefined && this.doc.hasIn(path);
  }

  issue(path: ConfigPath, message: string, options: { key?: string; atKey?: boolean } = {}): ConfigIssue {
    const pos = options.atKey ? (this.keyPosition(path) ?? this.locate(path)) : this.locate(path, options.key);
    const fullPath = options.key !== undefined ? [...path, options.key] : path;
    return { file: this.file, path: formatPath(fullPath), message, line: pos?.line, column: pos?.column };
  }

  private position(offset: number): { line: number; column: number } {
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }
}

/** Issues in the order they appear in the file, so the first one printed is the first to fix. */
export function sortIssues(issues: readonly ConfigIssue[]): ConfigIssue[] {
  return [...issues].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}
