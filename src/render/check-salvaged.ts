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
import { withoutRefusedValues } from '../config/load.js';
import { configSchema } from '../config/schema.js';
import { SourceMap } from '../config/source-map.js';
import { checkLoadedConfig } from './check-config.js';

/** The data without the values zod refused; undefined when nothing useful is left. */
function salvage(data: unknown): unknown {
  const first = configSchema.safeParse(data);
  return first.success ? undefined : withoutRefusedValues(data, first.error.issues);
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
