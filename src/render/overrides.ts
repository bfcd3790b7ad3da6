/**
 * `--set key=value`: change one experiment for one render without editing hpcbench.yaml.
 *
 *   --set batch_size=8            a parameter; if batch_size is swept, the sweep axis becomes [8]
 *   --set batch_size=[1,2]        a swept axis gets new values (YAML flow list)
 *   --set resources.time=02:00:00 a dotted path inside the experiment (resources, sweep, profiling, checkpoint, …)
 *   --set partition=gpu           top-level experiment fields: cluster, partition, template, job_name, command, description
 *   --set parameters.partition=x  a parameter whose name clashes with a field
 *
 * Values are read as YAML scalars (8 is a number, true a boolean, "8" a string). The overrides are
 * applied to the YAML document, which is then validated like the file itself.
 */
import { isMap, isScalar, isSeq, parse, parseDocument } from 'yaml';
import { UsageError } from '../errors.js';
import type { Scalar } from '../config/schema.js';

export interface SetOverride {
  /** Path inside the experiment. */
  path: string[];
  value: Scalar | Scalar[];
  /** The argument as given, for messages. */
  text: string;
}

const EXPERIMENT_FIELDS = new Set(['cluster', 'partition', 'template', 'job_name', 'command', 'description']);
const KEY = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)*$/;

function isScalarValue(value: unknown): value is Scalar {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

export function parseSetArgument(text: string): SetOverride {
  const eq = text.indexOf('=');
  const key = eq > 0 ? text.slice(0, eq) : '';
  if (!KEY.test(key)) {
    throw new UsageError(`--set ${JSON.stringify(text)}: expected key=value, e.g. --set batch_size=8 or --set resources.time=02:00:00`);
  }
  const raw = text.slice(eq + 1);
  let value: unknown;
  try {
    value = raw === '' ? '' : parse(raw);
  } catch {
    value = raw;
  }
  if (value === null) value = raw;
  const ok = isScalarValue(value) || (Array.isArray(value) && value.length > 0 && value.every(isScalarValue));
  if (!ok) throw new UsageError(`--set ${key}: the value must be a string, number, boolean or a [list, of, them]; found ${JSON.stringify(raw)}`);
  const parts = key.split('.');
  const path = parts.length > 1 || EXPERIMENT_FIELDS.has(key) ? parts : ['parameters', key];
  return { path, value: value as Scalar | Scalar[], text };
}

/** The config text with the overrides applied to one experiment. */
export function applySetOverrides(text: string, experiment: string, overrides: readonly SetOverride[]): string {
  if (overrides.length === 0) return text;
  const doc = parseDocument(text);
  const base = ['experiments', experiment];
  if (!isMap(doc.getIn(base, true))) {
    throw new UsageError(`--set: no experiment '${experiment}' to change`);
  }
  for (const o of overrides) {
    let path = [...base, ...o.path];
    const [first, name] = o.path;
    if (o.path.length === 2 && first === 'parameters' && name !== undefined) {
      const axis = [...base, 'sweep', 'matrix', name];
      if (isSeq(doc.getIn(axis, true))) {
        doc.setIn(axis, doc.createNode(Array.isArray(o.value) ? o.value : [o.value]));
        continue;
      }
      if (Array.isArray(o.value)) {
        throw new UsageError(`--set ${o.text}: '${name}' is not swept, so it takes one value; to sweep it add it under sweep.matrix`);
      }
    }
    const existing = doc.getIn(path, true);
    if (existing !== undefined && !isScalar(existing) && !isSeq(existing)) {
      throw new UsageError(`--set ${o.text}: ${o.path.join('.')} is a mapping; set one of its fields (e.g. ${o.path.join('.')}.<field>=…)`);
    }
    path = [...base, ...o.path];
    doc.setIn(path, doc.createNode(o.value));
  }
  return doc.toString({ lineWidth: 0 });
}
