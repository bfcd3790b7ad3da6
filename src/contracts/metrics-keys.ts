/**
 * The key codec of metrics.json (hpcbench.metrics/2): on disk every key is snake_case, in memory
 * the profile's types keep their names (mostly camelCase, some snake_case). The codec converts
 * keys at the file boundary, so the rest of the code is unchanged.
 *
 * Converting back needs to know, for each object of the document, whether its in-memory keys are
 * camelCase or snake_case, and which maps hold user data (parameter names, job metadata, file
 * names), whose keys are never touched: that is the tree below. A part it does not list takes the
 * case of its parent.
 */

interface KeyNode {
  /** The case of the in-memory keys of this object (and of the parts below it that are not listed). */
  readonly mode: 'camel' | 'snake';
  /** In-memory keys that stay snake_case inside a camelCase part. */
  readonly keep?: readonly string[];
  /** Children whose value is a map of user data: its keys (and everything below) are kept as written. */
  readonly data?: readonly string[];
  readonly fields?: Readonly<Record<string, KeyNode>>;
}

/**
 * Maps whose keys are data wherever they appear: sweep and inference parameters, extra
 * percentiles ("99.9"), what the job wrote (metadata.json, environment.json), warm-up counts by
 * experiment, rejected lines by file, the values a warning code or a missing-section code quotes
 * (`warningCodes` in a section is `warning_codes` on disk like any other key).
 */
const DATA_ANYWHERE: ReadonlySet<string> = new Set(['params', 'percentiles', 'metadata', 'environment', 'warmup_by_experiment', 'byFile', 'values']);

const CAMEL: KeyNode = { mode: 'camel' };
const SNAKE: KeyNode = { mode: 'snake' };

const TASK: KeyNode = {
  mode: 'snake',
  fields: {
    // Per-GPU `missing` counts are keyed by nvidia-smi field and by the value it printed.
    gpu: { mode: 'camel', fields: { gpus: { mode: 'camel', data: ['missing'] } } },
    gpu_series: CAMEL,
    inference: CAMEL,
    training: { mode: 'camel', keep: ['diverged_at_step'] },
    accounting: CAMEL,
    process: CAMEL,
    gpu_processes: CAMEL,
    checkpoints: SNAKE,
    billing: SNAKE,
  },
};

const DOCUMENT: KeyNode = {
  mode: 'snake',
  fields: { sources: { mode: 'snake', fields: { rejected: CAMEL } }, tasks: TASK },
};

/** Units whose case a snake_case word does not tell: `memoryUsedMiB`, `clocksSmMHz`. */
const UNIT_WORDS: Readonly<Record<string, string>> = { mib: 'MiB', mhz: 'MHz' };

const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]*$/;

/** `memoryUsedMiB` → `memory_used_mib`, `latencyP50S` → `latency_p50_s`; snake_case keys and non-identifiers unchanged. */
export function convertKeyToSnake(key: string): string {
  if (!/[A-Z]/.test(key) || !IDENTIFIER.test(key)) return key;
  const words = key.match(/MiB|MHz|[A-Z][a-z0-9]*|[a-z0-9]+/g) ?? [key];
  return words.join('_').toLowerCase();
}

/** The inverse of convertKeyToSnake for the keys hpcbench writes: `memory_used_mib` → `memoryUsedMiB`. */
function convertKeyToCamel(key: string): string {
  if (!/^[a-z][a-z0-9]*(_[a-z0-9]+)+$/.test(key)) return key;
  const [first, ...rest] = key.split('_');
  return (first ?? '') + rest.map((word) => UNIT_WORDS[word] ?? word.charAt(0).toUpperCase() + word.slice(1)).join('');
}

function childOf(node: KeyNode, key: string): KeyNode {
  return node.fields?.[key] ?? (node.mode === 'camel' ? CAMEL : SNAKE);
}

function isDataMap(node: KeyNode, key: string): boolean {
  return DATA_ANYWHERE.has(key) || (node.data?.includes(key) ?? false);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A copy of a JSON value with its keys renamed for the file (encode) or for memory (decode); data maps are kept as they are. */
function convertValue(value: unknown, node: KeyNode, direction: 'encode' | 'decode'): unknown {
  if (Array.isArray(value)) return value.map((item: unknown) => convertValue(item, node, direction));
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    const memoryKey = direction === 'encode' ? key : decodeKey(key, node);
    const outKey = direction === 'encode' ? convertKeyToSnake(key) : memoryKey;
    // A key such as "__proto__" must stay a plain data key, never the object's prototype.
    Object.defineProperty(out, outKey, {
      value: isDataMap(node, memoryKey) ? child : convertValue(child, childOf(node, memoryKey), direction),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

function decodeKey(key: string, node: KeyNode): string {
  if (node.mode === 'snake' || (node.keep?.includes(key) ?? false)) return key;
  return convertKeyToCamel(key);
}

/** An in-memory metrics document (or any part of one laid out the same way) with snake_case keys, as metrics.json holds it. */
export function encodeMetricsKeys(document: unknown): unknown {
  return convertValue(document, DOCUMENT, 'encode');
}

/** A parsed hpcbench.metrics/2 document with the in-memory keys back. */
export function decodeMetricsKeys(document: unknown): unknown {
  return convertValue(document, DOCUMENT, 'decode');
}

/** A field path of the in-memory document as the file spells it, for error messages: `tasks[0].gpu.overall.energy_j`. */
export function encodeMetricsPath(path: readonly PropertyKey[]): PropertyKey[] {
  let node: KeyNode | undefined = DOCUMENT;
  return path.map((part) => {
    if (typeof part !== 'string' || node === undefined) return part;
    const current: KeyNode = node;
    node = isDataMap(current, part) ? undefined : childOf(current, part);
    return convertKeyToSnake(part);
  });
}
