#!/usr/bin/env node
/**
 * Writes data_sample/run-example/: a run directory with GENERATED logs (no GPU was available
 * when it was made), laid out as the run-directory contract says, for the committed example
 * report and the report tests. Deterministic: a seeded PRNG and fixed clocks, so rerunning it
 * reproduces every byte. Its job scripts and their hashes are the ones hpcbench renders from the
 * config below (through dist/, so build first: `npm run build`), so the example report shows
 * real scripts. Usage: node scripts/make-sample-run.mjs [outDir]
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = resolve(process.argv[2] ?? join(repo, 'data_sample', 'run-example'));

// mulberry32: tiny, seeded, good enough for synthetic noise.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(20261124);
const noise = (scale) => (random() - 0.5) * 2 * scale;
const round = (x, digits) => Number(x.toFixed(digits));

const RUN_ID = '20261124-061500-lora-5a3c';
const GPU_FIELDS = ['timestamp', 'index', 'uuid', 'pci.bus_id', 'name', 'driver_version', 'utilization.gpu', 'utilization.memory', 'memory.used', 'memory.total', 'power.draw', 'temperature.gpu', 'clocks.sm', 'clocks.mem'];
const GPU_NAME = 'Tesla V100-SXM2-32GB';
const GPU_UUID = 'GPU-5b1e7a3c-0d2f-4e6a-9b8c-1f2e3d4c5b6a';
const DRIVER = '535.104.05';
const MODULES = ['sequana/current', 'python/3.10_sequana', 'cudnn/8.9_cuda-12.2'];
const GIT_COMMIT = '4f1c2b9e8d7a6c5b4a3f2e1d0c9b8a7f6e5d4c3b';
const LORA_JOB = 7001234;
const INFER_JOB = 7001235;
const POINTS = [];
for (const batch_size of [1, 4, 16]) for (const max_new_tokens of [32, 128]) POINTS.push({ batch_size, max_new_tokens });

function write(path, text) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

function pad2(n) {
  return String(n).padStart(2, '0');
}
function smiTime(ms) {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}/${pad2(d.getUTCMonth() + 1)}/${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}.${String(d.getUTCMilliseconds()).padStart(3, '0')}`;
}
function sacctTime(ms) {
  return new Date(ms).toISOString().slice(0, 19);
}
function hms(seconds) {
  const s = Math.round(seconds);
  return `${pad2(Math.floor(s / 3600))}:${pad2(Math.floor((s % 3600) / 60))}:${pad2(s % 60)}`;
}
function cpuTime(seconds) {
  const m = Math.floor(seconds / 60);
  const s = seconds - m * 60;
  return `${pad2(m)}:${s.toFixed(3).padStart(6, '0')}`;
}

/** One GPU's nvidia-smi log, 1 s apart, following `load(t)` (0..1) between startMs and endMs. */
function nvidiaSmiLog(startMs, endMs, uuid, load, memoryMiB) {
  const lines = [];
  for (let ms = startMs; ms <= endMs; ms += 1000) {
    const l = Math.max(0, Math.min(1, load((ms - startMs) / 1000)));
    const util = Math.round(Math.max(0, Math.min(100, l * 100 + (l > 0.05 ? noise(4) : 0))));
    const memUtil = Math.round(util * 0.45);
    const mem = Math.round(l > 0 ? memoryMiB + noise(120) : 420);
    const power = round(38 + l * 225 + noise(6), 2);
    const temp = Math.round(36 + l * 28 + noise(1));
    lines.push([smiTime(ms), 0, uuid, '00000000:1A:00.0', GPU_NAME, DRIVER, util, memUtil, mem, 32768, power.toFixed(2), temp, l > 0.05 ? 1530 : 135, 877].join(', '));
  }
  return `${lines.join('\n')}\n`;
}

