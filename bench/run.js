#!/usr/bin/env node
// Runs the benchmarks: every bench/*.bench.js and bench/*.bench.mjs file, one after another,
// or only those named on the command line (`node bench/run.js profile-nvsmi`). Adding a
// benchmark is adding a file; each one writes its own bench/results/<name>.json and .md.
// Arguments after `--` are passed to every benchmark (e.g. `-- --size 0.05`).
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const split = argv.indexOf('--');
const wanted = split === -1 ? argv : argv.slice(0, split);
const passThrough = split === -1 ? [] : argv.slice(split + 1);

const all = readdirSync(here)
  .filter((f) => /\.bench\.(m?js)$/.test(f))
  .sort();
const chosen = wanted.length === 0 ? all : all.filter((f) => wanted.some((w) => f === w || f.startsWith(`${w}.bench.`)));
if (chosen.length === 0) {
  console.error(`no benchmark matches ${wanted.join(', ')}; available: ${all.join(', ') || '(none)'}`);
  process.exit(2);
}
let failed = 0;
for (const file of chosen) {
  console.error(`\n=== ${file} ===`);
  const result = spawnSync(process.execPath, [join(here, file), ...passThrough], { stdio: 'inherit' });
  if (result.status !== 0) {
    failed++;
    console.error(`${file} failed (exit ${result.status ?? result.signal})`);
  }
}
process.exit(failed > 0 ? 1 : 0);
