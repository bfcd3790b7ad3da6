// Every place that reads manifest.json or run.json back goes through the file's contract: render
// writes what the contract accepts, and profile and report refuse a mistyped field by file and name.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { manifestSchema } from '../../../src/contracts/manifest.js';
import { serializeMetricsDocument } from '../../../src/contracts/metrics.js';
import { loadConfig } from '../../../src/config/index.js';
import { InputError, ExitCode } from '../../../src/errors.js';
import { writeProcessSamples } from '../../../src/profile/process-sampler.js';
import { profileRun } from '../../../src/profile/profile-run.js';
import { serializeManifest } from '../../../src/render/manifest.js';
import { renderRun } from '../../../src/render/render-run.js';
import { loadBundle } from '../../../src/report/run-bundle.js';
import { emptyDoc, emptyTask } from '../report/fixture-doc.js';

const temp = mkdtempSync(join(tmpdir(), 'hpcbench-readers-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** The sample project: a LoRA job and the inference sweep that depends on it. */
const SAMPLE_CONFIG = 'data_sample/hpcbench.yaml';

async function caughtAsync(action: () => Promise<unknown>): Promise<InputError> {
  try {
    await action();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).exitCode).toBe(ExitCode.usage);
    return error as InputError;
  }
  throw new Error('expected an InputError');
}

function runDirWith(name: string, files: Record<string, unknown>): string {
  const dir = join(temp, name);
  mkdirSync(join(dir, 'out', 'a', 'main'), { recursive: true });
  for (const [file, value] of Object.entries(files)) writeFileSync(join(dir, file), typeof value === 'string' ? value : JSON.stringify(value));
  return dir;
}

describe('manifest.json', () => {
  it('render writes a manifest the contract reads back unchanged', () => {
    const rendered = renderRun(loadConfig(SAMPLE_CONFIG), 'infer', { now: new Date('2026-11-24T06:00:00Z') });
    const text = rendered.files.get('manifest.json') ?? '';
    expect(manifestSchema.parse(JSON.parse(text))).toStrictEqual(JSON.parse(text));
    expect(rendered.manifest.jobs.map((j) => j.experiment)).toEqual(['lora', 'infer']);
    expect(rendered.manifest.jobs[1]?.array?.points?.length).toBeGreaterThan(1);
  });

  it('the writer refuses a manifest its readers would refuse', () => {
    const { manifest } = renderRun(loadConfig(SAMPLE_CONFIG), 'infer');
    expect(() => serializeManifest({ ...manifest, jobs: [] })).toThrow(/manifest does not match its contract/);
  });

  it('report refuses a manifest with a mistyped field, naming the file and the field', async () => {
    const dir = runDirWith('report-manifest', { 'manifest.json': { run_id: 'r1', jobs: [{ experiment: 'a', parameters: { lr: [1, 2] } }] } });
    writeFileSync(join(dir, 'metrics.json'), serializeMetricsDocument(emptyDoc('r1', ['a'], [emptyTask('a', 'main')])));
    const error = await caughtAsync(() => Promise.resolve(loadBundle(dir)));
    expect(error.message).toBe(`${join(dir, 'manifest.json')}: jobs[0].parameters.lr: expected a string, number or boolean, got a list of 2`);
  });

  it('report keeps reading a manifest with only the fields it needs, and lists one that is not an object', () => {
    expect(loadBundle(runDirWith('report-minimal', { 'manifest.json': { run_id: 'r2' } })).manifest).toEqual({ run_id: 'r2' });
    expect(loadBundle(runDirWith('report-list', { 'manifest.json': [] })).missing).toContain('manifest-invalid');
  });
});

describe('run.json', () => {
  it('profile reads whether the run ran here through the run contract', async () => {
    const local = runDirWith('profile-local', { 'run.json': { local: true } });
    const doc = await profileRun(local);
    expect(doc.tasks[0]?.missing.map((m) => m.code)).toContain('local-no-accounting');
    const bad = runDirWith('profile-bad', { 'run.json': { local: 'yes' } });
    expect((await caughtAsync(() => profileRun(bad))).message).toBe(`${join(bad, 'run.json')}: local: expected true or false, got the string "yes"`);
  });
});

describe('process.json', () => {
  it('profile reads what run --local wrote, and refuses a mistyped summary field naming the file and the field', async () => {
    const good = runDirWith('process-good', {});
    await writeProcessSamples(join(good, 'out', 'a', 'main', 'process.json'), {
      rootPid: 10,
      timeMs: Float64Array.from([0, 1000]),
      cpuPercent: Float64Array.from([20, 60]),
      rssBytes: Float64Array.from([1e6, 2e6]),
      processCount: Uint32Array.from([1, 1]),
      pidsSeen: [10],
      peakRssBytes: 2e6,
      stoppedBy: 'root-exited',
    });
    const doc = await profileRun(good);
    expect(doc.tasks[0]?.process?.meanCpuPercent).toBe(40);
    const bad = runDirWith('process-bad', {});
    writeFileSync(join(bad, 'out', 'a', 'main', 'process.json'), JSON.stringify({ samples: 2, durationMs: 1000, cpuPercent: { n: 2, mean: 40, max: 60 }, meanCpuPercent: '40%' }));
    const file = join(bad, 'out', 'a', 'main', 'process.json');
    expect((await caughtAsync(() => profileRun(bad))).message).toBe(`${file}: meanCpuPercent: expected a number, got the string "40%" (and 4 more problem(s))`);
  });
});
