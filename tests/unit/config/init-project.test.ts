import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import {
  INIT_PRESETS,
  defaultInitAnswers,
  listInitFiles,
  renderInitConfig,
  validateInitAnswers,
  writeInitFiles,
  type InitAnswers,
} from '../../../src/config/init-project.js';
import { UsageError } from '../../../src/errors.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const dirs: string[] = [];
function makeDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hpcbench-init-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const answers = (preset: InitAnswers['preset']): InitAnswers => ({ preset, host: 'login.example.org', project: 'proj1', user: 'alice' });

describe('hpcbench init files', () => {
  it.each(INIT_PRESETS)('writes a config for preset %s that config check accepts, a GPU and a CPU experiment', (preset) => {
    const dir = makeDir();
    const written = writeInitFiles(dir, listInitFiles(answers(preset)));
    expect(written).toContain('hpcbench.yaml');
    const config = loadConfig(join(dir, 'hpcbench.yaml'));
    const cluster = config.clusters.main;
    expect(cluster?.preset).toBe(preset);
    expect(cluster?.ssh?.host).toBe('login.example.org');
    expect(cluster?.project).toBe('proj1');
    expect(cluster?.user).toBe('alice');
    const gpu = config.experiments['gpu-example'];
    const cpu = config.experiments['cpu-example'];
    expect(cluster?.partitions[gpu?.partition ?? '']?.kind).toBe('gpu');
    expect(gpu?.resources.gpus_per_node).toBe(1);
    expect(gpu?.sweep?.matrix.batch_size).toEqual([1, 4, 16]);
    expect(cluster?.partitions[cpu?.partition ?? '']?.kind).toBe('cpu');
    expect(cpu?.resources.gpus_per_node).toBe(0);
    // Every file the experiments upload is there.
    for (const file of [...(gpu?.files ?? []), ...(cpu?.files ?? [])]) expect(existsSync(join(dir, file)), file).toBe(true);
  });

  it('fills the account on sdumont-2nd, which requires one', () => {
    const dir = makeDir();
    writeInitFiles(dir, listInitFiles(answers('sdumont-2nd')));
    expect(loadConfig(join(dir, 'hpcbench.yaml')).clusters.main?.account).toBe('proj1');
    expect(renderInitConfig(answers('santos-dumont'))).not.toMatch(/^\s*account:/m);
    expect(renderInitConfig({ ...answers('santos-dumont'), account: 'acct9' })).toMatch(/^ {4}account: "acct9"/m);
  });

  it('sizes the CPU experiment only on a shared partition; a whole-node one gets the whole node', () => {
    const whole = renderInitConfig(answers('santos-dumont'));
    expect(whole).not.toContain('mem: 8G');
    expect(whole).toMatch(/# \S+ gives whole nodes/);
    expect(renderInitConfig(answers('generic'))).toContain('      cpus_per_task: 4\n      mem: 8G');
  });

  it('names the schema on the first line, and writes that schema beside the config', () => {
    const dir = makeDir();
    writeInitFiles(dir, listInitFiles(answers('generic')));
    const text = readFileSync(join(dir, 'hpcbench.yaml'), 'utf8');
    const ref = /^# yaml-language-server: \$schema=(\S+)\n/.exec(text)?.[1];
    expect(ref).toBe('./hpcbench.schema.json');
    expect(readFileSync(join(dir, ref ?? ''), 'utf8')).toBe(readFileSync(join(ROOT, 'schema', 'hpcbench.schema.json'), 'utf8'));
  });

  it('quotes answers, so a numeric project stays a string', () => {
    const dir = makeDir();
    writeInitFiles(dir, listInitFiles({ ...answers('santos-dumont'), project: '0042' }));
    const cluster = loadConfig(join(dir, 'hpcbench.yaml')).clusters.main;
    expect(cluster?.project).toBe('0042');
    expect(cluster?.workdir).toBe('/scratch/0042/alice/hpcbench');
  });

  it('copies a workload that runs from the new project (n-gram backend, no PyTorch needed)', () => {
    const dir = makeDir();
    writeInitFiles(dir, listInitFiles(answers('generic')));
    expect(statSync(join(dir, 'workloads', 'infer.py')).mode & 0o100).toBe(0o100);
    execFileSync('python3', ['workloads/infer.py', '--backend', 'ngram', '--prompts', 'data/prompts.txt', '--batch-size', '2', '--max-new-tokens', '4', '--iterations', '2', '--warmup', '0', '--output', 'out.jsonl'], { cwd: dir, stdio: 'pipe', env: { ...process.env, batch_size: '2' } });
    const records = readFileSync(join(dir, 'out.jsonl'), 'utf8').trim().split('\n');
    expect(records.length).toBeGreaterThan(1);
    expect(records[0]).toContain('hpcbench.inference/1');
  });

  it('refuses to overwrite: names the existing files and writes nothing', () => {
    const dir = makeDir();
    writeFileSync(join(dir, 'hpcbench.yaml'), 'mine\n');
    const files = listInitFiles(answers('generic'));
    expect(() => writeInitFiles(dir, files)).toThrow(UsageError);
    expect(() => writeInitFiles(dir, files)).toThrow(/not overwriting an existing file in .*: hpcbench\.yaml/);
    expect(readFileSync(join(dir, 'hpcbench.yaml'), 'utf8')).toBe('mine\n');
    expect(existsSync(join(dir, 'workloads'))).toBe(false);
  });

  it('overwrites with force', () => {
    const dir = makeDir();
    writeFileSync(join(dir, 'hpcbench.yaml'), 'mine\n');
    writeInitFiles(dir, listInitFiles(answers('generic')), { force: true });
    expect(readFileSync(join(dir, 'hpcbench.yaml'), 'utf8')).toMatch(/^# yaml-language-server/);
  });

  it('refuses a --dir that is a file', () => {
    const dir = makeDir();
    writeFileSync(join(dir, 'f'), '');
    expect(() => writeInitFiles(join(dir, 'f'), listInitFiles(answers('generic')))).toThrow(/is not a directory/);
  });

  it('refuses answers that would break paths or the ssh command line, naming each flag', () => {
    const bad: InitAnswers = { preset: 'santos-dumont', host: '-oProxyCommand=touch x', project: 'a/b', user: 'ok' };
    expect(() => validateInitAnswers(bad)).toThrow(/--host: .*'-oProxyCommand=touch x'.*--project: .*'a\/b'/);
    expect(() => validateInitAnswers({ ...bad, preset: 'sdumont' as InitAnswers['preset'], host: 'h', project: 'p' })).toThrow(
      /--preset: expected one of santos-dumont, sdumont-2nd, generic/,
    );
    expect(validateInitAnswers({ preset: 'generic', host: 'me@login-1.example.org:2222', project: 'p_1', user: 'u.x' }).host).toBe('me@login-1.example.org:2222');
  });

  it('is part of the library API', async () => {
    const api = await import('../../../src/index.js');
    expect(api.renderInitConfig(answers('generic'))).toBe(renderInitConfig(answers('generic')));
    expect(api.INIT_PRESETS).toEqual(['santos-dumont', 'sdumont-2nd', 'generic']);
    expect(api.listSchemaKeyPaths(api.generateConfigJsonSchema())).toContain('experiments.<name>.sweep.matrix');
  });

  it('offers defaults from the directory and the local user', () => {
    expect(defaultInitAnswers('sdumont-2nd', '/home/x/My Project', 'bob')).toEqual({ preset: 'sdumont-2nd', host: 'sdumont', project: 'My-Project', user: 'bob', account: 'My-Project' });
    expect(defaultInitAnswers('generic', '/', 'bad user')).toMatchObject({ host: 'cluster', project: 'myproject', user: 'me', account: undefined });
  });
});
