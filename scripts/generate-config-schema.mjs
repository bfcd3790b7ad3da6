#!/usr/bin/env node
// Writes schema/hpcbench.schema.json from the zod schema (src/config/schema.ts) and the field
// descriptions of docs/config.md. Run `npm run schema` (it builds dist/ first); a unit test fails
// when the committed file differs from a fresh generation.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const { generateConfigJsonSchema, formatConfigJsonSchema } = await import(new URL('../dist/config/json-schema.js', import.meta.url).href);
const docs = readFileSync(`${root}docs/config.md`, 'utf8');
mkdirSync(`${root}schema`, { recursive: true });
const out = `${root}schema/hpcbench.schema.json`;
writeFileSync(out, formatConfigJsonSchema(generateConfigJsonSchema(docs)));
process.stderr.write(`wrote schema/hpcbench.schema.json\n`);
