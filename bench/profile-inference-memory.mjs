#!/usr/bin/env node
// Peak memory and time of `hpcbench profile` on a large inference JSONL log (issue 10: a user's
// million-request benchmark must profile in bounded, small memory). Generates N seeded records
// to bench/out/tmp/, runs the built CLI (`node bin/hpcbench.js profile FILE --out …`) in a child
// process under /usr/bin/time -v, and writes bench/results/profile-inference-memory.{json,md}.
//
//   npm run build && node bench/profile-inference-memory.mjs                 # N = 100k and 1M
//   node bench/profile-inference-memory.mjs --records 100000 --label before  # one size, a label
//   node bench/profile-inference-memory.mjs --cli bench/out/tmp/before --label before  # another build
//   node bench/profile-inference-memory.mjs --records 1000000 --min-heap      # + the smallest V8 heap that completes
//
// Not a *.bench.mjs file: the 1M run takes longer than the ~60 s bench/run.js budget.
// HPCBENCH_BENCH_SCALE scales N and, below 1, keeps the committed results untouched.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const tmpDir = join(here, 'out', 'tmp');
const resultsDir = join(here, 'results');

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : process.argv[i + 1];
}
const scale = Number(process.env.HPCBENCH_BENCH_SCALE ?? '1');
const sizes = String(arg('records', '100000,1000000'))
  .split(',')
  .map((s) => Math.max(1, Math.round(Number(s) * scale)));
const label = arg('label', 'current');
const keep = process.argv.includes('--keep-inputs');
// The smallest --max-old-space-size (MiB) that completes: what the profile must keep on the JS
// heap, which peak RSS hides (V8 collects lazily while it may grow). A bisection over these steps.
const minHeap = process.argv.includes('--min-heap');
const HEAP_STEPS = [16, 24, 32, 40, 48, 64, 96, 128, 160, 192, 256, 384, 512];
// --cli DIR: a copy of bin/ and dist/ (e.g. the build before a change) under the repository, so
// that node_modules and package.json resolve as for the real one.
const cli = join(resolve(root, arg('cli', '.')), 'bin', 'hpcbench.js');

function lcg(seed) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** One header and N requests as a serving benchmark writes them: ~1 % failures, ids, timestamps, tokens, TTFT. */
async function generate(file, n) {
  if (existsSync(file) && statSync(file).size > 0) return;
  const rand = lcg(n);
  const out = createWriteStream(file);
  const write = (text) => (out.write(text) ? undefined : new Promise((r) => out.once('drain', r)));
  await write(`${JSON.stringify({ schema: 'hpcbench.inference/1', params: { batch_size: 1, concurrency: 64 }, model: 'Qwen/Qwen2.5-7B-Instruct', backend: 'vllm' })}\n`);
  let clock = 1_795_000_000;
  let chunk = '';
  for (let i = 0; i < n; i++) {
    const latency = Math.round((0.2 + rand() * 4) * 1e6) / 1e6;
    const start = Math.round((clock + rand() * 0.02) * 1e6) / 1e6;
    clock = start;
    const failed = rand() < 0.01;
    const record = {
      id: `req-${i}`,
      start,
      end: Math.round((start + latency) * 1e6) / 1e6,
      input_tokens: 64 + Math.floor(rand() * 960),
      output_tokens: failed ? 0 : 1 + Math.floor(rand() * 512),
      ttft_s: Math.round(latency * rand() * 0.3 * 1e6) / 1e6,
      warmup: i < 10,
      error: failed ? (rand() < 0.7 ? 'CUDA out of memory' : 'request timed out') : null,
    };
    chunk += `${JSON.stringify(record)}\n`;
    if (chunk.length > 1 << 20) {
      await write(chunk);
      chunk = '';
    }
  }
  await write(chunk);
  await new Promise((resolve, reject) => out.end((error) => (error ? reject(error) : resolve())));
}

/** Parses GNU time -v's report. */
function parseTimeV(stderr) {
  const get = (re) => {
    const m = re.exec(stderr);
    return m ? m[1] : undefined;
  };
  const clock = get(/Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)/) ?? '0:0';
  const wallS = clock.split(':').reduce((acc, part) => acc * 60 + Number(part), 0);
  return {
    wallS,
    userS: Number(get(/User time \(seconds\): ([\d.]+)/)),
    sysS: Number(get(/System time \(seconds\): ([\d.]+)/)),
    maxRssMiB: Number(get(/Maximum resident set size \(kbytes\): (\d+)/)) / 1024,
  };
}

/** Bisects HEAP_STEPS: the smallest step that completes, and the largest that aborts (null: none tried). */
function findMinHeap(input, output) {
  const completes = (mib) => {
    const run = spawnSync(process.execPath, [`--max-old-space-size=${mib}`, cli, 'profile', input, '--out', output], { encoding: 'utf8', maxBuffer: 64 << 20 });
    console.error(`  --max-old-space-size=${mib}: ${run.status === 0 ? 'completes' : `exit ${run.status ?? run.signal}`}`);
    return run.status === 0;
  };
  let lo = -1; // index of the largest step known to abort
  let hi = HEAP_STEPS.length - 1;
  if (!completes(HEAP_STEPS[hi])) return { completes: null, aborts: HEAP_STEPS[hi] };
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (completes(HEAP_STEPS[mid])) hi = mid;
    else lo = mid;
  }
  return { completes: HEAP_STEPS[hi], aborts: lo < 0 ? null : HEAP_STEPS[lo] };
}

