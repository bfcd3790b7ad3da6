#!/usr/bin/env node
// Bundles the CLI into dist/cli-bundle/ after `tsc` has built dist/ (the library stays tsc's output).
//
// Why: a CLI call used to load about 150 files (87 of hpcbench's, zod's ESM files, yaml's CommonJS
// dist); resolving, reading and compiling each one was the largest cost of `hpcbench status` after
// the network (bench/cli-start.bench.mjs). Code splitting keeps the commands lazy: main.js holds
// what runs before the command is known, and each command's code sits in chunks that its dynamic
// import loads.
//
// Left outside the bundle, loaded from node_modules as before:
// - ssh2 and cpu-features: optional native bindings found relative to their own files;
// - yargs: y18n reads its locale files relative to yargs' own folder (bundled, help and errors in
//   other languages would silently turn English);
// - nunjucks, vega, vega-lite, pidusage: large or filesystem-aware, and loaded only by the
//   commands that render or chart.
// Chunks sit next to main.js, two levels below the package root like every dist/<folder>/ file, so
// the `new URL('../../templates/', import.meta.url)` paths of the sources hold in the bundle too;
// the GPU log worker is an entry of its own for the same reason (nvidia-smi-parallel.ts loads
// './nvidia-smi-worker.js' next to itself). meta.json (esbuild's metafile) maps every chunk back
// to its sources: the lazy-loading test reads it.
import { build } from 'esbuild';
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'cli-bundle');
rmSync(outdir, { recursive: true, force: true });

const shared = {
  absWorkingDir: root,
  outdir,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['ssh2', 'cpu-features', 'yargs', 'yargs/*', 'nunjucks', 'vega', 'vega-lite', 'pidusage'],
  // yaml ships CommonJS for Node; its require() calls of Node's own modules need a require in ESM.
  banner: { js: "import { createRequire as createRequireForBundle } from 'node:module';\nconst require = createRequireForBundle(import.meta.url);" },
  sourcemap: 'linked',
  metafile: true,
  logLevel: 'warning',
};
const result = await build({
  ...shared,
  entryPoints: { main: 'src/cli/main.ts', 'nvidia-smi-worker': 'src/profile/gpu/nvidia-smi-worker.ts' },
  splitting: true,
  chunkNames: 'chunk-[hash]',
});
// `hpcbench status …`, run in loops while people wait, gets one file of its own without chunks:
// node's ESM loader costs about 1.5 ms of CPU per file (resolve, read, compile), and the status path
// crossed ~40 chunks. Its lazy imports are bundled as functions that run when reached. bin/hpcbench.js
// loads it for `status`; src/cli/status-main.ts says what it reads and hands back.
const statusBuild = await build({ ...shared, entryPoints: { status: 'src/cli/status-main.ts' }, splitting: false });
const meta = {
  inputs: { ...result.metafile.inputs, ...statusBuild.metafile.inputs },
  outputs: { ...result.metafile.outputs, ...statusBuild.metafile.outputs },
};
writeFileSync(join(outdir, 'meta.json'), `${JSON.stringify(meta)}\n`);
