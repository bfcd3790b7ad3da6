import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  expandCaseInsensitive,
  formatConfigJsonSchema,
  generateConfigJsonSchema,
  type JsonSchemaNode,
} from '../../../src/config/json-schema.js';
import { configSchema } from '../../../src/config/schema.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const COMMITTED = join(ROOT, 'schema', 'hpcbench.schema.json');
const docs = readFileSync(join(ROOT, 'docs', 'config.md'), 'utf8');

function compileSchema(): (data: unknown) => { valid: boolean; errors: string[] } {
  const ajv = new Ajv({ allErrors: true });
  const validate = ajv.compile(JSON.parse(readFileSync(COMMITTED, 'utf8')) as object);
  return (data) => {
    const valid = validate(data) === true;
    return { valid, errors: (validate.errors ?? []).map((e) => `${e.dataPath} ${e.message ?? ''}`) };
  };
}

/** The YAML example configs of the repository that a user may copy from. */
const EXAMPLES = [
  'data_sample/hpcbench.yaml',
  'data_sample/run-example/hpcbench.yaml',
  'tests/fixtures/render/hpcbench.yaml',
  'tests/fixtures/render/cluster.yaml',
  'tests/fixtures/workloads/cluster.yaml',
];

describe('schema/hpcbench.schema.json', () => {
  it('is what the zod schema and docs/config.md generate now (run `npm run schema` when this fails)', () => {
    const fresh = formatConfigJsonSchema(generateConfigJsonSchema(docs));
    expect(readFileSync(COMMITTED, 'utf8')).toBe(fresh);
  });

  it('carries the descriptions of docs/config.md, for editors to show', () => {
    const schema = JSON.parse(readFileSync(COMMITTED, 'utf8')) as JsonSchemaNode;
    const clusters = schema.properties?.clusters?.additionalProperties as JsonSchemaNode;
    expect(clusters.properties?.workdir?.description).toContain('{project} and {user} are substituted');
    const experiment = schema.properties?.experiments?.additionalProperties as JsonSchemaNode;
    expect(experiment.properties?.sweep?.properties?.max_parallel?.description).toContain('--array=0-N%max_parallel');
  });

  it.each(EXAMPLES)('accepts %s, which config check accepts too', (file) => {
    const data: unknown = parse(readFileSync(join(ROOT, file), 'utf8'));
    expect(configSchema.safeParse(data).success).toBe(true);
    const result = compileSchema()(data);
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('accepts the README configuration example', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const block = /## Configuration\s+```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    expect(compileSchema()(parse(block ?? '')).errors).toEqual([]);
  });

  it('refuses what zod refuses: an unknown key, a wrong type, a malformed memory size', () => {
    const check = compileSchema();
    const base = { version: 1, clusters: { c: { preset: 'generic', ssh: 'h' } } };
    const cases: unknown[] = [
      { ...base, experiment: {} },
      { ...base, clusters: { c: { preset: 'generic', ssh: 'h', partitons: {} } } },
      { ...base, experiments: { e: { resources: { gpus: 'two' } } } },
      { ...base, experiments: { e: { resources: { mem: '64 gigs' } } } },
      { ...base, version: 2 },
      { ...base, experiments: { e: { checkpoint: { signal: 'KILL' } } } },
      { version: 1 },
    ];
    for (const data of cases) {
      expect(configSchema.safeParse(data).success, JSON.stringify(data)).toBe(false);
      expect(check(data).valid, JSON.stringify(data)).toBe(false);
    }
  });

  it('takes memory sizes in any case, as zod does (the i flag is spelled out in the pattern)', () => {
    const check = compileSchema();
    for (const mem of ['64G', '64g', '512Mi', '1tb', '2.5GiB']) {
      const data = { clusters: { c: { ssh: 'h', partitions: { p: { kind: 'cpu', mem_per_node: mem } } } } };
      expect(configSchema.safeParse(data).success, mem).toBe(true);
      expect(check(data).errors, mem).toEqual([]);
    }
  });
});

describe('expandCaseInsensitive', () => {
  it('spells out both cases outside and inside character classes, leaving escapes alone', () => {
    expect(expandCaseInsensitive('^\\d+[KM]i?B$')).toBe('^\\d+[KMkm][iI]?[Bb]$');
    expect(expandCaseInsensitive('[a-c_]x')).toBe('[a-c_A-C][xX]');
    expect(new RegExp(`^${expandCaseInsensitive('[a-c]z')}$`).test('Bz')).toBe(true);
    expect(new RegExp(`^${expandCaseInsensitive('[a-c]z')}$`).test('dZ')).toBe(false);
  });
});
