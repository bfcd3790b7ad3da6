#!/usr/bin/env node
// Thin shim: the CLI is src/cli/main.ts, bundled by `npm run build` into dist/cli-bundle/
// (scripts/bundle-cli.mjs says why).
import { main } from '../dist/cli-bundle/main.js';

process.exitCode = await main(process.argv.slice(2));
