import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadBundle, loadRun } from '../../../src/report/run-bundle.js';
import { renderReportFiles } from '../../../src/report/write-report.js';
import { runCli } from '../cli/run-cli.js';
import { emptyDoc, emptyTask } from './fixture-doc.js';

const temp = mkdtempSync(join(tmpdir(), 'hpcbench-report-confine-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** Files a hostile run directory points at: they must never reach a report. */
const outside = join(temp, 'outside');
mkdirSync(outside);
writeFileSync(join(outside, 'id_ed25519'), 'PRIVATE-KEY-MATERIAL\n');
writeFileSync(join(outside, 'hpcbench.yaml'), 'OTHER-PROJECT-CONFIG: 1\n');
mkdirSync(join(outside, 'scripts'));
writeFileSync(join(outside, 'scripts', 'x.sbatch'), 'ELSEWHERE-SCRIPT\n');

/** A project: <project>/hpcbench.yaml and <project>/results/<run>/. */
function makeRun(project: string, run: string, manifest: Record<string, unknown>): string {
  const dir = join(temp, project, 'results', run);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'metrics.json'), JSON.stringify(emptyDoc(run, ['infer'], [emptyTask('infer', 'main')])));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ run_id: run, ...manifest }));
  return dir;
}

const LEAKS = ['PRIVATE-KEY-MATERIAL', 'OTHER-PROJECT-CONFIG', 'ELSEWHERE-SCRIPT'];

async function renderAll(dir: string): Promise<Map<string, string>> {
  const { doc, bundle } = loadRun(dir);
  return renderReportFiles(doc, bundle, { formats: ['md', 'csv', 'json', 'html'], langs: ['en', 'pt-BR'] });
}

