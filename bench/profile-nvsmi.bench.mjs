#!/usr/bin/env node
// Benchmark: summarising a large nvidia-smi --query-gpu log (8 GPUs, ~10 M rows per GB).
// hpcbench, GNU datamash and Miller compute the same thing — mean, p50 and p95 of utilization
// and memory.used per GPU — in the same run, each under /usr/bin/time -v for wall time and
// peak RSS, after `wc -l` has warmed the page cache (and measured the I/O floor).
//
//   node bench/profile-nvsmi.bench.mjs [--size 1,2] [--keep] [--no-miller]
//   HPCBENCH_BENCH_SCALE=0.05 node bench/profile-nvsmi.bench.mjs     (quick check: 50 MB, 100 MB)
//
// Needs a build (npm run build) and the Debian packages datamash, miller and time.
// Results: bench/results/profile-nvsmi.json and .md (full-size runs; quick runs write to bench/out/tmp/).
import { mkdirSync, rmSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { generateQueryLog, BENCH_FIELDS, GPUS } from './profile-nvsmi-generate.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i === -1 ? undefined : args[i + 1];
};
const scale = Number(process.env.HPCBENCH_BENCH_SCALE ?? '1');
const sizesGB = (option('--size') ?? '1,2').split(',').map(Number).map((gb) => gb * scale);
const keep = args.includes('--keep');
const noMiller = args.includes('--no-miller');
const tmp = join(here, 'out', 'tmp');
// Only a full-size run replaces the committed results; quick or custom runs go next to the inputs.
const official = scale === 1 && option('--size') === undefined;
const resultsDir = official ? join(here, 'results') : tmp;
mkdirSync(tmp, { recursive: true });
mkdirSync(resultsDir, { recursive: true });

if (!existsSync(join(here, '..', 'dist', 'profile', 'gpu', 'nvidia-smi-query-files.js'))) {
  console.error('dist/ is missing: run `npm run build` first (npm run bench does)');
  process.exit(2);
}
for (const tool of ['/usr/bin/time', 'datamash', 'mlr']) {
  if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) {
    console.error(`${tool} is not installed: apt-get install -y time datamash miller`);
    process.exit(2);
  }
}

const version = (cmd) => spawnSync('sh', ['-c', cmd], { encoding: 'utf8' }).stdout.split('\n')[0]?.trim() ?? '';

