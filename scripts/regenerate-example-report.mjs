#!/usr/bin/env node
/**
 * Regenerates the committed example report (report/) from data_sample/run-example: runs the real
 * profile and report code from dist/ (build first: `npm run report:example` does both). The
 * sample run itself comes from scripts/make-sample-run.mjs. tests/unit/report/example.test.ts
 * fails when report/ is out of date.
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(repo);
const { buildExampleReport, EXAMPLE_REPORT_DIR } = await import(new URL('../dist/report/example-report.js', import.meta.url).href);
const version = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).version;
const { files } = await buildExampleReport(repo, version);
const outDir = join(repo, EXAMPLE_REPORT_DIR);
mkdirSync(outDir, { recursive: true });
// Report files from an older layout would otherwise linger and look current. Folders are other
// commands' output (report/demo/ is the demo's) and are left alone.
for (const name of readdirSync(outDir)) {
  const file = join(outDir, name);
  if (!files.has(name) && name !== '.gitkeep' && name !== 'README.md' && statSync(file).isFile()) rmSync(file);
}
for (const [name, text] of files) writeFileSync(join(outDir, name), text);
process.stdout.write(`wrote ${files.size} files to ${outDir}\n`);