mkdirSync(tmpDir, { recursive: true });
if (!existsSync(join(root, 'dist'))) {
  console.error('dist/ is missing: run `npm run build` first');
  process.exit(2);
}
const rows = [];
for (const n of sizes) {
  const input = join(tmpDir, `inference-${n}.jsonl`);
  const output = join(tmpDir, `inference-${n}.metrics.json`);
  console.error(`generating ${n} records → ${input}`);
  await generate(input, n);
  const bytes = statSync(input).size;
  spawnSync('wc', ['-l', input]); // warm the page cache
  const loadBefore = loadavg()[0];
  const result = spawnSync('/usr/bin/time', ['-v', process.execPath, cli, 'profile', input, '--out', output], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const loadAfter = loadavg()[0];
  if (result.status !== 0) {
    console.error(result.stdout, result.stderr);
    console.error(`hpcbench profile failed on ${n} records (exit ${result.status})`);
    process.exit(1);
  }
  const figures = parseTimeV(result.stderr);
  const heap = minHeap ? findMinHeap(input, output) : undefined;
  const metricsText = readFileSync(output, 'utf8');
  const metrics = JSON.parse(metricsText);
  const inference = metrics.tasks?.[0]?.inference;
  if (inference === undefined || inference.records + inference.warmup_records_excluded !== n) {
    console.error(`expected ${n} records in metrics.json, got ${inference?.records} (+${inference?.warmup_records_excluded} warm-up)`);
    process.exit(1);
  }
  const row = {
    records: n,
    bytes,
    ...figures,
    bytesPerRecordRss: Math.round((figures.maxRssMiB * 1024 * 1024) / n),
    latencyP50S: inference.latency_s.p50,
    latencyP99S: inference.latency_s.p99,
    outputTokensPerS: inference.output_tokens_per_s,
    // metrics.json without its generated_at line: equal digests across labels = identical figures.
    metricsSha256: createHash('sha256').update(metricsText.replace(/^\s*"generated_at": .*$/m, '')).digest('hex').slice(0, 16),
    loadBefore,
    loadAfter,
    ...(heap === undefined ? {} : { minHeapMiB: heap.completes, abortedHeapMiB: heap.aborts }),
  };
  console.error(JSON.stringify(row));
  rows.push(row);
  if (!keep) rmSync(output, { force: true });
}
if (!keep) for (const n of sizes) rmSync(join(tmpDir, `inference-${n}.jsonl`), { force: true });

if (scale < 1) {
  console.error('quick run (HPCBENCH_BENCH_SCALE < 1): bench/results/ left as it is');
  process.exit(0);
}
// Each label (before/after a change, or current) keeps its own rows; other labels stay.
const jsonFile = join(resultsDir, 'profile-inference-memory.json');
const previous = existsSync(jsonFile) ? JSON.parse(readFileSync(jsonFile, 'utf8')) : { runs: {} };
previous.runs[label] = { date: new Date().toISOString(), node: process.version, rows };
writeFileSync(jsonFile, `${JSON.stringify(previous, null, 2)}\n`);
const lines = [
  '# profile-inference-memory',
  '',
  '`hpcbench profile <log>.jsonl --out metrics.json` (the built CLI, one child process) on N generated requests;',
  'peak RSS, wall and CPU time from `/usr/bin/time -v`. Generated by `bench/profile-inference-memory.mjs`.',
  '',
  '| label | date | records | file MB | wall s | user+sys s | peak RSS MiB | RSS bytes/record | smallest heap MiB (aborts at) | load before→after | metrics.json sha256 (less generated_at) |',
  '|---|---|---|---|---|---|---|---|---|---|---|',
];
for (const [name, run] of Object.entries(previous.runs)) {
  for (const r of run.rows) {
    lines.push(
      `| ${name} | ${run.date.slice(0, 16)} | ${r.records.toLocaleString('en')} | ${(r.bytes / 1e6).toFixed(0)} | ${r.wallS.toFixed(1)} | ${(r.userS + r.sysS).toFixed(1)} | ${r.maxRssMiB.toFixed(0)} | ${r.bytesPerRecordRss} | ${r.minHeapMiB === undefined ? '' : `${r.minHeapMiB ?? '—'} (${r.abortedHeapMiB ?? '—'})`} | ${r.loadBefore.toFixed(1)}→${r.loadAfter.toFixed(1)} | ${r.metricsSha256 ?? ''} |`,
    );
  }
}
writeFileSync(join(resultsDir, 'profile-inference-memory.md'), `${lines.join('\n')}\n`);
console.error(lines.join('\n'));