/** Runs a shell command under /usr/bin/time -v; returns wall seconds, peak RSS (MiB), stdout. */
function measure(command) {
  const run = spawnSync('/usr/bin/time', ['-v', 'sh', '-c', command], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const field = (label) => new RegExp(`${label}: (.*)`).exec(run.stderr)?.[1]?.trim();
  const wall = field('Elapsed \\(wall clock\\) time \\(h:mm:ss or m:ss\\)') ?? '0:0';
  const wallSeconds = wall.split(':').reduce((total, part) => total * 60 + Number(part), 0);
  const rssKB = Number(field('Maximum resident set size \\(kbytes\\)') ?? 'NaN');
  const status = Number(field('Exit status') ?? run.status);
  if (status !== 0) throw new Error(`${command} failed (exit ${status}):\n${run.stderr.slice(-2000)}`);
  return {
    wallSeconds,
    cpuSeconds: Number(field('User time \\(seconds\\)')) + Number(field('System time \\(seconds\\)')),
    peakRssMiB: rssKB / 1024,
    stdout: run.stdout,
  };
}

const q = (path) => `'${path.replace(/'/g, `'\\''`)}'`;
const COLUMNS = { util: BENCH_FIELDS.indexOf('utilization.gpu') + 1, mem: BENCH_FIELDS.indexOf('memory.used') + 1, gpu: BENCH_FIELDS.indexOf('index') + 1 };

function parseDatamash(stdout) {
  const out = {};
  for (const line of stdout.trim().split('\n')) {
    const [gpu, um, u50, u95, mm, m50, m95] = line.split(',').map((c) => c.trim());
    out[gpu] = { utilization: { mean: +um, p50: +u50, p95: +u95 }, memoryUsedMiB: { mean: +mm, p50: +m50, p95: +m95 } };
  }
  return out;
}

function parseMiller(stdout) {
  const out = {};
  for (const record of JSON.parse(stdout)) {
    const gpu = String(record[COLUMNS.gpu]).trim();
    const get = (col, stat) => Number(record[`${col}_${stat}`]);
    out[gpu] = {
      utilization: { mean: get(COLUMNS.util, 'mean'), p50: get(COLUMNS.util, 'p50'), p95: get(COLUMNS.util, 'p95') },
      memoryUsedMiB: { mean: get(COLUMNS.mem, 'mean'), p50: get(COLUMNS.mem, 'p50'), p95: get(COLUMNS.mem, 'p95') },
    };
  }
  return out;
}

/** Largest relative difference between hpcbench's figures and another tool's. */
function compare(ours, theirs) {
  let worst = 0;
  for (const g of ours.gpus) {
    const other = theirs[g.index];
    if (!other) return Number.POSITIVE_INFINITY;
    for (const metric of ['utilization', 'memoryUsedMiB']) {
      for (const stat of ['mean', 'p50', 'p95']) {
        const a = g[metric][stat];
        const b = other[metric][stat];
        worst = Math.max(worst, Math.abs(a - b) / Math.max(Math.abs(b), 1e-300));
      }
    }
  }
  return worst;
}

const MILLER_PRIOR_MIB_PER_GB = 13_000;
const node = process.execPath;
const summarize = join(here, 'profile-nvsmi-summarize.mjs');
const runs = [];
let millerRssPerGB = null;
for (const gb of sizesGB) {
  const target = Math.round(gb * 1e9);
  const file = join(tmp, `query-${target}.csv`);
  console.error(`\n# ${(target / 1e9).toFixed(2)} GB: generating ${file}`);
  const started = Date.now();
  const generated = existsSync(file) && statSync(file).size >= target ? { bytes: statSync(file).size, rows: null } : generateQueryLog(file, target);
  console.error(`  generated ${generated.bytes} bytes in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const bytes = statSync(file).size;
  const loadBefore = os.loadavg()[0];
  const tools = {};
  const wc = measure(`wc -l < ${q(file)}`);
  const rows = Number(wc.stdout.trim());
  tools['wc -l'] = wc;
  console.error(`  wc -l: ${wc.wallSeconds.toFixed(2)} s (${rows} rows)`);
  const ours = measure(`${q(node)} ${q(summarize)} ${q(file)}`);
  tools.hpcbench = ours;
  const oursJson = JSON.parse(ours.stdout);
  console.error(`  hpcbench: ${ours.wallSeconds.toFixed(2)} s, ${ours.peakRssMiB.toFixed(0)} MiB`);
  const dm = measure(
    `datamash -s -t, -g ${COLUMNS.gpu} mean ${COLUMNS.util} perc:50 ${COLUMNS.util} perc:95 ${COLUMNS.util} mean ${COLUMNS.mem} perc:50 ${COLUMNS.mem} perc:95 ${COLUMNS.mem} < ${q(file)}`,
  );
  tools.datamash = dm;
  console.error(`  datamash: ${dm.wallSeconds.toFixed(2)} s, ${dm.peakRssMiB.toFixed(0)} MiB`);
  const agreement = { datamash: compare(oursJson, parseDatamash(dm.stdout)) };
  // Miller's CSV reader takes a one-character separator and keeps the space of ", " in the
  // value (a string then), so the log is read as NIDX with the two-character separator.
  const millerCommand = `mlr --inidx --ifs ', ' --ojson stats1 -i -a mean,p50,p95 -f ${COLUMNS.util},${COLUMNS.mem} -g ${COLUMNS.gpu} ${q(file)}`;
  // Before any Miller run, assume the ~13 GiB per GB it took on the development machine.
  const projected = (millerRssPerGB ?? MILLER_PRIOR_MIB_PER_GB) * (bytes / 1e9);
  // Stay well inside memory: other work shares the machine, and Miller holds every record.
  const budget = Math.min(os.totalmem() * 0.7, os.freemem() * 0.8) / 1024 / 1024;
  if (noMiller) {
    tools.miller = { skipped: 'disabled with --no-miller' };
  } else if (projected > budget) {
    tools.miller = {
      skipped: `projected peak RSS ${projected.toFixed(0)} MiB (from the smaller run, or a prior of 13 GiB per GB) exceeds the memory budget of ${budget.toFixed(0)} MiB (70 % of ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, at most 80 % of what is free)`,
    };
    console.error(`  miller: skipped (${tools.miller.skipped})`);
  } else {
    const mlr = measure(millerCommand);
    tools.miller = mlr;
    millerRssPerGB = mlr.peakRssMiB / (bytes / 1e9);
    agreement.miller = compare(oursJson, parseMiller(mlr.stdout));
    console.error(`  miller: ${mlr.wallSeconds.toFixed(2)} s, ${mlr.peakRssMiB.toFixed(0)} MiB`);
  }
  for (const t of Object.values(tools)) {
    delete t.stdout;
    if (t.wallSeconds !== undefined) t.throughputMBps = bytes / 1e6 / t.wallSeconds;
  }
  runs.push({
    bytes,
    rows,
    gpus: GPUS,
    loadAverageBefore: loadBefore,
    loadAverageAfter: os.loadavg()[0],
    tools,
    throughputRatio: {
      hpcbenchVsDatamash: dm.wallSeconds / ours.wallSeconds,
      hpcbenchVsMiller: tools.miller.wallSeconds ? tools.miller.wallSeconds / ours.wallSeconds : null,
    },
    maxRelativeDifference: agreement,
    rejectedRows: oursJson.rejected,
  });
  if (!keep) rmSync(file, { force: true });
}

const first = runs[0];
const last = runs[runs.length - 1];
const result = {
  benchmark: 'profile-nvsmi',
  description:
    'mean, p50, p95 of utilization.gpu and memory.used per GPU from an nvidia-smi --query-gpu CSV (noheader, nounits, 8 GPUs interleaved)',
  date: new Date().toISOString(),
  machine: {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: os.totalmem() / 2 ** 30,
    node: process.version,
    datamash: version('datamash --version'),
    miller: version('mlr --version'),
  },
  scale,
  fields: BENCH_FIELDS,
  commands: {
    hpcbench: 'node bench/profile-nvsmi-summarize.mjs FILE (summarizeQueryGpuLogs: every metric, exact percentiles)',
    datamash: `datamash -s -t, -g ${COLUMNS.gpu} mean ${COLUMNS.util} perc:50 ${COLUMNS.util} perc:95 ${COLUMNS.util} mean ${COLUMNS.mem} perc:50 ${COLUMNS.mem} perc:95 ${COLUMNS.mem} < FILE`,
    miller: `mlr --inidx --ifs ', ' --ojson stats1 -i -a mean,p50,p95 -f ${COLUMNS.util},${COLUMNS.mem} -g ${COLUMNS.gpu} FILE`,
  },
  runs,
  goals: {
    atLeast3xDatamash: runs.every((r) => r.throughputRatio.hpcbenchVsDatamash >= 3),
    peakRssUnder150MiB: runs.every((r) => r.tools.hpcbench.peakRssMiB < 150),
    rssGrowthFirstToLastMiB: last.tools.hpcbench.peakRssMiB - first.tools.hpcbench.peakRssMiB,
    percentilesAgreeWithDatamash: runs.every((r) => r.maxRelativeDifference.datamash <= 1e-9),
  },
};
writeFileSync(join(resultsDir, 'profile-nvsmi.json'), `${JSON.stringify(result, null, 2)}\n`);

const fmt = (v, digits = 2) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '—');
const lines = [
  '# profile-nvsmi benchmark',
  '',
  `${result.description}. Generated by \`node bench/profile-nvsmi.bench.mjs\` on ${result.date}`,
  `(${result.machine.cpus} × ${result.machine.cpuModel}, ${fmt(result.machine.memoryGiB, 0)} GiB, Node ${result.machine.node}, ${result.machine.datamash}, ${result.machine.miller}).`,
  '',
  '| size | rows | tool | wall s | CPU s | peak RSS MiB | MB/s | hpcbench speed-up | max rel. diff vs hpcbench |',
  '|---|---|---|---|---|---|---|---|---|',
];
for (const r of runs) {
  for (const [name, t] of Object.entries(r.tools)) {
    const ratio = name === 'datamash' ? r.throughputRatio.hpcbenchVsDatamash : name === 'miller' ? r.throughputRatio.hpcbenchVsMiller : null;
    const diff = name === 'datamash' || name === 'miller' ? r.maxRelativeDifference[name] : undefined;
    const cells = t.skipped
      ? ['—', '—', '—', '—', '—', `skipped: ${t.skipped}`]
      : [fmt(t.wallSeconds), fmt(t.cpuSeconds), fmt(t.peakRssMiB, 0), fmt(t.throughputMBps, 0), ratio === null ? '' : `${fmt(ratio)}×`, diff === undefined ? '' : diff.toExponential(1)];
    lines.push(`| ${fmt(r.bytes / 1e9)} GB | ${r.rows} | ${name} | ${cells.join(' | ')} |`);
  }
}
lines.push(
  '',
  `Load average (1 min) before/after each size: ${runs.map((r) => `${fmt(r.loadAverageBefore)}/${fmt(r.loadAverageAfter)}`).join(', ')} — other work on the machine slows every tool.`,
  '',
  'Goals (issue 7): at least 3× datamash throughput; exact percentiles; peak RSS under 150 MiB, not growing with file size.',
  '',
  `- ≥ 3× datamash: **${result.goals.atLeast3xDatamash ? 'met' : 'not met'}** (${runs.map((r) => `${fmt(r.throughputRatio.hpcbenchVsDatamash)}×`).join(', ')})`,
  `- percentiles equal to datamash's (numpy/R type 7) within 1e-9: **${result.goals.percentilesAgreeWithDatamash ? 'yes' : 'no'}**`,
  `- peak RSS < 150 MiB: **${result.goals.peakRssUnder150MiB ? 'met' : 'not met'}**; growth from the first to the last size: ${fmt(result.goals.rssGrowthFirstToLastMiB, 1)} MiB`,
  '',
);
writeFileSync(join(resultsDir, 'profile-nvsmi.md'), `${lines.join('\n')}`);
console.log(lines.join('\n'));
console.error(`\nresults written to ${join(resultsDir, 'profile-nvsmi.json')} and .md${official ? '' : ' (not a full-size run: bench/results/ left as it was)'}`);
