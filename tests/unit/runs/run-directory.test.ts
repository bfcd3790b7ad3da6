import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveRunDirectory, resultsRoot } from '../../../src/runs/run-directory.js';
import { UsageError } from '../../../src/errors.js';

function project(): { dir: string; config: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hpcb-args-'));
  mkdirSync(join(dir, 'conf'));
  const config = join(dir, 'conf', 'hpcbench.yaml');
  writeFileSync(config, 'root: ..\nclusters:\n  c: { preset: generic, transport: local, partitions: { p: { kind: cpu } } }\n');
  for (const [id, marker] of [['20261124-070000-a-0001', 'run.json'], ['20261124-080000-b-0002', 'manifest.json'], ['20261124-090000-b-0003', 'metrics.json']]) {
    mkdirSync(join(dir, 'results', id as string), { recursive: true });
    writeFileSync(join(dir, 'results', id as string, marker as string), '{}');
  }
  mkdirSync(join(dir, 'results', 'not-a-run'));
  return { dir, config };
}

describe('run arguments', () => {
  it('finds results/ in the config project directory (its root:)', () => {
    const { dir, config } = project();
    expect(resultsRoot(config)).toBe(join(dir, 'results'));
  });

  it('reads root: however the YAML spells the key, and puts results/ beside a config without one', () => {
    const { dir, config } = project();
    const clusters = 'clusters:\n  c: { preset: generic, transport: local, partitions: { p: { kind: cpu } } }\n';
    // The same key as a quoted escape, and inside a flow mapping: results/ is the project's all the same.
    writeFileSync(config, `"r\\x6fot": ..\n${clusters}`);
    expect(resultsRoot(config)).toBe(join(dir, 'results'));
    writeFileSync(config, `{ root: .., clusters: { c: { preset: generic, transport: local, partitions: { p: { kind: cpu } } } } }\n`);
    expect(resultsRoot(config)).toBe(join(dir, 'results'));
    // No root: beside the config, whether the file is valid or not, and whatever its comments say.
    writeFileSync(config, `# the project's roots are elsewhere\n${clusters}`);
    expect(resultsRoot(config)).toBe(join(dir, 'conf', 'results'));
    writeFileSync(config, clusters);
    expect(resultsRoot(config)).toBe(join(dir, 'conf', 'results'));
    writeFileSync(config, 'clusters: [not, a, mapping]\n');
    expect(resultsRoot(config)).toBe(join(dir, 'conf', 'results'));
    // A root: in a config that does not load is not trusted either (the run commands must still work).
    writeFileSync(config, 'root: ..\nclusters: [not, a, mapping]\n');
    expect(resultsRoot(config)).toBe(join(dir, 'conf', 'results'));
  });

  it('resolves latest, exact ids and unique prefixes; refuses ambiguous ones', () => {
    const { dir, config } = project();
    expect(resolveRunDirectory('latest', config)).toBe(join(dir, 'results', '20261124-090000-b-0003'));
    expect(resolveRunDirectory('20261124-07', config)).toBe(join(dir, 'results', '20261124-070000-a-0001'));
    expect(() => resolveRunDirectory('20261124-0', config)).toThrow(/ambiguous/);
    expect(() => resolveRunDirectory('nope', config)).toThrow(UsageError);
    expect(() => resolveRunDirectory('not-a-run', config)).toThrow(/no run 'not-a-run'/);
  });
});
