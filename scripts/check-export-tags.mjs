#!/usr/bin/env node
// Fails when a source file carries one of the JSDoc tags that make knip stop reporting an export:
// `@internal` (ignored by `knip --production`), `@public`, `@beta` and `@alias` (ignored always).
// An export only tests use is removed or tested through the function that uses it; the library's
// public API is the list in src/index.ts. Without this check a tag could hide such an export again.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tag = /(^|[\s*])@(internal|public|beta|alias)\b/;

/** Every .ts file under dir. */
function listSources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return listSources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

const found = listSources(join(root, 'src')).flatMap((file) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((line, i) => (tag.test(line) ? [`${relative(root, file)}:${i + 1}: ${line.trim()}`] : [])),
);
if (found.length > 0) {
  console.error(`${found.length} JSDoc tag(s) that hide exports from knip:\n${found.join('\n')}`);
  console.error('Remove the tag; an export only tests use becomes private (tested through its caller) or public API in src/index.ts.');
  process.exit(1);
}
