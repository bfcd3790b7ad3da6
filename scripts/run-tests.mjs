#!/usr/bin/env node
// `npm test`: the unit and the integration project side by side, in two vitest processes.
//
// Integration files run one after another against the one-node test cluster and spend most of
// their time waiting for SLURM (jobs that sleep, time limits, KillWait); in one vitest process
// the unit project ran first and the cluster sat idle meanwhile. Here the integration output
// streams as it comes and the unit output is printed as one block when that project ends, so the
// two never interleave. The exit code is the first non-zero one of the two.
//
// Arguments are passed to a single `vitest run` unchanged (`npm test -- tests/unit/x.test.ts`).
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// vitest's own launcher (its package exports no path to it).
const vitest = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url));
const extra = process.argv.slice(2);

/** Runs vitest with args; resolves its exit code (1 when it died of a signal). */
function runVitest(args, { buffered }) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [vitest, 'run', ...args], { stdio: buffered ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    children.push(child);
    const chunks = [];
    if (buffered) {
      child.stdout.on('data', (c) => chunks.push(c));
      child.stderr.on('data', (c) => chunks.push(c));
    }
    child.on('close', (code, signal) => {
      if (buffered) process.stdout.write(Buffer.concat(chunks));
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

const children = [];
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    for (const child of children) if (child.exitCode === null) child.kill(signal);
  });
}

const codes =
  extra.length > 0
    ? [await runVitest(extra, { buffered: false })]
    : await Promise.all([runVitest(['--project', 'integration'], { buffered: false }), runVitest(['--project', 'unit'], { buffered: true })]);
process.exitCode = codes.find((code) => code !== 0) ?? 0;
