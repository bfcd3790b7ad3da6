// ssh2 is CommonJS: under Node's ESM loader only the names its lexer detects can be imported by
// name (vitest's interop is more lenient, so a wrong import passes every other test and then
// crashes the built CLI). This checks each named value import from ssh2 against what Node sees.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const srcDir = fileURLToPath(new URL('../../../src/transport/', import.meta.url));

function namedValueImports(source: string): string[] {
  const names: string[] = [];
  for (const match of source.matchAll(/^import\s+(?!type\b)(?:\w+\s*,\s*)?\{([^}]*)\}\s*from\s*'ssh2';/gm)) {
    for (const part of (match[1] ?? '').split(',')) {
      const name = part.trim();
      if (name !== '' && !name.startsWith('type ')) names.push(name.split(/\s+as\s+/)[0] ?? name);
    }
  }
  return names;
}

describe('imports from ssh2', () => {
  it('only name-imports what Node exposes from the CommonJS module', () => {
    const probe = spawnSync(process.execPath, ['--input-type=module', '-e', "console.log(JSON.stringify(Object.keys(await import('ssh2'))))"], {
      cwd: fileURLToPath(new URL('../../../', import.meta.url)),
      encoding: 'utf8',
    });
    expect(probe.status).toBe(0);
    const exposed = JSON.parse(probe.stdout) as string[];
    const used = readdirSync(srcDir)
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) => namedValueImports(readFileSync(`${srcDir}${f}`, 'utf8')).map((name) => `${f}: ${name}`));
    expect(used.length).toBeGreaterThan(0);
    expect(used.filter((u) => !exposed.includes(u.split(': ')[1] ?? ''))).toEqual([]);
  });
});