function metadata(extra, slurm) {
  // The fields the job templates write (templates/sbatch/partials/functions.njk), plus three a
  // workload may add (cuda_version, modules, git_commit) that the report shows when present.
  return `${JSON.stringify(
    {
      schema: 'hpcbench.metadata/1',
      generated: 'synthetic sample written by scripts/make-sample-run.mjs; no real job ran',
      run_id: RUN_ID,
      ...extra,
      restart_count: 0,
      hostname: 'sdumont8012',
      nodes: ['sdumont8012'],
      cuda_visible_devices: '0',
      gpus: [{ index: '0', name: GPU_NAME, driver_version: DRIVER, uuid: GPU_UUID, memory_total_mib: '32768' }],
      gpu_fields: GPU_FIELDS,
      gpu_interval_ms: 1000,
      cuda_version: '12.2',
      modules: MODULES,
      git_commit: GIT_COMMIT,
      slurm: { SLURM_JOB_PARTITION: 'sequana_gpu', SLURM_JOB_NODELIST: 'sdumont8012', SLURM_CPUS_ON_NODE: '12', ...slurm },
    },
    null,
    2,
  )}\n`;
}

function sacctRow(f) {
  // The 26 fields of SACCT_FIELDS (src/slurm/sacct.ts), --parsable2.
  return [f.id, f.raw, f.name, f.partition, f.state, f.exit, f.derived, hms(f.elapsed), Math.round(f.elapsed), cpuTime(f.cpu), f.ncpus, f.alloc, f.req, f.reqMem, f.maxRss, sacctTime(f.submit), sacctTime(f.start), sacctTime(f.end), 'sdumont8012', f.comment, f.limit, 1, 'student', 'medtechllm', `/scratch/medtechllm/student/hpcbench/${RUN_ID}`, 'None'].join('|');
}
function sacctJob(id, raw, name, submit, start, end, cpu, maxRssKiB, limit) {
  const elapsed = (end - start) / 1000;
  const tres = 'billing=12,cpu=12,gres/gpu=1,mem=64G,node=1';
  const common = { partition: 'sequana_gpu', exit: '0:0', elapsed, ncpus: 12, reqMem: '64G', submit, start, end, limit };
  return [
    sacctRow({ ...common, id, raw, name, state: 'COMPLETED', derived: '0:0', cpu, alloc: tres, req: tres, maxRss: '', comment: `hpcbench:${RUN_ID}` }),
    sacctRow({ ...common, id: `${id}.batch`, raw: `${raw}.batch`, name: 'batch', partition: '', state: 'COMPLETED', derived: '', cpu, alloc: 'cpu=12,gres/gpu=1,mem=64G,node=1', req: '', maxRss: `${maxRssKiB}K`, submit: start, comment: '', limit: '' }),
  ];
}

// The configuration this run was "rendered" from: the lora and infer experiments of
// data_sample/hpcbench.yaml, frozen here so the sample does not change when that file does.
const CONFIG = `# Snapshot of data_sample/hpcbench.yaml (lora and infer) that the generated sample run stands for.
version: 1
project: medtech-llm

clusters:
  sdumont:
    preset: santos-dumont
    ssh: sdumont
    project: medtechllm
    user: student
    account: medtechllm
    setup:
      - module purge
      - module load sequana/current
      - module load python/3.10_sequana
    env:
      TOKENIZERS_PARALLELISM: "false"

experiments:
  lora:
    description: LoRA fine-tuning of distilgpt2 on the medical-technology corpus
    cluster: sdumont
    partition: sequana_gpu
    models: [distilgpt2]
    command: python workloads/train_lora.py --model distilgpt2 --train data_sample/train.txt --val data_sample/val.txt
    resources:
      time: "02:00:00"
      gpus: 1
    profiling:
      interval_ms: 1000
      training_log: train.jsonl

  infer:
    description: Batched inference sweep with the fine-tuned adapter
    cluster: sdumont
    partition: sequana_gpu
    depends_on: [lora]
    models: [distilgpt2]
    command: python workloads/infer.py --model distilgpt2 --prompts data_sample/prompts.txt --batch-size {batch_size} --max-new-tokens {max_new_tokens}
    resources:
      time: "00:30:00"
      gpus: 1
    sweep:
      matrix:
        batch_size: [1, 4, 16]
        max_new_tokens: [32, 128]
      max_parallel: 2
    profiling:
      warmup: 2
      latency_slo_ms: 2000
      slo: { ttft_ms: 200, tpot_ms: 50 }
      inference_log: inference.jsonl
    references:
      output_tokens_per_s: { value: 450, tolerance_pct: 10 }
      latency_p95_s: { value: 2.0, tolerance_pct: 5 }
`;

