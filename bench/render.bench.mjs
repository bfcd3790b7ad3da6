#!/usr/bin/env node
// Benchmark: render a 10,000-point sweep as one job script per point (gpu template: layout,
// partials, checkpoint block, parameters) with hpcbench's nunjucks environment, and render the
// same template files with Jinja2 (Debian's python3-jinja2) and equivalent filters, in the same run.
// Both render from compiled templates kept in memory (no file I/O per script); the outputs are
// hashed and must be byte-identical.
//
//   node bench/render.bench.mjs [--points 10000] [--repeats 5]
//
// Needs a build (npm run build) and python3-jinja2. Results: bench/results/render.json and .md.
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i === -1 ? fallback : args[i + 1];
};
const points = Number(option('--points', '10000'));
const repeats = Number(option('--repeats', '5'));
// Debian's python3-jinja2 (the interpreter on PATH may be another one).
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const tmp = join(here, 'out', 'tmp');
const resultsDir = join(here, 'results');
mkdirSync(tmp, { recursive: true });
mkdirSync(resultsDir, { recursive: true });

if (!existsSync(join(root, 'dist', 'render', 'index.js'))) {
  console.error('dist/ is missing: run `npm run build` first (npm run bench does)');
  process.exit(2);
}
if (spawnSync(PYTHON, ['-c', 'import jinja2'], { stdio: 'ignore' }).status !== 0) {
  console.error('python3 with jinja2 is needed: apt-get install -y python3-jinja2');
  process.exit(2);
}

const { loadConfigText } = await import(join(root, 'dist', 'config', 'index.js'));
const { createTemplateEnvironment, SHIPPED_TEMPLATES_DIR } = await import(join(root, 'dist', 'render', 'index.js'));
const { buildJobView } = await import(join(root, 'dist', 'render', 'job-view.js'));

// 10 × 10 × 100 = 10,000 points.
const seeds = Math.max(1, Math.round(points / 100));
const config = loadConfigText(
  `
clusters:
  sd:
    preset: santos-dumont
    ssh: sdumont
    project: proj
    user: alice
    account: proj
    setup: [module load python/3.10_sequana, "source /scratch/proj/alice/venv/bin/activate"]
    env: { TOKENIZERS_PARALLELISM: "false" }
experiments:
  sweep:
    partition: sequana_gpu
    command: python workloads/infer.py --model distilgpt2 --prompts data_sample/prompts.txt
    resources: { time: "01:00:00", gpus: 1 }
    checkpoint: { seconds_before: 300 }
    parameters: { model: distilgpt2, note: "it's a test" }
`,
  'bench.yaml',
  tmp,
);
const exp = config.experiments.sweep;
const cluster = config.clusters.sd;
const partition = cluster.partitions[exp.partition];
const views = [];
for (let b = 0; b < 10; b++) {
  for (let t = 0; t < 10; t++) {
    for (let s = 0; s < seeds; s++) {
      const parameters = { ...exp.parameters, batch_size: 2 ** b, max_new_tokens: 16 * (t + 1), seed: s };
      views.push(buildJobView({ runId: '20261124-061500-sweep-3f2a', configFile: 'bench.yaml', cluster, partition, experiment: exp, parameters, array: undefined }));
    }
  }
}
const viewsFile = join(tmp, 'render-views.json');
// Absent optional fields become null so that Jinja2's StrictUndefined sees them as set-but-empty.
writeFileSync(viewsFile, JSON.stringify(views, (_key, value) => (value === undefined ? null : value)));

const TEMPLATE = 'sbatch/gpu.sbatch.njk';
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// hpcbench: one environment, every template compiled once.
const setupStart = process.hrtime.bigint();
const env = createTemplateEnvironment();
const setupMs = Number(process.hrtime.bigint() - setupStart) / 1e6;
const nunjucksSeconds = [];
let nunjucksSha = '';
let nunjucksBytes = 0;
for (let r = 0; r < repeats; r++) {
  const hash = createHash('sha256');
  let bytes = 0;
  const start = process.hrtime.bigint();
  for (const view of views) {
    // What renderRun does per job script (minus its error wrapping), as Jinja2 does below.
    const out = env.render(TEMPLATE, view);
    hash.update(out);
    bytes += out.length;
  }
  nunjucksSeconds.push(Number(process.hrtime.bigint() - start) / 1e9);
  nunjucksSha = hash.digest('hex');
  nunjucksBytes = bytes;
}

const py = spawnSync(PYTHON, [join(here, 'render-jinja2.py'), SHIPPED_TEMPLATES_DIR, TEMPLATE, viewsFile, String(repeats)], { encoding: 'utf8', maxBuffer: 16 << 20 });
if (py.status !== 0) {
  console.error(py.stderr);
  process.exit(1);
}
const jinja = JSON.parse(py.stdout.trim().split('\n').pop());

const hp = median(nunjucksSeconds);
const jj = median(jinja.seconds);
const ratio = jj / hp;
const identical = jinja.sha256 === nunjucksSha;
const nunjucksVersion = JSON.parse(spawnSync('node', ['-p', 'JSON.stringify(require("nunjucks/package.json").version)'], { cwd: root, encoding: 'utf8' }).stdout);
const result = {
  benchmark: 'render',
  generated_at: new Date().toISOString(),
  machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version, loadavg: os.loadavg() },
  points: views.length,
  repeats,
  template: 'sbatch/gpu.sbatch.njk',
  hpcbench: { nunjucks: nunjucksVersion, setup_ms: setupMs, seconds: nunjucksSeconds, median_s: hp, scripts_per_s: views.length / hp, bytes: nunjucksBytes, sha256: nunjucksSha },
  jinja2: { version: jinja.version, seconds: jinja.seconds, median_s: jj, scripts_per_s: views.length / jj, bytes: jinja.bytes, sha256: jinja.sha256 },
  speedup_vs_jinja2: ratio,
  outputs_identical: identical,
  goal: 'at least as fast as Jinja2 (speedup >= 1)',
  goal_met: ratio >= 1,
};
writeFileSync(join(resultsDir, 'render.json'), `${JSON.stringify(result, null, 2)}\n`);
const fmt = (x) => x.toFixed(3);
const md = `# render benchmark

${views.length} job scripts (one per sweep point, ${fmt(nunjucksBytes / views.length / 1024)} KiB each) from \`${result.template}\`, rendered from compiled templates in memory.
Generated by \`node bench/render.bench.mjs\` on ${result.generated_at} (${result.machine.cpus} × ${result.machine.cpu}, Node ${process.version}; load average ${os.loadavg()[0].toFixed(2)}).
Median of ${repeats} repeats; the Jinja2 run renders the same template files with equivalent filters.

| engine | median s | scripts/s | all repeats (s) |
|---|---|---|---|
| hpcbench (nunjucks ${nunjucksVersion}) | ${fmt(hp)} | ${Math.round(views.length / hp)} | ${nunjucksSeconds.map(fmt).join(', ')} |
| Jinja2 ${jinja.version} (python3) | ${fmt(jj)} | ${Math.round(views.length / jj)} | ${jinja.seconds.map(fmt).join(', ')} |

- hpcbench speed-up over Jinja2: **${ratio.toFixed(2)}×** (goal ≥ 1×: **${ratio >= 1 ? 'met' : 'not met'}**)
- outputs byte-identical between the engines: **${identical ? 'yes' : 'no'}** (sha256 ${nunjucksSha.slice(0, 16)}…)
- environment setup (compile every template once): ${setupMs.toFixed(1)} ms
`;
writeFileSync(join(resultsDir, 'render.md'), md);
process.stdout.write(md);
