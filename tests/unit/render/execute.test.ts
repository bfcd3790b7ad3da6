// Rendered scripts run for real under bash (outside SLURM, with stub scontrol/nvidia-smi):
// hostile values come out as the same bytes and nothing in them is executed; metadata.json and
// exit.json are valid JSON; the sidecar logs while the workload runs and tolerates a missing
// nvidia-smi; sweep tasks get their own parameters.
import { execFileSync } from 'node:child_process';
import * as fsSync from 'node:fs';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderRun } from '../../../src/render/index.js';
import { configFromObjects, tempDir } from './helpers.js';
import { createSandbox, runScriptSync } from './run-script.js';

const HOSTILE = [
  '$(touch pwned-subst)',
  '`touch pwned-backtick`',
  "'; touch pwned-squote; '",
  '"; touch pwned-dquote; "',
  'a\ntouch pwned-newline',
  'x; touch pwned-semicolon && touch pwned-and',
  '${HOME} $PATH \\ * ? [a] ! # ~ %s %n',
  'it\'s "quoted" | cat > pwned-pipe &',
  'é ünïcode → ✓',
  '-- --help',
];
const SWEEP_HOSTILE = HOSTILE.filter((v) => !v.includes('\n'));

/** Writes the workload's environment as JSON: what the job really saw. */
const DUMP_ENV = `node -e 'require("fs").writeFileSync(process.env.HPCBENCH_OUT_DIR + "/env.json", JSON.stringify(process.env))'`;

function pwned(root: string): string[] {
  return execFileSync('find', [root, '-name', 'pwned*'], { encoding: 'utf8' }).split('\n').filter(Boolean);
}

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

const parameters = Object.fromEntries(HOSTILE.map((v, i) => [`p${i}`, v]));
const env = Object.fromEntries(HOSTILE.map((v, i) => [`E${i}`, v]));

function hostileConfig(partition: 'cpu' | 'gpu', extra: Record<string, unknown> = {}) {
  return configFromObjects(
    { hf_cache: '/tmp/hf $(touch pwned-hf)', env: { C0: HOSTILE[0], C1: HOSTILE[4] }, account: 'acct$(touch pwned-acct)', extra_directives: ['--constraint=$(touch pwned-x)'] },
    {
      partition,
      command: DUMP_ENV,
      parameters,
      env,
      job_name: 'hostile-job',
      resources: { constraint: '`touch pwned-constraint`', time: 10 },
      profiling: { inference_log: 'inf $(touch pwned-log).jsonl', training_log: "t'x.jsonl" },
      checkpoint: { dir: 'ck $(touch pwned-ck)', seconds_before: 60, requeue: false },
      ...extra,
    },
  );
}