rmSync(outDir, { recursive: true, force: true });
const t0 = Date.UTC(2026, 10, 24, 6, 15, 40);
write(join(outDir, 'hpcbench.yaml'), CONFIG);

// The job scripts as \`hpcbench render\` writes them for this config: the report embeds them, so
// they must be the real ones, not stand-ins.
const dist = (path) => import(pathToFileURL(join(repo, 'dist', path)).href);
const { loadConfig } = await dist('config/index.js');
const { renderRun } = await dist('render/render-run.js');
const rendered = renderRun(loadConfig(join(outDir, 'hpcbench.yaml')), 'infer', { runId: RUN_ID, now: new Date(t0 - 5000), checkFiles: false });
const renderedJob = (experiment) => rendered.manifest.jobs.find((j) => j.experiment === experiment);
const LORA_RENDERED = renderedJob('lora');
const INFER_RENDERED = renderedJob('infer');
const sacct = [];

// lora: 300 optimizer steps, a log entry every 10 steps, 0.42 s per step.
{
  const dir = join(outDir, 'out', 'lora', 'main');
  const submit = t0;
  const start = t0 + 95_000;
  const trainStart = start + 20_000;
  const lines = [];
  let loss = 2.95;
  for (let step = 10; step <= 300; step += 10) {
    loss = loss * 0.972 + 0.035 + noise(0.03);
    const stepTime = round(0.42 + noise(0.02), 3);
    lines.push(JSON.stringify({ step, epoch: round(step / 100, 2), loss: round(loss, 4), learning_rate: round(2e-4 * (1 - step / 300), 8), grad_norm: round(1.9 - step / 300 + noise(0.1), 3), step_time_s: stepTime, samples_per_s: round(8 / stepTime, 3), tokens_per_s: round((8 * 512) / stepTime, 1), time: round((trainStart + step * 420) / 1000, 2) }));
    if (step % 100 === 0) lines.push(JSON.stringify({ step, epoch: step / 100, eval_loss: round(loss + 0.08 + noise(0.02), 4), time: round((trainStart + step * 420 + 4000) / 1000, 2) }));
  }
  const trainEnd = trainStart + 300 * 420 + 12_000;
  lines.push(JSON.stringify({ train_runtime: round((trainEnd - trainStart) / 1000, 2), train_samples_per_second: round(2400 / ((trainEnd - trainStart) / 1000), 3), train_steps_per_second: round(300 / ((trainEnd - trainStart) / 1000), 3), train_loss: round(2.05, 4), epoch: 3.0 }));
  write(join(dir, 'train.jsonl'), `${lines.join('\n')}\n`);
  const end = trainEnd + 8000;
  write(join(dir, 'nvidia-smi.csv'), nvidiaSmiLog(start, end, GPU_UUID, (t) => (t < 18 ? 0.02 : t < (trainEnd - start) / 1000 ? 0.9 + noise(0.05) : 0.03), 14500));
  write(join(dir, 'metadata.json'), metadata({ experiment: 'lora', task: 'main', job_id: String(LORA_JOB), array_job_id: null, array_task_id: null, start_time: new Date(start).toISOString().slice(0, 19) + 'Z', script: { path: 'scripts/lora.sbatch' }, parameters: {} }, { SLURM_JOB_ID: String(LORA_JOB) }));
  write(join(dir, 'job.out'), 'Generated sample: no job ran.\n');
  sacct.push(...sacctJob(String(LORA_JOB), String(LORA_JOB), LORA_RENDERED.job_name, submit, start, end, ((end - start) / 1000) * 1.6, 9_437_184, '02:00:00'));
}

