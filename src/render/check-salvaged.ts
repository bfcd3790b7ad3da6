/**
 * `config check` after shape errors (an unknown key, a value of the wrong type): the loader has
 * reported those with what resolving the rest finds; this adds what preflight finds in the rest
 * (reserved names, missing files, placeholders), so one run lists every problem. The values of
 * a wrong shape are left out, as the loader does, and only a text that passed the loader's guards
 * (size, control characters, nesting, aliases) is parsed again.
 */
import { LineCounter, parseDocument } from 'yaml';
import type { ConfigIssue } from '../errors.js';
import { checkConfigSize, findControlCharacters, findDeepFlow, findUnsafeNodes, MAX_ALIAS_COUNT, MAX_CONFIG_DEPTH, measureDataDepth } from '../config/load-guards.js';
import { configSchema } from '../config/schema.js';
import { SourceMap } from '../config/source-map.js';
import { checkLoadedConfig } from './check-config.js';

function valueAt(data: unknown, path: readonly (string | number)[]): unknown {
  let current = data;
  for (const part of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[part];
  }
  return current;
}

/** The data without the values zod refused; undefined when nothing useful is left. */
function salvage(data: unknown): unknown {
  const first = configSchema.safeParse(data);
  if (first.success) return undefined;
  const salvaged = structuredClone(data);
  for (const issue of first.error.issues) {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      const holder = valueAt(salvaged, path);
      if (holder && typeof holder === 'object') for (const key of issue.keys) delete (holder as Record<string, unknown>)[key];
      continue;
    }
    // A bad list element takes its list with it; a bad top-level value leaves nothing to check.
    const cut = typeof path[path.length - 1] === 'number' ? path.slice(0, path.findIndex((p) => typeof p === 'number')) : path;
    if (cut.length <= 1) return undefined;
    const parent = valueAt(salvaged, cut.slice(0, -1));
    if (parent && typeof parent === 'object') delete (parent as Record<string | number, unknown>)[cut[cut.length - 1] as string | number];
  }
  return salvaged;
}

/** Problems preflight finds in the parts of the config that have the right shape, not already among `reported`. */
export function checkSalvagedConfig(text: string, file: string, root: string, reported: readonly ConfigIssue[]): ConfigIssue[] {
  if (checkConfigSize(text, file).length > 0 || findControlCharacters(text, file).length > 0 || findDeepFlow(text, file).length > 0) return [];
  const lines = new LineCounter();
  let data: unknown;
  let source: SourceMap;
  try {
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    if (doc.errors.length > 0 || findUnsafeNodes(doc, file, lines).length > 0) return [];
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    source = new SourceMap(file, doc, lines);
  } catch {
    return [];
  }
  if (measureDataDepth(data) > MAX_CONFIG_DEPTH) return [];
  const salvaged = salvage(data);
  const parsed = salvaged === undefined ? undefined : configSchema.safeParse(salvaged);
  if (!parsed?.success) return [];
  const shapePaths = reported.map((i) => i.path);
  const seen = new Set(reported.map((i) => `${i.path}\0${i.message}`));
  return checkLoadedConfig({ file, raw: parsed.data, source }, root).issues.filter(
    (i) => !seen.has(`${i.path}\0${i.message}`) && !shapePaths.some((p) => p !== '' && (i.path === p || i.path.startsWith(`${p}.`) || i.path.startsWith(`${p}[`))),
  );
}
