/**
 * Reading hpcbench.yaml: find it, parse it with positions kept, check its shape. Every problem
 * found is reported at once with file:line:column and the config path.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { ConfigError, UsageError, type ConfigIssue } from '../errors.js';
import { configSchema, type RawConfig } from './schema.js';
import { resolveConfig } from './resolve.js';
import { SourceMap, sortIssues, type ConfigPath } from './source-map.js';

// Importers of the loader also sort issues; the function lives in source-map.ts so resolve.ts needs no import back.
export { sortIssues };
import { closest, describeValue } from './suggest.js';
import { checkConfigSize, describeParserError, findControlCharacters, findDeepFlow, findFirstAlias, findUnsafeNodes, MAX_ALIAS_COUNT, MAX_CONFIG_DEPTH, measureDataDepth } from './load-guards.js';

export const CONFIG_FILE_NAMES = ['hpcbench.yaml', 'hpcbench.yml'] as const;

/** Finds hpcbench.yaml in `start` or the nearest ancestor directory. */
export function findConfigFile(start: string = process.cwd()): string | undefined {
  let dir = resolve(start);
  for (;;) {
    for (const name of CONFIG_FILE_NAMES) {
      const candidate = join(dir, name);
      if (existsSync(candidate)) return candidate;
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The explicit `--config` path, or the file found upward from the working directory. */
export function resolveConfigPath(explicit: string | undefined, cwd: string = process.cwd()): string {
  if (explicit !== undefined) {
    const path = resolve(cwd, explicit);
    if (!existsSync(path)) {
      throw new UsageError(`config file not found: ${explicit}`, 'Check the path given to --config.');
    }
    return path;
  }
  const found = findConfigFile(cwd);
  if (!found) {
    throw new UsageError(
      `no hpcbench.yaml in ${cwd} or any parent directory`,
      'Pass --config <file>, or start from data_sample/hpcbench.yaml (see the README).',
    );
  }
  return found;
}

export interface LoadedConfig {
  readonly file: string;
  readonly raw: RawConfig;
  readonly source: SourceMap;
}

/** Parses and shape-checks YAML text; `file` is used in messages only. */
export function parseConfigText(text: string, file: string): LoadedConfig {
  const size = checkConfigSize(text, file);
  if (size.length > 0) throw new ConfigError(size, 'Is this the right file? hpcbench.yaml describes clusters and experiments in a few kilobytes.');
  const control = findControlCharacters(text, file);
  if (control.length > 0) throw new ConfigError(control, 'Save hpcbench.yaml as plain UTF-8 text and remove the stray bytes.');
  const deepFlow = findDeepFlow(text, file);
  if (deepFlow.length > 0) throw new ConfigError(deepFlow);
  const lines = new LineCounter();
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  } catch (error) {
    // The parser recurses per nesting level: a file thousands of levels deep exhausts the stack.
    if (error instanceof RangeError) throw new ConfigError([{ file, path: '', line: 1, column: 1, message: describeParserError(error.message) }]);
    throw error;
  }
  const source = new SourceMap(file, doc, lines);
  const syntaxIssues: ConfigIssue[] = doc.errors.map((error) => {
    const pos = lines.linePos(error.pos[0]);
    const firstLine = error.message.split('\n')[0] ?? error.message;
    return { file, path: '', line: pos.line, column: pos.col, message: describeParserError(firstLine) };
  });
  if (syntaxIssues.length > 0) {
    // Running out of stack is reported at every level it unwinds through: once is enough.
    const tooDeep = syntaxIssues.find((i) => i.message.startsWith('nested too deeply'));
    if (tooDeep !== undefined) throw new ConfigError([tooDeep]);
    throw new ConfigError(syntaxIssues, 'Fix the YAML syntax first; indentation must use spaces.');
  }
  const unsafe = findUnsafeNodes(doc, file, lines);
  if (unsafe.length > 0) throw new ConfigError(unsafe, 'Rename those keys, and keep the file to the shape the README describes.');
  const data = convertToData(doc, file, lines);
  if (data === null || data === undefined) {
    throw new ConfigError([{ file, path: '', line: 1, column: 1, message: 'the file is empty: expected a mapping with `clusters:` and `experiments:`' }]);
  }
  const result = configSchema.safeParse(data);
  if (!result.success) {
    const shape = result.error.issues.flatMap((issue) => describeZodIssue(issue, data, source));
    throw new ConfigError(sortIssues([...shape, ...laterIssues(data, result.error.issues, shape, file, source)]));
  }
  return { file, raw: result.data, source };
}

/**
 * The document as plain data. Aliases are expanded here, so an alias bomb (anchors referring
 * to anchors, each used many times) and a chain of aliases nesting too deep are refused here.
 */
function convertToData(doc: Document.Parsed, file: string, lines: LineCounter): unknown {
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    if (!(error instanceof ReferenceError || error instanceof RangeError)) throw error;
    const at = findFirstAlias(doc, lines);
    const message =
      error instanceof RangeError
        ? `aliases nest too deeply: expected at most ${MAX_CONFIG_DEPTH} levels of mappings and lists`
        : `aliases expand to far more data than the file holds (a YAML alias bomb?): expected each anchor to be used at most ${MAX_ALIAS_COUNT} times in all`;
    throw new ConfigError([{ file, path: '', ...at, message }], 'Write the values out, or use fewer anchors and aliases.');
  }
  if (measureDataDepth(data) > MAX_CONFIG_DEPTH) {
    throw new ConfigError([{ file, path: '', ...findFirstAlias(doc, lines), message: `aliases nest too deeply: expected at most ${MAX_CONFIG_DEPTH} levels of mappings and lists` }]);
  }
  return data;
}

/**
 * The problems that checks after the shape (unknown partitions, limits, dependencies) would also
 * find, so that one run of `config check` lists them all: the values with a wrong shape are left
 * out, and the rest is resolved as usual. Issues at or under a path already reported are dropped.
 */
function laterIssues(data: unknown, zodIssues: readonly z.core.$ZodIssue[], shape: readonly ConfigIssue[], file: string, source: SourceMap): ConfigIssue[] {
  const salvaged = withoutRefusedValues(data, zodIssues);
  if (salvaged === undefined) return [];
  const again = configSchema.safeParse(salvaged);
  if (!again.success) return [];
  try {
    resolveConfig({ file, raw: again.data, source });
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) return [];
    const reported = shape.map((i) => i.path);
    return error.issues.filter((i) => !reported.some((p) => i.path === p || i.path.startsWith(`${p}.`) || i.path.startsWith(`${p}[`)));
  }
}

