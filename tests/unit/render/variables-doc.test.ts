// docs/variables.md documents every HPCBENCH_* variable the shipped templates export to a workload.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

function templateFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? templateFiles(join(dir, e.name)) : e.name.endsWith('.njk') ? [join(dir, e.name)] : []));
}

it('docs/variables.md names every exported HPCBENCH_* variable', () => {
  const exported = new Set<string>();
  for (const file of templateFiles('templates/sbatch')) {
    for (const match of readFileSync(file, 'utf8').matchAll(/export "?(HPCBENCH_[A-Z_]*)/g)) exported.add(match[1] === 'HPCBENCH_PARAM_' ? 'HPCBENCH_PARAM_<NAME>' : (match[1] ?? ''));
  }
  const doc = readFileSync('docs/variables.md', 'utf8');
  expect(exported.size).toBeGreaterThan(10);
  expect([...exported].filter((name) => !doc.includes(`\`${name}\``))).toEqual([]);
});