describe('a rendered script run by bash', () => {
  it('passes hostile parameters, env values, paths and directives through as data', () => {
    const rendered = renderRun(hostileConfig('cpu'), 'exp', { runId: 'r1' });
    const box = createSandbox(rendered);
    const result = runScriptSync(box, 'scripts/exp.sbatch', { SLURM_JOB_ID: '77' });
    expect(result.stderr).not.toMatch(/command not found|syntax error|unbound variable/);
    expect(result.status).toBe(0);
    expect(pwned(box.root)).toEqual([]);
    const out = join(box.runDir, 'out/exp/main');
    const seen = readJson(join(out, 'env.json'));
    HOSTILE.forEach((value, i) => {
      expect(seen[`p${i}`]).toBe(value);
      expect(seen[`E${i}`]).toBe(value);
    });
    expect(seen.C0).toBe(HOSTILE[0]);
    expect(seen.C1).toBe(HOSTILE[4]);
    expect(seen.HF_HOME).toBe('/tmp/hf $(touch pwned-hf)');
    expect(seen.HF_HUB_CACHE).toBe('/tmp/hf $(touch pwned-hf)/hub');
    expect(seen.HPCBENCH_INFERENCE_LOG).toBe(`${out}/inf $(touch pwned-log).jsonl`);
    expect(seen.HPCBENCH_TRAINING_LOG).toBe(`${out}/t'x.jsonl`);
    expect(seen.HPCBENCH_CHECKPOINT_DIR).toBe(`${box.runDir}/ck $(touch pwned-ck)/exp/main`);
    expect(existsSync(String(seen.HPCBENCH_CHECKPOINT_DIR))).toBe(true);
    expect(JSON.parse(String(seen.HPCBENCH_PARAMS_JSON))).toEqual(parameters);
    expect(seen).toMatchObject({
      HPCBENCH_RUN_ID: 'r1', HPCBENCH_EXPERIMENT: 'exp', HPCBENCH_TASK: 'main', HPCBENCH_RUN_DIR: box.runDir, HPCBENCH_OUT_DIR: out,
      HF_HUB_OFFLINE: '1', TRANSFORMERS_OFFLINE: '1', HF_DATASETS_OFFLINE: '1',
    });
    const metadata = readJson(join(out, 'metadata.json'));
    expect(metadata).toMatchObject({ schema: 'hpcbench.metadata/1', run_id: 'r1', job_id: '77', task: 'main', restart_count: 0, gpus: [], parameters });
    expect(readJson(join(out, 'exit.json'))).toMatchObject({ exit_code: 0, requeued: false, signal: null });
  });

  it('gives each array task its own hostile sweep values, read as data', () => {
    const config = hostileConfig('cpu', { sweep: { matrix: { s: SWEEP_HOSTILE, n: [1, 2] } } });
    const rendered = renderRun(config, 'exp', { runId: 'r2' });
    const points = rendered.manifest.jobs[0]?.array?.points ?? [];
    expect(points).toHaveLength(SWEEP_HOSTILE.length * 2);
    const box = createSandbox(rendered);
    for (const task of [0, 3, points.length - 1]) {
      const result = runScriptSync(box, 'scripts/exp.sbatch', { SLURM_ARRAY_TASK_ID: String(task), SLURM_JOB_ID: '90' });
      expect(result.status, result.stderr).toBe(0);
      const seen = readJson(join(box.runDir, 'out/exp', String(task), 'env.json'));
      expect(seen.s).toBe(points[task]?.s);
      expect(seen.n).toBe(String(points[task]?.n));
      expect(seen.HPCBENCH_TASK).toBe(String(task));
      expect(JSON.parse(String(seen.HPCBENCH_PARAMS_JSON))).toEqual({ ...parameters, ...points[task] });
    }
    expect(pwned(box.root)).toEqual([]);
  });

  it('refuses to run an array script without SLURM_ARRAY_TASK_ID', () => {
    const rendered = renderRun(hostileConfig('cpu', { sweep: { matrix: { n: [1, 2] } } }), 'exp', { runId: 'r3' });
    const result = runScriptSync(createSandbox(rendered), 'scripts/exp.sbatch', { SLURM_ARRAY_TASK_ID: '$(touch pwned)' });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/submit this script as an array job/);
  });

  it('writes valid metadata.json from hostile SLURM variables', () => {
    const rendered = renderRun(hostileConfig('cpu'), 'exp', { runId: 'r4' });
    const box = createSandbox(rendered);
    const weird = 'we"ird\\ \n\t\r name \u0001$(touch pwned-meta)';
    const result = runScriptSync(box, 'scripts/exp.sbatch', { SLURM_JOB_ID: '5', SLURM_JOB_NAME: weird, SLURM_RESTART_COUNT: '2', CUDA_VISIBLE_DEVICES: '0,1' });
    expect(result.status, result.stderr).toBe(0);
    const metadata = readJson(join(box.runDir, 'out/exp/main/metadata.json'));
    expect((metadata.slurm as Record<string, string>).SLURM_JOB_NAME).toBe(weird.replace('\u0001', ''));
    expect(metadata).toMatchObject({ restart_count: 2, cuda_visible_devices: '0,1', nodes: [expect.any(String)] });
    const script = readFileSync(join(box.runDir, 'scripts/exp.sbatch'));
    const sha = (metadata.script as Record<string, string>).sha256_run_dir;
    expect(sha).toBe(rendered.manifest.jobs[0]?.sha256);
    expect((metadata.script as Record<string, string>).sha256_running).toBe(sha);
    expect((metadata.script as Record<string, string>).sha256_manifest).toBe(sha);
    expect(script.length).toBeGreaterThan(0);
    expect(pwned(box.root)).toEqual([]);
  });

  it('runs the GPU template without nvidia-smi: a note, no samples, the job completes', () => {
    const rendered = renderRun(hostileConfig('gpu'), 'exp', { runId: 'r5' });
    const box = createSandbox(rendered, { nvidiaSmi: false });
    const result = runScriptSync(box, 'scripts/exp.sbatch', { SLURM_JOB_ID: '6' });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/nvidia-smi not found .*GPU sampling skipped/);
    expect(existsSync(join(box.runDir, 'out/exp/main/nvidia-smi.csv'))).toBe(false);
    expect(readJson(join(box.runDir, 'out/exp/main/exit.json'))).toMatchObject({ exit_code: 0 });
    expect(readJson(join(box.runDir, 'out/exp/main/env.json')).PYTORCH_ALLOC_CONF).toBe('expandable_segments:True');
  });

  it('samples GPUs with nvidia-smi under LC_ALL=C while the workload runs and stops the sampler on exit', () => {
    // The workload ends once the sampler has written a line (at most 30 s, for a busy machine).
    const waitForSample = 'for ((i = 0; i < 300; i++)); do [[ -s $HPCBENCH_OUT_DIR/nvidia-smi.csv ]] && break; sleep 0.1; done';
    const config = configFromObjects({}, { partition: 'gpu', command: waitForSample, resources: { time: 5 }, profiling: { interval_ms: 250 } });
    const rendered = renderRun(config, 'exp', { runId: 'r6' });
    const box = createSandbox(rendered, { nvidiaSmi: true });
    const result = runScriptSync(box, 'scripts/exp.sbatch', { SLURM_JOB_ID: '7' });
    expect(result.status, result.stderr).toBe(0);
    const calls = readFileSync(box.callLog, 'utf8');
    expect(calls).toMatch(/^nvidia-smi LC_ALL=C --query-gpu=timestamp,index,uuid,.* --format=csv,noheader,nounits -lms 250$/m);
    const samples = readFileSync(join(box.runDir, 'out/exp/main/nvidia-smi.csv'), 'utf8').trim().split('\n');
    expect(samples.length).toBeGreaterThanOrEqual(1);
    expect(samples[0]).toMatch(/^2026\/11\/24 06:15:00.000, 0, GPU-0001,/);
    const sidecarPid = Number(readFileSync(`${box.callLog}.sidecar-pid`, 'utf8'));
    expect(() => process.kill(sidecarPid, 0)).toThrow();
    const metadata = readJson(join(box.runDir, 'out/exp/main/metadata.json'));
    expect(metadata.gpus).toEqual([{ index: '0', name: 'NVIDIA Fake "GPU"', driver_version: '550.54', uuid: 'GPU-0001', memory_total_mib: '81559' }]);
    expect(metadata.gpu_fields).toEqual(rendered.manifest.jobs[0]?.gpu_fields);
  });

  it('passes the workload exit code through and records it in exit.json', () => {
    const config = configFromObjects({}, { partition: 'cpu', command: 'echo failing >&2; exit 3', resources: { time: 5 } });
    const box = createSandbox(renderRun(config, 'exp', { runId: 'r7' }));
    const result = runScriptSync(box, 'scripts/exp.sbatch');
    expect(result.status).toBe(3);
    expect(readJson(join(box.runDir, 'out/exp/main/exit.json'))).toMatchObject({ exit_code: 3 });
  });
});

