// hpcbench.yaml that is hostile or broken in ways a shape check cannot see: alias bombs,
// thousands of nesting levels, NUL bytes, prototype names. Each is exit 2 at file:line:column.
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../src/config/load.js';
import { ConfigError, ExitCode } from '../../../src/errors.js';

const BASE = `version: 1
clusters:
  local:
    preset: generic
    transport: local
    workdir: ./results
    partitions:
      local: { kind: cpu, cpus_per_node: 2, mem_per_node: 4G, max_time: "01:00:00" }
experiments:
  a:
    cluster: local
    partition: local
    command: echo hi
`;

function refusal(text: string): ConfigError {
  try {
    parseConfigText(text, 'hpcbench.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).exitCode).toBe(ExitCode.usage);
    return error as ConfigError;
  }
  throw new Error('expected the config to be refused');
}

describe('config loader guards', () => {
  it('accepts the base config', () => {
    expect(Object.keys(parseConfigText(BASE, 'hpcbench.yaml').raw.experiments ?? {})).toEqual(['a']);
  });

  it('refuses an alias bomb at the first alias, before it expands', () => {
    let bomb = 'x-a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < 9; i++) bomb += `x-a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]\n`;
    const heapBefore = process.memoryUsage().heapUsed;
    const error = refusal(bomb + BASE);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(200 * 1024 * 1024);
    expect(error.issues).toHaveLength(1);
    expect(error.message).toMatch(/hpcbench\.yaml:2:12: aliases expand to far more data than the file holds \(a YAML alias bomb\?\): expected each anchor to be used at most 100 times/);
  });

  it('refuses 2,000-deep nesting (flow, block, and a deep block of compact lists) with a position, not a stack overflow', () => {
    const flow = refusal(`${BASE}extra: ${'['.repeat(2000)}${']'.repeat(2000)}\n`);
    expect(flow.issues).toHaveLength(1);
    expect(flow.message).toMatch(/hpcbench\.yaml:14:72: nested deeper than 64 levels of \[ \] and \{ \}/);
    const compact = refusal(`${BASE}extra:\n  ${'- '.repeat(2000)}1\n`);
    expect(compact.issues).toHaveLength(1);
    expect(compact.message).toMatch(/hpcbench\.yaml:\d+:\d+: (extra[[0\]]*…?: )?nested (too deeply|deeper than 64 levels)/);
    const block = refusal(`${BASE}extra:\n${Array.from({ length: 1000 }, (_, i) => `${' '.repeat(i + 1)}k:`).join('\n')} 1\n`);
    expect(block.issues).toHaveLength(1);
    expect(block.message).toMatch(/hpcbench\.yaml:\d+:\d+: (extra[.k]*…?: )?nested (too deeply|deeper than 64 levels)/);
    // Deep enough to hurt the resolver, shallow enough for the parser: the walk of the document finds it.
    const medium = refusal(`${BASE}extra:\n${Array.from({ length: 100 }, (_, i) => `${' '.repeat(i + 1)}k:`).join('\n')} 1\n`);
    expect(medium.message).toMatch(/hpcbench\.yaml:\d+:\d+: extra[.k]+…: nested deeper than 64 levels/);
  });

  it('refuses millions of brackets before the parser spends memory on them, and a file over 1 MiB', () => {
    const heapBefore = process.memoryUsage().heapUsed;
    expect(refusal(`${'['.repeat(900_000)}\n${BASE}`).message).toMatch(/hpcbench\.yaml:1:65: nested deeper than 64 levels/);
    expect(refusal(`${BASE}# ${'x'.repeat(1024 * 1024)}\n`).message).toMatch(/hpcbench\.yaml:1:1: the file is \d+ bytes: expected a config of at most 1048576 bytes/);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(200 * 1024 * 1024);
    // Brackets inside values and comments are not nesting.
    expect(() => parseConfigText(BASE.replace('echo hi', `"echo ${'['.repeat(100)}" # ${'{'.repeat(100)}`), 'hpcbench.yaml')).not.toThrow();
  });

  it('refuses a NUL byte or another control character with its line and column', () => {
    expect(refusal(BASE.replace('echo hi', 'echo \u0000hi')).message).toMatch(/hpcbench\.yaml:13:19: a NUL byte in the file: expected YAML text/);
    expect(refusal(BASE.replace('version', 'ver\u0007sion')).message).toMatch(/hpcbench\.yaml:1:4: control character U\+0007 in the file/);
  });

  it('refuses prototype names as experiment, cluster and env keys instead of dropping them', () => {
    const experiment = refusal(BASE.replace('  a:\n', '  __proto__:\n'));
    expect(experiment.issues[0]).toMatchObject({ path: 'experiments.__proto__', line: 10, column: 3 });
    expect(experiment.message).toMatch(/'__proto__' cannot be used as a name: expected a name other than __proto__, constructor or prototype/);
    expect(refusal(BASE.replace('  a:\n', '  constructor:\n')).issues[0]).toMatchObject({ path: 'experiments.constructor', line: 10 });
    expect(refusal(BASE.replace('  local:\n    preset', '  prototype:\n    preset')).issues[0]).toMatchObject({ path: 'clusters.prototype', line: 3 });
    const env = refusal(BASE.replace('    command: echo hi', '    command: echo hi\n    env:\n      __proto__: x\n      prototype: y'));
    expect(env.issues.map((i) => [i.path, i.line, i.column])).toEqual([
      ['experiments.a.env.__proto__', 15, 7],
      ['experiments.a.env.prototype', 16, 7],
    ]);
  });
});
