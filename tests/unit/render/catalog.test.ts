// Shipped templates, and a project's templates/ directory overriding them by name.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { findTemplate, listTemplates, readTemplate, renderRun } from '../../../src/render/index.js';
import { listJobTemplateNames } from '../../../src/render/catalog.js';
import { localConfig, tempDir } from './helpers.js';

function project(files: Record<string, string>): string {
  const dir = join(tempDir('tpl'), 'templates');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe('template catalog', () => {
  it('lists the shipped job templates, scripts, layout and partials', () => {
    const entries = listTemplates();
    expect(entries.filter((e) => e.kind === 'job').map((e) => e.name)).toEqual(['cpu', 'gpu', 'multinode']);
    expect(entries.filter((e) => e.kind === 'script').map((e) => e.name)).toEqual(['prefetch-hf']);
    expect(entries.find((e) => e.name === 'base')?.kind).toBe('layout');
    expect(entries.filter((e) => e.kind === 'partial').map((e) => e.name)).toContain('partials/sidecar-functions');
    expect(entries.every((e) => e.source === 'shipped' && !e.overrides)).toBe(true);
  });

  it('shows a template by name, and suggests a close name for an unknown one', () => {
    expect(readTemplate('gpu').text).toMatch(/\{% extends "sbatch\/base\.sbatch\.njk" %\}/);
    expect(() => findTemplate('gpuu')).toThrow(UsageError);
    expect(() => findTemplate('gpuu')).toThrow(/did you mean 'gpu'/);
  });

  it('lets a project template override a shipped one, or a single partial, and add a new job template', () => {
    const dir = project({
      'sbatch/partials/offline-hf.njk': '# site policy: no HF cache here\n',
      'sbatch/mine.sbatch.njk': '{% extends "sbatch/cpu.sbatch.njk" %}\n{% block environment %}\nexport SITE=1\n{% endblock %}\n',
    });
    const entries = listTemplates({ projectDir: dir });
    expect(entries.find((e) => e.name === 'partials/offline-hf')).toMatchObject({ source: 'project', overrides: true });
    expect(entries.find((e) => e.name === 'mine')).toMatchObject({ kind: 'job', source: 'project', overrides: false });
    expect(listJobTemplateNames({ projectDir: dir })).toEqual(['cpu', 'gpu', 'mine', 'multinode']);

    const config = localConfig('partition: cpu\ncommand: "true"\ntemplate: mine');
    const script = renderRun(config, 'exp', { runId: 'r', projectTemplatesDir: dir }).files.get('scripts/exp.sbatch') ?? '';
    expect(script).toContain('# site policy: no HF cache here\n');
    expect(script).not.toContain('HF_HUB_OFFLINE');
    expect(script).toContain('export SITE=1\n');
    expect(script).toContain('#SBATCH --partition=cpu\n');
  });

  it('uses templates/ next to the config by default', () => {
    const dir = project({ 'sbatch/cpu.sbatch.njk': '#!/bin/bash\necho project {{ experiment | q }}\n' });
    const config = { ...localConfig('partition: cpu\ncommand: "true"'), root: join(dir, '..') };
    expect(renderRun(config, 'exp', { runId: 'r' }).files.get('scripts/exp.sbatch')).toBe('#!/bin/bash\necho project exp\n');
  });
});

describe('inside the hpcbench repository', () => {
  it('does not list the shipped templates/ as project overrides of itself', async () => {
    const { SHIPPED_TEMPLATES_DIR } = await import('../../../src/render/index.js');
    expect(listTemplates({ projectDir: SHIPPED_TEMPLATES_DIR }).every((e) => e.source === 'shipped')).toBe(true);
  });
});
