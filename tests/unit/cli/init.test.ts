import { existsSync, mkdtempSync, readFileSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { promptInitAnswers, resolveInitFlags } from '../../../src/cli/init.js';
import { UsageError } from '../../../src/errors.js';
import { runCli } from './run-cli.js';

const dirs: string[] = [];
function makeDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hpcbench-init-cli-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Answers typed in advance, and what the prompts printed. */
function scripted(lines: string[]): { io: { input: PassThrough; output: PassThrough }; printed: () => string } {
  const input = new PassThrough();
  const output = new PassThrough();
  let printed = '';
  output.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  input.end(lines.map((l) => `${l}\n`).join(''));
  return { io: { input, output }, printed: () => printed };
}

describe('hpcbench init prompts', () => {
  it('asks for what the flags did not give, takes defaults on empty lines, and asks again after a bad answer', async () => {
    const { io, printed } = scripted(['sdumont2', 'sdumont-2nd', 'bad host!', 'login2', '', 'alice', '']);
    const answers = await promptInitAnswers({}, io, '/home/alice/llm-bench', 'localme');
    expect(answers).toEqual({ preset: 'sdumont-2nd', host: 'login2', project: 'llm-bench', user: 'alice', account: 'llm-bench' });
    expect(printed()).toContain("expected one of santos-dumont, sdumont-2nd, generic, got 'sdumont2'");
    expect(printed()).toContain("got 'bad host!'");
    expect(printed()).toContain('User name on the cluster [localme]: ');
    expect(printed()).toContain('Account for sbatch --account [llm-bench]: ');
  });

  it('does not ask for what flags gave, nor for an account the preset does not need', async () => {
    const { io, printed } = scripted(['myuser']);
    const answers = await promptInitAnswers({ preset: 'generic', host: 'hpc', project: 'p' }, io, '/x', 'me');
    expect(answers).toEqual({ preset: 'generic', host: 'hpc', project: 'p', user: 'myuser', account: undefined });
    expect(printed()).not.toContain('SSH host');
    expect(printed()).not.toContain('Account');
  });

  it('stops with a usage error when the input ends before every answer', async () => {
    const { io } = scripted(['generic']);
    await expect(promptInitAnswers({}, io, '/x', 'me')).rejects.toThrow(/input ended before "SSH host/);
  });
});

describe('hpcbench init flags', () => {
  it('without a terminal and without --yes, names the missing flags', async () => {
    await expect(resolveInitFlags({ preset: 'generic' }, false, '/x', 'me')).rejects.toThrow(UsageError);
    await expect(resolveInitFlags({ preset: 'generic' }, false, '/x', 'me')).rejects.toThrow(/--host, --project, --user are missing/);
  });

  it('with --yes, takes defaults for what is missing', async () => {
    expect(await resolveInitFlags({ host: 'h' }, true, '/work/proj', 'me')).toEqual({ preset: 'santos-dumont', host: 'h', project: 'proj', user: 'me', account: undefined });
  });

  it('refuses an unknown preset', async () => {
    await expect(resolveInitFlags({ preset: 'slurm' }, true, '/x', 'me')).rejects.toThrow(/--preset: expected one of/);
  });
});

describe('hpcbench init (CLI)', () => {
  it('writes the files with --yes, the config passes `config check` and renders, and a second init exits 2 naming the files', async () => {
    const dir = join(makeDir(), 'new-project');
    const args = ['init', '--yes', '--dir', dir, '--preset', 'generic', '--host', 'hpc.example.org', '--project', 'proj', '--user', 'bob'];
    const first = await runCli(args);
    expect(first.stderr).not.toContain('hpcbench:');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('wrote hpcbench.yaml');
    expect(readdirSync(dir).sort()).toEqual(['data', 'hpcbench.schema.json', 'hpcbench.yaml', 'workloads']);

    const check = await runCli(['config', 'check', '--config', join(dir, 'hpcbench.yaml')]);
    expect(check.stderr).toBe('');
    expect(check.code).toBe(0);
    expect(check.stdout).toContain('valid');

    const out = join(makeDir(), 'run');
    const render = await runCli(['render', 'gpu-example', '--config', join(dir, 'hpcbench.yaml'), '--out', out]);
    expect(render.stderr).not.toContain('hpcbench:');
    expect(render.code).toBe(0);
    expect(existsSync(join(out, 'manifest.json'))).toBe(true);

    const before = readFileSync(join(dir, 'hpcbench.yaml'), 'utf8');
    const second = await runCli([...args, '--project', 'other']);
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/not overwriting existing files in .*: hpcbench\.yaml, hpcbench\.schema\.json, workloads\/infer\.py/);
    expect(second.stderr).toContain('--force');
    expect(second.stderr).not.toContain('    at ');
    expect(readFileSync(join(dir, 'hpcbench.yaml'), 'utf8')).toBe(before);

    const forced = await runCli([...args, '--project', 'other', '--force']);
    expect(forced.code).toBe(0);
    expect(readFileSync(join(dir, 'hpcbench.yaml'), 'utf8')).toContain('project: "other"');
  });

  it('prints the answers and files as JSON with --json', async () => {
    const dir = makeDir();
    const result = await runCli(['init', '--yes', '--json', '--dir', dir, '--preset', 'sdumont-2nd', '--host', 'sd2', '--project', 'p', '--user', 'u']);
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout) as { answers: { account: string }; files: string[] };
    expect(doc.answers.account).toBe('p');
    expect(doc.files).toContain('workloads/hpcbench_log.py');
  });

  it('exits 2 on a bad flag value, naming it', async () => {
    const dir = makeDir();
    const result = await runCli(['init', '--yes', '--dir', dir, '--host', 'a b']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--host: expected a Host alias from ~/.ssh/config or user@host[:port], got 'a b'");
    expect(readdirSync(dir)).toEqual([]);
  });
});
