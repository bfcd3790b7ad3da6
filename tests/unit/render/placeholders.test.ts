// Sweep values in commands (issue 12, point 1): `{name}` placeholders are filled per array task with
// the value quoted for where it stands, `{{name}}` stays literal, `${name}` is the shell's; every
// parameter is also exported as HPCBENCH_PARAM_<NAME>. The rendered scripts run for real under bash.
import { execFileSync, spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findPlaceholders, mentionsParameter, parameterEnvName, substitutePlaceholders } from '../../../src/render/placeholders.js';
import { renderRun } from '../../../src/render/index.js';
import { configFromObjects, fileOf } from './helpers.js';
import { createSandbox, runScriptSync } from './run-script.js';

/** Prints each argument the workload received on its own line, between brackets. */
const ARGS = `printf '[%s]\\n'`;

describe('finding and filling placeholders', () => {
  it('finds {name} but not ${name}, {{name}}, JSON, awk code or brace expansion', () => {
    const text = `python x.py --bs {batch_size} --lr {lr} \${HOME} {{literal}} '{"a": {"b": 1}}' awk '{print $1}' {1..3} {a,b} {}`;
    expect(findPlaceholders(text).map((p) => p.name)).toEqual(['batch_size', 'lr']);
  });

  it('quotes a value for the quotes it sits in', () => {
    const value = `it's "a" $HOME \`x\` \\`;
    expect(substitutePlaceholders('echo {v}', { v: value })).toBe(`echo 'it'\\''s "a" $HOME \`x\` \\'`);
    expect(substitutePlaceholders(`echo '<{v}>'`, { v: value })).toBe(`echo '<it'\\''s "a" $HOME \`x\` \\>'`);
    expect(substitutePlaceholders('echo "<{v}>"', { v: value })).toBe('echo "<it\'s \\"a\\" \\$HOME \\`x\\` \\\\>"');
    expect(substitutePlaceholders('echo {{v}} {v}', { v: 16 })).toBe('echo {v} 16');
  });

  it('quotes a value inside $(…) or backquotes as a word of its own, even within double quotes', () => {
    const v = 'a;touch pwned';
    expect(substitutePlaceholders('echo "$(echo {v} "{v}") {v}"', { v })).toBe(`echo "$(echo 'a;touch pwned' "a;touch pwned") a;touch pwned"`);
    expect(substitutePlaceholders('echo "`echo {v}`" (x) {v}', { v })).toBe(`echo "\`echo 'a;touch pwned'\`" (x) 'a;touch pwned'`);
    expect(substitutePlaceholders(`echo "$(f '(' {v})" {v}`, { v })).toBe(`echo "$(f '(' 'a;touch pwned')" 'a;touch pwned'`);
  });

  it('any value reaches the program as one argument with the same bytes, bare, in quotes or in $(…)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }).filter((v) => !v.includes('\0')), (v) => {
        const code = substitutePlaceholders(`printf '[%s]' {v} "{v}" '{v}' "$(printf '%s' {v})" x{v}y`, { v });
        const out = spawnSync('bash', ['-c', code], { encoding: 'utf8', timeout: 20_000 });
        const sub = v.replace(/\n+$/, '');
        expect(out.stdout).toBe(`[${v}][${v}][${v}][${sub}][x${v}y]`);
      }),
      { numRuns: 60 },
    );
  });

  it('tells whether a command reads a parameter at all', () => {
    expect(mentionsParameter('python x.py --bs {bs}', 'bs')).toBe(true);
    expect(mentionsParameter('python x.py --bs "$bs"', 'bs')).toBe(true);
    expect(mentionsParameter('python x.py --bs ${bs:-1}', 'bs')).toBe(true);
    expect(mentionsParameter('python x.py --bs $bsx ${bsx}', 'bs')).toBe(false);
    expect(mentionsParameter('python x.py --batch 16', 'bs')).toBe(false);
  });

  it('names the second variable HPCBENCH_PARAM_<NAME>', () => {
    expect(parameterEnvName('batch_size')).toBe('HPCBENCH_PARAM_BATCH_SIZE');
    expect(parameterEnvName('maxNewTokens2')).toBe('HPCBENCH_PARAM_MAXNEWTOKENS2');
  });
});

