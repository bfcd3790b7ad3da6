import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { loadConfigText } from '../../../src/config/index.js';
import { applySetOverrides, parseSetArgument, renderRun } from '../../../src/render/index.js';
import { FIXTURE_DIR } from './helpers.js';

const TEXT = `# comment kept
clusters:
  local: { preset: generic, transport: local, partitions: { cpu: { kind: cpu, max_time: "01:00:00" }, cpu2: { kind: cpu } } }
experiments:
  exp:
    partition: cpu
    command: ./run.sh
    parameters: { lr: 0.1 }
    sweep: { matrix: { batch_size: [1, 2, 4] } }
    resources: { time: "00:10:00" }
`;

function apply(...sets: string[]) {
  const text = applySetOverrides(TEXT, 'exp', sets.map(parseSetArgument));
  return loadConfigText(text, 'x.yaml', FIXTURE_DIR).experiments.exp!;
}

describe('--set', () => {
  it('parses values as YAML scalars and plain keys as parameters', () => {
    expect(parseSetArgument('lr=0.5')).toMatchObject({ path: ['parameters', 'lr'], value: 0.5 });
    expect(parseSetArgument('flag=true')).toMatchObject({ value: true });
    expect(parseSetArgument('name="8"')).toMatchObject({ value: '8' });
    expect(parseSetArgument('text=a b=c')).toMatchObject({ value: 'a b=c' });
    expect(parseSetArgument('empty=')).toMatchObject({ value: '' });
    expect(parseSetArgument('partition=cpu2')).toMatchObject({ path: ['partition'] });
    expect(parseSetArgument('resources.time=02:00:00')).toMatchObject({ path: ['resources', 'time'], value: '02:00:00' });
  });

  it('changes a parameter, a dotted path and a top-level field', () => {
    const exp = apply('lr=0.5', 'resources.time=00:20:00', 'partition=cpu2', 'new_param=x');
    expect(exp.parameters).toEqual({ lr: 0.5, new_param: 'x' });
    expect(exp.resources.time).toBe('00:20:00');
    expect(exp.partition).toBe('cpu2');
  });

  it('narrows a swept parameter to one value, or replaces its list', () => {
    expect(apply('batch_size=8').sweep?.matrix).toEqual({ batch_size: [8] });
    expect(apply('batch_size=[16, 32]').sweep?.matrix).toEqual({ batch_size: [16, 32] });
  });

  it('validates the result like the file itself', () => {
    expect(() => apply('resources.time=05:00:00')).toThrow(/allows 01:00:00, you asked 05:00:00/);
  });

  it('rejects malformed arguments with the expected form', () => {
    expect(() => parseSetArgument('noequals')).toThrow(UsageError);
    expect(() => parseSetArgument('=1')).toThrow(/expected key=value/);
    expect(() => parseSetArgument('a;b=1')).toThrow(/expected key=value/);
    expect(() => parseSetArgument('x={a: 1}')).toThrow(/string, number, boolean or a \[list/);
    expect(() => apply('lr=[1,2]')).toThrow(/not swept/);
    expect(() => apply('resources={}')).toThrow(/string, number, boolean/);
    expect(() => applySetOverrides(TEXT, 'nope', [parseSetArgument('a=1')])).toThrow(/no experiment 'nope'/);
    expect(() => apply('sweep.matrix=1')).toThrow(/sweep.matrix is a mapping/);
  });

  it('renders the overridden experiment', () => {
    const text = applySetOverrides(TEXT, 'exp', [parseSetArgument('batch_size=8')]);
    const run = renderRun(loadConfigText(text, 'x.yaml', FIXTURE_DIR), 'exp', { runId: 'r' });
    expect(run.manifest.jobs[0]?.array?.points).toEqual([{ batch_size: 8 }]);
  });
});
