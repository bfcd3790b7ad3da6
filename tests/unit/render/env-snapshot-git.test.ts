// The project's git state recorded in manifest.json at render time: commit and dirty flag, or
// nothing outside a git checkout.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifestSchema } from '../../../src/contracts/manifest.js';
import { loadConfigText } from '../../../src/config/index.js';
import { renderRun } from '../../../src/render/index.js';
import { readProjectGit } from '../../../src/render/project-git.js';
import { tempDir } from './helpers.js';

function git(dir: string, ...args: string[]): string {
  const result = spawnSync('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@example.org', '-c', 'commit.gpgsign=false', ...args], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

const CONFIG = `clusters:
  local:
    preset: generic
    transport: local
    partitions:
      cpu: { kind: cpu, cpus_per_node: 8, mem_per_node: 22G, max_time: "01:00:00" }
experiments:
  exp: { partition: cpu, command: "true", resources: { time: 5 } }
`;

describe('project git state', () => {
  it('is absent outside a git checkout', () => {
    const dir = tempDir('nogit');
    // A parent directory that is a checkout would answer for it: a temp dir is not inside one.
    expect(readProjectGit(dir)).toBeUndefined();
    const rendered = renderRun(loadConfigText(CONFIG, join(dir, 'hpcbench.yaml'), dir), 'exp', { runId: 'g0' });
    expect(rendered.manifest.git).toBeUndefined();
  });

  it('records the commit, clean and then dirty, in the manifest', () => {
    const dir = tempDir('git');
    git(dir, 'init', '-q');
    writeFileSync(join(dir, 'hpcbench.yaml'), CONFIG);
    git(dir, 'add', 'hpcbench.yaml');
    git(dir, 'commit', '-q', '-m', 'first');
    const head = git(dir, 'rev-parse', 'HEAD');
    const config = loadConfigText(CONFIG, join(dir, 'hpcbench.yaml'), dir);
    const clean = renderRun(config, 'exp', { runId: 'g1' });
    expect(clean.manifest.git).toEqual({ commit: head, dirty: false });
    writeFileSync(join(dir, 'train.py'), 'print(1)\n');
    const dirty = renderRun(config, 'exp', { runId: 'g2' });
    expect(dirty.manifest.git).toEqual({ commit: head, dirty: true });
    // Readers keep it: the contract knows the field.
    const parsed = manifestSchema.parse(JSON.parse(dirty.files.get('manifest.json') ?? '{}'));
    expect(parsed.git).toEqual({ commit: head, dirty: true });
  });
});
