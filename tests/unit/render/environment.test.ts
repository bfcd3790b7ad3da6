import { RenderError } from '../../../src/errors.js';
import { describe, expect, it } from 'vitest';
import { createTemplateEnvironment, quoteDirective } from '../../../src/render/environment.js';
import { tempDir } from './helpers.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

describe('quoteDirective', () => {
  it('leaves plain #SBATCH values bare, double-quotes others, refuses what sbatch would misread', () => {
    expect(quoteDirective('sequana_gpu')).toBe('sequana_gpu');
    expect(quoteDirective(48)).toBe('48');
    expect(quoteDirective('a100&nvlink')).toBe('"a100&nvlink"');
    expect(quoteDirective('$(touch x)')).toBe('"$(touch x)"');
    for (const bad of ['', 'a"b', 'a\\b', 'a#b', 'a\nb', 'a\rb', 'a\u0000b']) expect(() => quoteDirective(bad)).toThrow(RenderError);
  });
});

describe('template environment', () => {
  function envWith(template: string) {
    const dir = tempDir('env');
    mkdirSync(join(dir, 'sbatch'), { recursive: true });
    writeFileSync(join(dir, 'sbatch', 't.sbatch.njk'), template);
    return createTemplateEnvironment({ projectDir: dir });
  }

  it('qpath keeps a leading ~/ expandable and quotes the rest', () => {
    const env = envWith('{{ p | qpath }}');
    const qpath = (p: string): string => env.render('sbatch/t.sbatch.njk', { p });
    expect(qpath('~/hf cache')).toBe(`"$HOME"/'hf cache'`);
    expect(qpath('~')).toBe('"$HOME"');
    expect(qpath('/scratch/p/u/hf-cache')).toBe('/scratch/p/u/hf-cache');
    expect(qpath("/x/it's")).toBe(`'/x/it'\\''s'`);
  });

  it('does not HTML-escape', () => {
    expect(envWith('{{ v | q }}').render('sbatch/t.sbatch.njk', { v: 'a<b>&"c"' })).toBe(`'a<b>&"c"'`);
  });

  it('fails on a missing value instead of printing nothing', () => {
    expect(() => envWith('x={{ missing | q }}').render('sbatch/t.sbatch.njk', {})).toThrow(/missing field|undefined/);
  });

  it('n and ident refuse anything but numbers and names', () => {
    const env = envWith('{{ a | n }} {{ b | ident }}');
    expect(env.render('sbatch/t.sbatch.njk', { a: 4, b: 'batch_size' })).toBe('4 batch_size');
    expect(() => env.render('sbatch/t.sbatch.njk', { a: '4; rm -rf /', b: 'x' })).toThrow(/expected a number/);
    expect(() => env.render('sbatch/t.sbatch.njk', { a: 1, b: 'a=b;c' })).toThrow(/not a shell variable name/);
  });

  it('reports a template that does not compile when the environment is created', () => {
    expect(() => envWith('{% if %}')).toThrow(/sbatch\/t\.sbatch\.njk does not compile/);
  });
});
