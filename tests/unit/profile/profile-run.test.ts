import { describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { profileFiles, profileRun } from '../../../src/profile/profile-run.js';
import { CheckFailedError, InputError } from '../../../src/errors.js';

const fx = (...parts: string[]) => join('tests/fixtures', ...parts);

/** A run directory as render + fetch leave it: a sweep of two points and a training job. */
function makeRun(): string {
  const run = mkdtempSync(join(tmpdir(), 'hpcb-run-'));
  const manifest = {
    schema: 'hpcbench.manifest/1',
    run_id: '20261124-061500-infer-3f2a',
    experiments: ['train', 'infer'],
    jobs: [
      { experiment: 'train', cluster: 'sd', partition: 'sequana_gpu', out_dir: 'out/train', parameters: {}, depends_on: [], gpu_fields: [] },
      {
        experiment: 'infer',
        cluster: 'sd',
        partition: 'sequana_gpu',
        out_dir: 'out/infer',
        parameters: { model: 'distilgpt2' },
        depends_on: ['train'],
        array: { size: 2, spec: '0-1', sweep_file: 'scripts/infer.sweep.tsv', points: [{ batch_size: 1 }, { batch_size: 4 }] },
      },
    ],
  };
  writeFileSync(join(run, 'manifest.json'), JSON.stringify(manifest));
  const put = (dir: string, from: string, name: string) => {
    mkdirSync(join(run, dir), { recursive: true });
    copyFileSync(from, join(run, dir, name));
  };
  put('out/train/main', fx('training', 'train.jsonl'), 'train.jsonl');
  put('out/train/main', fx('nvidia-smi', 'query-units.csv'), 'nvidia-smi.csv');
  writeFileSync(join(run, 'out/train/main/metadata.json'), JSON.stringify({ job_id: '201' }));
  put('out/infer/0', fx('inference', 'sweep', 'batch-1.jsonl'), 'inference.jsonl');
  put('out/infer/1', fx('inference', 'sweep', 'batch-4.jsonl'), 'inference.jsonl');
  copyFileSync(fx('slurm', 'sacct-parsable2.txt'), join(run, 'sacct.txt'));
  return run;
}

describe('profileRun', () => {
  it('profiles every task of a run directory into one document', async () => {
    const doc = await profileRun(makeRun(), { now: () => new Date('2026-11-24T00:00:00Z'), toolVersion: '1.2.3' });
    expect(doc.schema).toBe('hpcbench.metrics/2');
    expect(doc.run.run_id).toBe('20261124-061500-infer-3f2a');
    expect(doc.tasks.map((t) => `${t.experiment}/${t.task}`)).toEqual(['train/main', 'infer/0', 'infer/1']);
    const train = doc.tasks[0]!;
    expect(train.training?.finalLoss).not.toBeNull();
    expect(train.gpu?.gpus.length).toBe(2);
    expect(train.gpu_series.length).toBe(2);
    expect(train.gpu_series[0]?.t.length).toBeGreaterThan(0);
    expect(train.accounting?.jobId).toBe('201');
    expect(train.accounting?.gpuHours).toBeCloseTo(312 / 3600, 9);
    const [p0, p1] = [doc.tasks[1]!, doc.tasks[2]!];
    expect(p0.params).toMatchObject({ model: 'distilgpt2', batch_size: 1 });
    expect(p1.params).toMatchObject({ batch_size: 4 });
    expect(p0.latency_samples_s.length).toBe(p0.inference?.latencyS.n);
    expect(p0.missing.map((m) => m.section).sort()).toEqual(['accounting', 'gpu', 'metadata', 'process', 'training']);
    expect(doc.sweep.map((s) => s.params.batch_size)).toEqual([1, 4]);
    expect(doc.sweep[1]?.output_tokens_per_s).toBeGreaterThan(0);
  });

  it('is deterministic: same inputs, same document', async () => {
    const run = makeRun();
    const options = { now: () => new Date('2026-11-24T00:00:00Z') };
    const a = await profileRun(run, options);
    const b = await profileRun(run, options);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });

  it('reports a missing directory clearly', async () => {
    await expect(profileRun('/nonexistent/run')).rejects.toThrow(InputError);
  });

  it('returns a document with a warning when a run has no outputs yet', async () => {
    const run = mkdtempSync(join(tmpdir(), 'hpcb-empty-'));
    const doc = await profileRun(run);
    expect(doc.tasks).toEqual([]);
    expect(doc.warnings).toContain('no task output found: nothing was profiled');
  });
});

describe('profileFiles', () => {
  it('recognises loose files by content and combines them into one task', async () => {
    const doc = await profileFiles([fx('nvidia-smi', 'query-units.csv'), fx('inference', 'requests.jsonl'), fx('training', 'trainer-stdout.log')]);
    const task = doc.tasks[0]!;
    expect(doc.sources.map((s) => s.kind)).toEqual(['nvidia-smi', 'inference', 'training']);
    expect(task.gpu?.overall.energyJ).toBeGreaterThan(0);
    expect(task.inference?.energy?.gpuEnergyJ).toBe(task.gpu?.overall.energyJ);
    expect(task.training?.lossCurve.length).toBeGreaterThan(0);
  });

  it('rejects an unrecognised file with its name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hpcb-x-'));
    const file = join(dir, 'notes.txt');
    writeFileSync(file, 'hello world\n');
    await expect(profileFiles([file])).rejects.toThrow(/notes\.txt: unrecognised log/);
  });

  it('reports nvidia-smi refusing a field as an error naming the file and line', async () => {
    await expect(profileFiles([fx('nvidia-smi', 'query-invalid-field.txt')])).rejects.toThrow(/query-invalid-field\.txt:1: .*not a valid field/);
  });

  it('--strict turns rejected lines into a failure listing them', async () => {
    const lenient = await profileFiles([fx('inference', 'bad-lines.jsonl')]);
    expect(lenient.sources[0]?.rejected?.count).toBeGreaterThan(0);
    expect(lenient.warnings[0]).toMatch(/line\(s\) were rejected/);
    await expect(profileFiles([fx('inference', 'bad-lines.jsonl')], { strict: true })).rejects.toThrow(CheckFailedError);
  });

  it('reports each file its own rejected lines when files of a task share a parser', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hpcb-rej-'));
    const [a, b] = [join(dir, 'a.jsonl'), join(dir, 'b.jsonl')];
    copyFileSync(fx('inference', 'bad-lines.jsonl'), a);
    copyFileSync(fx('inference', 'bad-lines.jsonl'), b);
    const single = (await profileFiles([a])).sources[0]!.rejected!.count;
    const doc = await profileFiles([a, b]);
    expect(doc.sources.map((s) => s.rejected?.count)).toEqual([single, single]);
    expect(doc.sources[1]?.rejected?.examples.every((e) => e.file === b)).toBe(true);
    expect(doc.warnings[0]).toMatch(new RegExp(`^${2 * single} log line`));
  });
});