describe('rendered scripts run each task with its own values', () => {
  const values = ['plain', 'two words', `it's "quoted" $HOME`, '$(touch pwned)'];

  it('gives each array task its own quoted command line, and HPCBENCH_PARAM_* variables', () => {
    const config = configFromObjects(
      {},
      {
        partition: 'cpu',
        command: `${ARGS} --batch_size {batch_size} --note {note} "dq={note}" 'sq={note}' --model {model} {{batch_size}} "$HPCBENCH_PARAM_BATCH_SIZE" "$HPCBENCH_PARAM_MODEL" > "$HPCBENCH_OUT_DIR/args.txt"`,
        parameters: { model: 'tiny gpt' },
        sweep: { matrix: { batch_size: [1, 16], note: values } },
      },
    );
    const rendered = renderRun(config, 'exp', { runId: 'r1' });
    const script = fileOf(rendered, 'scripts/exp.sbatch');
    expect(script).toContain(`--batch_size 16 --note 'two words'`);
    const points = rendered.manifest.jobs[0]?.array?.points ?? [];
    const box = createSandbox(rendered);
    for (const task of [0, 5, 7]) {
      const point = points[task] ?? {};
      const result = runScriptSync(box, 'scripts/exp.sbatch', { SLURM_ARRAY_TASK_ID: String(task), SLURM_JOB_ID: '7' });
      expect(result.status, result.stderr).toBe(0);
      const args = readFileSync(join(box.runDir, 'out/exp', String(task), 'args.txt'), 'utf8');
      const note = String(point.note);
      const bs = String(point.batch_size);
      expect(args).toBe(
        [`--batch_size`, bs, '--note', note, `dq=${note}`, `sq=${note}`, '--model', 'tiny gpt', '{batch_size}', bs, 'tiny gpt'].map((a) => `[${a}]\n`).join(''),
      );
    }
    expect(execFileSync('find', [box.root, '-name', 'pwned*'], { encoding: 'utf8' })).toBe('');
  });

  it('fills placeholders in the experiment setup lines too', () => {
    const config = configFromObjects({}, { partition: 'cpu', setup: ['export FROM_SETUP={size}'], command: `${ARGS} "$FROM_SETUP" > "$HPCBENCH_OUT_DIR/args.txt"`, sweep: { matrix: { size: ['a b', 'c'] } } });
    const rendered = renderRun(config, 'exp', { runId: 'r2' });
    const box = createSandbox(rendered);
    const result = runScriptSync(box, 'scripts/exp.sbatch', { SLURM_ARRAY_TASK_ID: '0', SLURM_JOB_ID: '8' });
    expect(result.status, result.stderr).toBe(0);
    expect(readFileSync(join(box.runDir, 'out/exp/0/args.txt'), 'utf8')).toBe('[a b]\n');
  });

  it('refuses two parameters that would share one HPCBENCH_PARAM_ name', () => {
    const config = configFromObjects({}, { partition: 'cpu', command: 'echo {lr} {LR}', parameters: { lr: 1 }, sweep: { matrix: { LR: [2, 3] } } });
    expect(() => renderRun(config, 'exp', { runId: 'r4' })).toThrow(/parameters 'lr' and 'LR' would both be exported as HPCBENCH_PARAM_LR: rename one/);
  });

  it('a command without placeholders is written as it is', () => {
    const config = configFromObjects({}, { partition: 'cpu', command: 'echo "$n" {x,y} ${HOME}', sweep: { matrix: { n: [1, 2] } } });
    const script = fileOf(renderRun(config, 'exp', { runId: 'r3' }), 'scripts/exp.sbatch');
    expect(script).toContain('\necho "$n" {x,y} ${HOME}\n');
    expect(script).not.toContain('case "$HPCBENCH_TASK"');
  });
});