// infer: six array tasks; latency grows with batch size and tokens, throughput with batch size.
POINTS.forEach((point, task) => {
  const dir = join(outDir, 'out', 'infer', String(task));
  const submit = t0 + 100_000;
  const start = t0 + 400_000 + task * 90_000;
  const records = [JSON.stringify({ schema: 'hpcbench.inference/1', params: point, model: 'distilgpt2', backend: 'transformers', host: 'sdumont8012' })];
  let clock = start / 1000 + 15;
  const requests = 62;
  for (let id = 0; id < requests; id++) {
    const warmup = id < 2;
    const tokens = point.max_new_tokens * point.batch_size;
    const tpot = 0.009 + 0.0012 * point.batch_size;
    const ttft = 0.035 + 0.006 * point.batch_size + Math.abs(noise(0.01));
    let latency = ttft + point.max_new_tokens * tpot * (1 + noise(0.06));
    if (warmup) latency *= 3;
    if (id === 40 + task) latency *= 2.4; // one straggler per task: the outlier warning
    const failed = task === 5 && id === 17;
    records.push(JSON.stringify({ id, start: round(clock, 4), end: round(clock + latency, 4), batch_size: point.batch_size, input_tokens: 24 * point.batch_size, output_tokens: failed ? 0 : tokens, ttft_s: round(ttft, 4), warmup, error: failed ? 'CUDA out of memory. Tried to allocate 2.00 GiB' : null }));
    clock += latency + 0.004;
  }
  write(join(dir, 'inference.jsonl'), `${records.join('\n')}\n`);
  const end = Math.round(clock * 1000) + 3000;
  const busy = Math.min(0.95, 0.22 + 0.045 * point.batch_size);
  write(join(dir, 'nvidia-smi.csv'), nvidiaSmiLog(start, end, GPU_UUID, (t) => (t < 14 ? 0.02 : busy + noise(0.04)), 1800 + 260 * point.batch_size * (point.max_new_tokens / 32)));
  write(join(dir, 'metadata.json'), metadata({ experiment: 'infer', task: String(task), job_id: String(INFER_JOB + 1 + task), array_job_id: String(INFER_JOB), array_task_id: String(task), start_time: new Date(start).toISOString().slice(0, 19) + 'Z', script: { path: 'scripts/infer.sbatch' }, parameters: point }, { SLURM_JOB_ID: String(INFER_JOB + 1 + task), SLURM_ARRAY_JOB_ID: String(INFER_JOB), SLURM_ARRAY_TASK_ID: String(task) }));
  write(join(dir, 'job.out'), 'Generated sample: no job ran.\n');
  sacct.push(...sacctJob(`${INFER_JOB}_${task}`, String(INFER_JOB + 1 + task), INFER_RENDERED.job_name, submit, start, end, ((end - start) / 1000) * 1.1, 2_621_440 + task * 100_000, '00:30:00'));
});
write(join(outDir, 'sacct.txt'), `${sacct.join('\n')}\n`);