/**
 * A copy of the config data without the values zod refused (unknown keys, values of a wrong
 * shape), for the checks that can still run on the rest; undefined when nothing useful is left.
 */
export function withoutRefusedValues(data: unknown, zodIssues: readonly z.core.$ZodIssue[]): unknown {
  const salvaged = structuredClone(data);
  for (const issue of zodIssues) {
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

export function loadConfigFile(path: string): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read config file ${path}: ${(error as Error).message}`);
  }
  return parseConfigText(text, displayPath(path));
}

/** Paths in messages are relative to the working directory when the file lies under it. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

function valueAt(data: unknown, path: ConfigPath): unknown {
  let current = data;
  for (const part of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[part];
  }
  return current;
}

function describeZodIssue(issue: z.core.$ZodIssue, data: unknown, source: SourceMap): ConfigIssue[] {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = allowedKeysAt(path);
      return issue.keys.map((key) => {
        const guess = closest(key, allowed);
        const hint = guess ? ` — did you mean '${guess}'?` : '.';
        const list = allowed.length > 0 ? ` Allowed keys: ${allowed.join(', ')}.` : '';
        return source.issue(path, `unknown key '${key}'${hint}${list}`, { key });
      });
    }
    case 'invalid_type': {
      const found = valueAt(data, path);
      const what = found === undefined ? 'nothing (the key is missing)' : describeValue(found);
      return [source.issue(path, `expected ${issue.expected}, found ${what}`)];
    }
    case 'invalid_value':
      return [
        source.issue(
          path,
          `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, found ${describeValue(valueAt(data, path))}`,
        ),
      ];
    case 'invalid_union': {
      const found = describeValue(valueAt(data, path));
      // The branches' own complaints are usually about type; name the accepted forms instead.
      const expected = unionExpectation(path);
      return [source.issue(path, `expected ${expected}, found ${found}`)];
    }
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? 'at least' : 'at most';
      const limit = String(issue.code === 'too_small' ? issue.minimum : issue.maximum);
      const unit = issue.origin === 'array' ? ' item(s)' : issue.origin === 'string' ? ' character(s)' : '';
      return [source.issue(path, `expected ${bound} ${limit}${unit}, found ${describeValue(valueAt(data, path))}`)];
    }
    default:
      return [source.issue(path, `${issue.message}, found ${describeValue(valueAt(data, path))}`)];
  }
}

function unionExpectation(path: ConfigPath): string {
  const last = path[path.length - 1];
  if (last === 'time' || last === 'max_time' || last === 'default_time') {
    return 'a SLURM time such as "02:00:00", "1-12:00:00" or minutes as a number';
  }
  if (last === 'mem' || last === 'mem_per_node') return 'memory such as 64G or 512M, or MiB as a number';
  if (last === 'ssh') return 'a host alias ("sdumont"), "user@host:port", or a mapping with host/user/port';
  return 'a string, number or boolean';
}

/** Keys the schema allows at `path`, for "did you mean" suggestions. */
function allowedKeysAt(path: ConfigPath): string[] {
  let schema: unknown = configSchema;
  for (const part of path) {
    schema = unwrap(schema);
    const def = defOf(schema);
    if (def?.type === 'object' && def.shape) schema = def.shape[String(part)];
    else if (def?.type === 'record') schema = def.valueType;
    else if (def?.type === 'array') schema = def.element;
    else return [];
  }
  const def = defOf(unwrap(schema));
  return def?.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}

interface SchemaDef {
  type: string;
  shape?: Record<string, unknown>;
  valueType?: unknown;
  element?: unknown;
  innerType?: unknown;
}

function defOf(schema: unknown): SchemaDef | undefined {
  if (schema && typeof schema === 'object' && '_zod' in schema) {
    return (schema as { _zod: { def: SchemaDef } })._zod.def;
  }
  return undefined;
}

function unwrap(schema: unknown): unknown {
  let current = schema;
  for (let def = defOf(current); def && (def.type === 'optional' || def.type === 'default' || def.type === 'nullable'); def = defOf(current)) {
    current = def.innerType;
  }
  return current;
}