describe('the prefetch script run by bash', () => {
  it('downloads each model and dataset into the cluster cache, online, with ids and paths as data', () => {
    const cacheParent = tempDir('hf');
    const home = join(cacheParent, 'hf $(touch pwned-hf)');
    const config = configFromObjects(
      { hf_cache: home },
      { partition: 'cpu', command: 'true', models: ['distilgpt2', 'org/model-1.5'], datasets: ['imdb'] },
    );
    const rendered = renderRun(config, 'exp', { runId: 'p1' });
    const box = createSandbox(rendered);
    // A stand-in `hf` CLI that records what it was asked for and in which environment.
    const { writeFileSync, chmodSync } = fsSync;
    writeFileSync(join(box.bin, 'hf'), '#!/bin/bash\nprintf "%s|%s|%s|%s\\n" "$HF_HOME" "$HF_HUB_CACHE" "${HF_HUB_OFFLINE-unset}" "$*" >>"$HPCB_TEST_CALL_LOG"\n');
    chmodSync(join(box.bin, 'hf'), 0o755);
    const result = runScriptSync(box, 'scripts/prefetch-hf.sh', { HF_HUB_OFFLINE: '1', HOME: join(box.root, 'home') });
    expect(result.status, result.stderr).toBe(0);
    expect(readFileSync(box.callLog, 'utf8').trim().split('\n')).toEqual([
      `${home}|${home}/hub|unset|download --repo-type model distilgpt2`,
      `${home}|${home}/hub|unset|download --repo-type model org/model-1.5`,
      `${home}|${home}/hub|unset|download --repo-type dataset imdb`,
    ]);
    expect(pwned(box.root)).toEqual([]);
    expect(pwned(cacheParent)).toEqual([]);
    expect(fsSync.existsSync(home)).toBe(true);
  });
});