// Scripts and manifest: the rendered scripts (above), in the manifest hpcbench would write for them.
for (const [path, text] of rendered.files) if (path.startsWith('scripts/')) write(join(outDir, path), text);
const manifest = {
  schema: 'hpcbench.manifest/1',
  run_id: RUN_ID,
  created_at: new Date(t0).toISOString(),
  config_file: 'data_sample/hpcbench.yaml',
  experiments: ['lora', 'infer'],
  jobs: [
    { experiment: 'lora', cluster: 'sdumont', partition: 'sequana_gpu', template: LORA_RENDERED.template, script: LORA_RENDERED.script, sha256: LORA_RENDERED.sha256, job_name: LORA_RENDERED.job_name, out_dir: 'out/lora', depends_on: [], parameters: {}, gpu_fields: GPU_FIELDS },
    { experiment: 'infer', cluster: 'sdumont', partition: 'sequana_gpu', template: INFER_RENDERED.template, script: INFER_RENDERED.script, sha256: INFER_RENDERED.sha256, job_name: INFER_RENDERED.job_name, out_dir: 'out/infer', depends_on: ['lora'], array: { size: POINTS.length, spec: '0-5%2', sweep_file: 'scripts/infer.sweep.tsv', points: POINTS }, parameters: {}, gpu_fields: GPU_FIELDS },
  ],
  files: [],
};
write(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
// run.json as the run registry (src/runs/run-record.ts, hpcbench.run/1) keeps it after submit and watch.
const at = (ms) => new Date(ms).toISOString();
const runRecord = {
  schema: 'hpcbench.run/1',
  run_id: RUN_ID,
  created_at: at(t0),
  updated_at: at(t0 + 1_200_000),
  config_file: 'data_sample/hpcbench.yaml',
  experiments: ['lora', 'infer'],
  cluster: { name: 'sdumont', transport: 'ssh', ssh: { host: 'sdumont' }, workdir: '/scratch/medtechllm/student/hpcbench' },
  remote_dir: `/scratch/medtechllm/student/hpcbench/${RUN_ID}`,
  phase: 'submitted',
  jobs: [
    { experiment: 'lora', job_name: LORA_RENDERED.job_name, script: LORA_RENDERED.script, sha256: LORA_RENDERED.sha256, depends_on: [], job_id: String(LORA_JOB), previous_job_ids: [], attempts: [{ at: at(t0), outcome: 'submitted', job_id: String(LORA_JOB) }], retries_left: 1, exclude: [], state: 'COMPLETED', final: true, submitted_at: at(t0) },
    { experiment: 'infer', job_name: INFER_RENDERED.job_name, script: INFER_RENDERED.script, sha256: INFER_RENDERED.sha256, depends_on: ['lora'], array: { spec: '0-5%2', size: POINTS.length }, job_id: String(INFER_JOB), previous_job_ids: [], attempts: [{ at: at(t0 + 100_000), outcome: 'submitted', job_id: String(INFER_JOB) }], retries_left: 1, exclude: [], state: 'COMPLETED', final: true, tasks: Object.fromEntries(POINTS.map((_, i) => [String(i), 'COMPLETED'])), submitted_at: at(t0 + 100_000) },
  ],
  history: [
    { at: at(t0 - 5000), event: 'rendered' },
    { at: at(t0), event: 'submitted', experiment: 'lora', job_id: String(LORA_JOB) },
    { at: at(t0 + 100_000), event: 'submitted', experiment: 'infer', job_id: String(INFER_JOB) },
  ],
};
write(join(outDir, 'run.json'), `${JSON.stringify(runRecord, null, 2)}\n`);
write(
  join(outDir, 'README.md'),
  `# run-example: GENERATED sample run directory

**Every log in this folder is synthetic.** It was written by \`scripts/make-sample-run.mjs\`
(seeded, deterministic) because no GPU or SLURM cluster was available when the example report
was made. It follows the run-directory layout (manifest.json, run.json, scripts/, out/<experiment>/<task>/,
sacct.txt) so that \`hpcbench profile\` and \`hpcbench report\` can be shown end to end; the
numbers illustrate the report, they describe no real hardware.

Regenerate it with \`node scripts/make-sample-run.mjs\`, and the committed report in report/
with \`npm run report:example\`.
`,
);
process.stdout.write(`wrote ${outDir}\n`);
