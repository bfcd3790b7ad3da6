#!/usr/bin/env node
// Thin shim: the CLI is src/cli/main.ts, bundled by `npm run build` into dist/cli-bundle/
// (scripts/bundle-cli.mjs says why). `status` loads a one-file bundle of its own first
// (src/cli/status-main.ts), which hands back the command lines it does not read.
const argv = process.argv.slice(2);
const code = argv[0] === 'status' ? await (await import('../dist/cli-bundle/status.js')).statusMain(argv) : undefined;
process.exitCode = code ?? (await (await import('../dist/cli-bundle/main.js')).main(argv));
