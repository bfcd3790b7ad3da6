import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { ConfigError, UsageError, RenderError } from '../../../src/errors.js';
import { createRunId, renderRun, writeRun } from '../../../src/render/index.js';
import { fileOf, FIXTURE_DIR, loadFixture, localConfig, NOW, renderFixture, RUN_ID, tempDir } from './helpers.js';

// One snapshot per shipped job template and layout variant (single GPU with checkpoint, GPU
// array, --gpus-per-node, multinode, CPU) and the prefetch script.
const SNAPSHOTS: [string, string, string][] = [
  ['gpu-checkpoint', 'lora', 'scripts/lora.sbatch'],
  ['gpu-array', 'infer', 'scripts/infer.sbatch'],
  ['gpu-gpus-per-node', 'h100-infer', 'scripts/h100-infer.sbatch'],
  ['multinode', 'multi', 'scripts/multi.sbatch'],
  ['cpu', 'cpu-baseline', 'scripts/cpu-baseline.sbatch'],
  ['prefetch-hf', 'infer', 'scripts/prefetch-hf.sh'],
];

/** The run id is the only per-run value in a script; the snapshots hold a placeholder. */
function normalise(text: string): string {
  return text.replaceAll(RUN_ID, '<run-id>');
}

describe('renderRun', () => {
  it.each(SNAPSHOTS)('renders %s as in the snapshot', async (name, experiment, path) => {
    await expect(normalise(fileOf(renderFixture(experiment), path))).toMatchFileSnapshot(`__snapshots__/${name}.sh`);
  });

  it('is deterministic: same input and run id give byte-identical scripts', () => {
    const a = renderFixture('infer');
    const b = renderRun(loadFixture(), 'infer', { runId: RUN_ID, now: new Date('2030-01-01T00:00:00Z') });
    for (const [path, text] of a.files) {
      if (path !== 'manifest.json') expect(b.files.get(path), path).toBe(text);
    }
    expect(a.manifest.created_at).toBe(NOW.toISOString());
  });

  it('renders a pipeline in dependency order and records depends_on', () => {
    const run = renderFixture('infer');
    expect(run.manifest.experiments).toEqual(['lora', 'infer']);
    expect(run.manifest.jobs.map((j) => [j.experiment, j.depends_on])).toEqual([['lora', []], ['infer', ['lora']]]);
    // No job id is known at render time: submit adds --dependency on the command line.
    expect(fileOf(run, 'scripts/infer.sbatch')).not.toMatch(/--dependency/);
  });

  it('writes a manifest that follows the run-directory contract', () => {
    const run = renderFixture('infer');
    const manifest = JSON.parse(fileOf(run, 'manifest.json')) as typeof run.manifest;
    expect(manifest.schema).toBe('hpcbench.manifest/1');
    expect(manifest.run_id).toBe(RUN_ID);
    const infer = manifest.jobs[1]!;
    expect(infer).toMatchObject({
      experiment: 'infer', cluster: 'sdumont', partition: 'sequana_gpu', template: 'gpu',
      script: 'scripts/infer.sbatch', job_name: 'infer', out_dir: 'out/infer', parameters: {},
      inference_log: 'inference.jsonl', gpu_interval_ms: 250,
    });
    expect(infer.sha256).toBe(createHash('sha256').update(fileOf(run, 'scripts/infer.sbatch')).digest('hex'));
    expect(infer.array).toEqual({
      size: 5, spec: '0-4%2', sweep_file: 'scripts/infer.sweep.tsv', params_file: 'scripts/infer.sweep.jsonl',
      points: [
        { batch_size: 1, max_new_tokens: 32 }, { batch_size: 1, max_new_tokens: 128 },
        { batch_size: 4, max_new_tokens: 32 }, { batch_size: 4, max_new_tokens: 128 },
        { batch_size: 16, max_new_tokens: 32 },
      ],
    });
    expect(infer.task_dirs).toEqual(['out/infer/0', 'out/infer/1', 'out/infer/2', 'out/infer/3', 'out/infer/4']);
    expect(infer.gpu_fields[0]).toBe('timestamp');
    expect(manifest.jobs[0]).toMatchObject({ parameters: { lr: 0.0002, note: "it's fine" }, checkpoint_dir: 'checkpoints', training_log: 'train.jsonl' });
    expect(manifest.files).toEqual([{ local: 'workloads', path: 'files/workloads' }]);
    expect(manifest.prefetch_script).toBe('scripts/prefetch-hf.sh');
    expect(fileOf(run, 'scripts/infer.sweep.tsv')).toBe('batch_size\tmax_new_tokens\n1\t32\n1\t128\n4\t32\n4\t128\n16\t32\n');
    expect(fileOf(run, 'scripts/infer.sweep.jsonl').split('\n')[4]).toBe('{"batch_size":16,"max_new_tokens":32}');
  });

  it('puts the run id in the comment and the job name in --job-name of every job', () => {
    const run = renderFixture('infer');
    for (const job of run.manifest.jobs) {
      const script = fileOf(run, job.script);
      expect(script).toContain(`#SBATCH --comment=hpcbench:${RUN_ID}\n`);
      expect(script).toContain(`#SBATCH --job-name=${job.job_name}\n`);
    }
  });

  it('asks for GPUs as the partition wants and sizes CPUs and memory from it', () => {
    expect(fileOf(renderFixture('lora'), 'scripts/lora.sbatch')).toMatch(/--gres=gpu:1\n[\s\S]*/);
    const h100 = fileOf(renderFixture('h100-infer'), 'scripts/h100-infer.sbatch');
    expect(h100).toContain('#SBATCH --gpus-per-node=4\n');
    expect(h100).toContain('#SBATCH --account=proj-acct\n');
    expect(h100).not.toContain('--gres');
    const lora = fileOf(renderFixture('lora'), 'scripts/lora.sbatch');
    // sequana_gpu allocates and bills whole nodes: every CPU, and all of the memory (--mem=0).
    expect(lora).toContain('#SBATCH --cpus-per-task=48\n');
    expect(lora).toContain('#SBATCH --mem=0\n');
    const cpu = fileOf(renderFixture('cpu-baseline'), 'scripts/cpu-baseline.sbatch');
    expect(cpu).not.toMatch(/--gres|--gpus|nvidia-smi --query-gpu=timestamp|PYTORCH_ALLOC_CONF/);
  });

  it('writes the offline Hugging Face block in every compute job and never a token', () => {
    const run = renderFixture('infer');
    for (const job of run.manifest.jobs) {
      const script = fileOf(run, job.script);
      for (const line of ['export HF_HOME=/scratch/proj/alice/hf-cache', 'export HF_HUB_CACHE="$HF_HOME/hub"', 'export HF_HUB_OFFLINE=1', 'export TRANSFORMERS_OFFLINE=1', 'export HF_DATASETS_OFFLINE=1']) {
        expect(script).toContain(`${line}\n`);
      }
      expect(script).not.toMatch(/PYTORCH_CUDA_ALLOC_CONF=|HF_TOKEN=/);
    }
    const prefetch = fileOf(run, 'scripts/prefetch-hf.sh');
    expect(prefetch).toContain('hpcb_fetch distilgpt2 model\n');
    expect(prefetch).toContain('hpcb_fetch imdb dataset\n');
    expect(prefetch).not.toMatch(/HF_TOKEN=|hf_[A-Za-z0-9]{20,}/);
  });

  it('leaves out the prefetch script when no model or dataset is named', () => {
    expect(renderFixture('cpu-baseline').files.has('scripts/prefetch-hf.sh')).toBe(false);
  });

  it('uses -lms below one second and -l otherwise', () => {
    expect(fileOf(renderFixture('infer'), 'scripts/infer.sbatch')).toContain('--format=csv,noheader,nounits -lms 250');
    expect(fileOf(renderFixture('lora'), 'scripts/lora.sbatch')).toContain('--format=csv,noheader,nounits -l 1');
  });

  it('names a new run YYYYMMDD-HHMMSS-<experiment asked for>-<4 hex>, not after the first of its chain', () => {
    expect(createRunId('lora', NOW, () => '3f2a')).toBe('20261124-061500-lora-3f2a');
    expect(renderRun(loadFixture(), 'infer', { now: NOW }).runId).toMatch(/^20261124-061500-infer-[0-9a-f]{4}$/);
  });

  it('refuses a run id that is not a plain word', () => {
    expect(() => renderRun(loadFixture(), 'lora', { runId: 'x; rm -rf ~' })).toThrow(UsageError);
  });

  it('names the known experiments when asked for an unknown one', () => {
    expect(() => renderFixture('infr')).toThrow(/no experiment 'infr'.*did you mean 'infer'/);
  });

  it('refuses to render when the config has problems, naming the config path', () => {
    const config = localConfig('partition: gpu\ncommand: "true"\nsweep: { matrix: { x: ["a\\tb"] } }');
    expect(() => renderRun(config, 'exp', { runId: 'r' })).toThrow(ConfigError);
    expect(() => renderRun(config, 'exp', { runId: 'r' })).toThrow(/experiments\.exp\.sweep\.matrix\.x\[0\]: .*tab or newline/);
  });

  it('turns a template error into a RenderError naming the template', () => {
    const dir = tempDir('badtpl');
    const config = localConfig('partition: cpu\ncommand: "true"');
    writeRun(join(dir, 'ok'), renderRun(config, 'exp', { runId: 'r' }));
    const project = join(dir, 'templates');
    // A project template that reads a field the view does not have.
    mkdirSync(join(project, 'sbatch'), { recursive: true });
    writeFileSync(join(project, 'sbatch', 'cpu.sbatch.njk'), '#!/bin/bash\necho {{ no_such_field | q }}\n');
    expect(() => renderRun(config, 'exp', { runId: 'r', projectTemplatesDir: project })).toThrow(RenderError);
    writeFileSync(join(project, 'sbatch', 'cpu.sbatch.njk'), '#!/bin/bash\n{% if %}\n');
    expect(() => renderRun(config, 'exp', { runId: 'r', projectTemplatesDir: project })).toThrow(/does not compile/);
  });
});

describe('writeRun', () => {
  it('writes scripts (executable), sweep files, manifest, task directories and workload files', () => {
    const dir = tempDir('write');
    const run = renderFixture('infer');
    writeRun(dir, run, { copyFilesFrom: FIXTURE_DIR });
    expect(readFileSync(join(dir, 'scripts/infer.sbatch'), 'utf8')).toBe(fileOf(run, 'scripts/infer.sbatch'));
    expect(statSync(join(dir, 'scripts/infer.sbatch')).mode & 0o111).not.toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'))).toEqual(run.manifest);
    expect(readdirSync(join(dir, 'out/infer')).sort()).toEqual(['0', '1', '2', '3', '4']);
    expect(existsSync(join(dir, 'out/lora/main'))).toBe(true);
    expect(readFileSync(join(dir, 'files/workloads/train.py'), 'utf8')).toContain('train');
    expect(readdirSync(join(dir, 'scripts')).some((f) => f.includes('.tmp-'))).toBe(false);
  });
});