describe('reproduction bundle: only the run’s own regular files', () => {
  it('a symlink and a FIFO in scripts/, an absolute config_file and a linked sacct.txt are not read, and the report says so', async () => {
    const dir = makeRun('p1', 'r1', { config_file: join(outside, 'hpcbench.yaml') });
    mkdirSync(join(dir, 'scripts'));
    writeFileSync(join(dir, 'scripts', 'infer.sbatch'), '#!/bin/bash\necho ok\n');
    symlinkSync(join(outside, 'id_ed25519'), join(dir, 'scripts', 'keys.sbatch'));
    execFileSync('mkfifo', [join(dir, 'scripts', 'pipe.sbatch')]);
    symlinkSync(join(outside, 'id_ed25519'), join(dir, 'sacct.txt'));

    const bundle = loadBundle(dir);
    expect(bundle.scripts.map((s) => s.path)).toEqual(['scripts/infer.sbatch']);
    expect(bundle.config).toBeUndefined();
    expect(bundle.sacct).toBeUndefined();
    expect(bundle.refused).toEqual([
      { path: 'scripts/keys.sbatch', reason: 'symlink' },
      { path: 'scripts/pipe.sbatch', reason: 'not-regular' },
      { path: 'hpcbench.yaml', reason: 'config-elsewhere' },
      { path: 'sacct.txt', reason: 'symlink' },
    ]);

    const files = await renderAll(dir);
    for (const [name, text] of files) for (const leak of LEAKS) expect(text, `${name} holds ${leak}`).not.toContain(leak);
    const md = files.get('report.md') ?? '';
    expect(md).toContain('Not embedded, to keep the report to the run’s own files:');
    expect(md).toContain('- `scripts/keys.sbatch` is a symbolic link; links are not followed: not embedded.');
    expect(md).toContain('- `scripts/pipe.sbatch` is not a regular file (a device, FIFO or socket): not embedded.');
    expect(md).toContain('- `hpcbench.yaml` is named by manifest.json `config_file` but is not the run’s own config');
    expect(files.get('report.pt-BR.md')).toContain('- `scripts/keys.sbatch` é um link simbólico; links não são seguidos: não incluído.');
    expect(files.get('report.html')).toContain('<li><code>scripts/keys.sbatch</code> is a symbolic link; links are not followed: not embedded.</li>');
    const json = JSON.parse(files.get('report.json') ?? '{}') as { report: { reproduction: { refused: unknown[]; scripts: { path: string }[] } } };
    expect(json.report.reproduction.refused).toHaveLength(4);
    expect(json.report.reproduction.scripts.map((s) => s.path)).toEqual(['scripts/infer.sbatch']);
    // The absolute path of this machine is not written into the shared report either.
    for (const [, text] of files) expect(text).not.toContain(outside);
  });

  it('hpcbench report warns on stderr about what it did not embed, and the written report holds none of it', async () => {
    const dir = makeRun('p6', 'r6', { config_file: join(outside, 'id_ed25519') });
    symlinkSync(join(outside, 'id_ed25519'), join(dir, 'sacct.txt'));
    const out = join(temp, 'p6-report');
    const result = await runCli(['report', dir, '--out', out, '--format', 'md,json']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('warning: r6: sacct.txt is a symbolic link; links are not followed: not embedded');
    expect(result.stderr).toContain('warning: r6: id_ed25519 is named by manifest.json `config_file`');
    for (const name of ['report.md', 'report.json']) expect(readFileSync(join(out, name), 'utf8')).not.toContain('PRIVATE-KEY-MATERIAL');
  });

  it('a config_file escaping the project, a linked config copy and a linked scripts/ folder are refused', () => {
    const dir = makeRun('p2', 'r2', { config_file: '../../../outside/hpcbench.yaml' });
    symlinkSync(join(outside, 'hpcbench.yaml'), join(dir, 'hpcbench.yaml'));
    symlinkSync(join(outside, 'scripts'), join(dir, 'scripts'));
    const bundle = loadBundle(dir);
    expect(bundle.config).toBeUndefined();
    expect(bundle.scripts).toEqual([]);
    expect(bundle.refused).toEqual([
      { path: 'scripts/', reason: 'symlink' },
      { path: 'hpcbench.yaml', reason: 'symlink' },
      { path: 'hpcbench.yaml', reason: 'config-elsewhere' },
    ]);
  });

  it('a script reached through a linked subfolder resolves outside the run and is refused', () => {
    const dir = makeRun('p3', 'r3', {});
    mkdirSync(join(dir, 'scripts'));
    writeFileSync(join(dir, 'scripts', 'a.sbatch'), 'echo a\n');
    // A folder link inside scripts/ is skipped as a folder would be: its files are never listed.
    symlinkSync(join(outside, 'scripts'), join(dir, 'scripts', 'more'));
    const bundle = loadBundle(dir);
    expect(bundle.scripts.map((s) => s.path)).toEqual(['scripts/a.sbatch']);
    expect(bundle.refused).toEqual([{ path: 'scripts/more', reason: 'symlink' }]);
  });

  it('the project’s own hpcbench.yaml named by config_file (absolute, as render writes it) is embedded', () => {
    const dir = makeRun('p4', 'r4', { config_file: join(temp, 'p4', 'hpcbench.yaml') });
    writeFileSync(join(temp, 'p4', 'hpcbench.yaml'), 'project: p4\n');
    const bundle = loadBundle(dir);
    expect(bundle.config?.path).toBe('hpcbench.yaml');
    expect(bundle.config?.text).toBe('project: p4\n');
    expect(bundle.refused).toEqual([]);
  });

  it('a project config in a subfolder (a config with root:) is embedded, shown relative to the project', () => {
    mkdirSync(join(temp, 'p7', 'conf'), { recursive: true });
    writeFileSync(join(temp, 'p7', 'conf', 'hpcbench.yaml'), 'root: ..\n');
    const dir = makeRun('p7', 'r7', { config_file: join(temp, 'p7', 'conf', 'hpcbench.yaml') });
    const bundle = loadBundle(dir);
    expect(bundle.config?.path).toBe(join('conf', 'hpcbench.yaml'));
    expect(bundle.config?.text).toBe('root: ..\n');
  });

  it('inside the project, a config_file that is not an hpcbench.yaml, or a linked one, is refused; so is any config_file of a run outside results/', () => {
    const named = loadBundle(makeRun('p8', 'r8', { config_file: '.env' }));
    expect(named.refused).toEqual([{ path: '.env', reason: 'config-elsewhere' }]);
    symlinkSync(join(outside, 'hpcbench.yaml'), join(temp, 'p8', 'hpcbench.yaml'));
    const linked = loadBundle(makeRun('p8', 'r8b', { config_file: 'hpcbench.yaml' }));
    expect(linked.config).toBeUndefined();
    expect(linked.refused).toEqual([{ path: 'hpcbench.yaml', reason: 'symlink' }]);
    const loose = join(temp, 'loose', 'r9');
    mkdirSync(loose, { recursive: true });
    writeFileSync(join(temp, 'loose', 'hpcbench.yaml'), 'project: loose\n');
    writeFileSync(join(loose, 'manifest.json'), JSON.stringify({ config_file: join(temp, 'loose', 'hpcbench.yaml') }));
    expect(loadBundle(loose).refused).toEqual([{ path: 'hpcbench.yaml', reason: 'config-elsewhere' }]);
  });

  it('a copy of the config inside the run wins and is read as a regular file', () => {
    const dir = makeRun('p5', 'r5', { config_file: '/etc/hostname' });
    writeFileSync(join(dir, 'hpcbench.yaml'), 'project: copy\n');
    const bundle = loadBundle(dir);
    expect(bundle.config?.text).toBe('project: copy\n');
    expect(bundle.refused).toEqual([]);
  });
});
