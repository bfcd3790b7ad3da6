// Every `{{ … }}` in a shipped template must pass its value through a quoting filter, so a value
// can never become shell code by accident. Only the user's own shell code (`command`, `setup`
// lines) is placed verbatim, through the explicit `shellcode` filter.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHIPPED_TEMPLATES_DIR } from '../../../src/render/index.js';

const SAFE_FILTERS = new Set(['q', 'qpath', 'd', 'n', 'ident']);
const VERBATIM_ALLOWED = new Set(['command', 'line']);

function templateFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? templateFiles(join(dir, e.name)) : e.name.endsWith('.njk') ? [join(dir, e.name)] : [],
  );
}

/** Problems with one expression, or undefined when it is safe. */
export function checkExpression(expr: string): string | undefined {
  const body = expr.trim();
  if (body === 'super()') return undefined;
  const parts = body.split('|').map((p) => p.trim());
  if (parts.length < 2) return `no filter: {{ ${body} }}`;
  const last = parts[parts.length - 1] ?? '';
  if (last === 'shellcode') return VERBATIM_ALLOWED.has(parts[0] ?? '') ? undefined : `shellcode on '${parts[0]}', which is data`;
  return SAFE_FILTERS.has(last) ? undefined : `last filter '${last}' does not quote`;
}

describe('shipped templates', () => {
  const files = templateFiles(join(SHIPPED_TEMPLATES_DIR, 'sbatch'));

  it('are found', () => {
    expect(files.map((f) => relative(SHIPPED_TEMPLATES_DIR, f)).sort()).toEqual(
      expect.arrayContaining(['sbatch/base.sbatch.njk', 'sbatch/cpu.sbatch.njk', 'sbatch/gpu.sbatch.njk', 'sbatch/multinode.sbatch.njk', 'sbatch/prefetch-hf.sh.njk']),
    );
  });

  it.each(files.map((f) => [relative(SHIPPED_TEMPLATES_DIR, f), f]))('%s quotes every value', (_name, file) => {
    const text = readFileSync(file, 'utf8');
    const problems = [...text.matchAll(/\{\{-?([\s\S]*?)-?\}\}/g)].map((m) => checkExpression(m[1] ?? '')).filter((p) => p !== undefined);
    expect(problems).toEqual([]);
    // Raw blocks would let text through untouched; the templates have no use for them.
    expect(text).not.toMatch(/\{%-?\s*(raw|verbatim)\b/);
  });

  it('the scanner itself catches an unquoted value', () => {
    expect(checkExpression(' parameter.value ')).toMatch(/no filter/);
    expect(checkExpression(' x | upper ')).toMatch(/does not quote/);
    expect(checkExpression(' hf_home | shellcode ')).toMatch(/data/);
    expect(checkExpression(' x | q ')).toBeUndefined();
  });
});
