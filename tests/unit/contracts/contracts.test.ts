// The four files hpcbench reads back, each through its one contract: a hand-edited or damaged
// file is exit 2 naming the file, the field path, what was expected and what was found.
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseJsonText } from '../../../src/contracts/json-file.js';
import { validateMetricsDocument, parseMetricsDocument } from '../../../src/contracts/index.js';
import { InputError } from '../../../src/errors.js';
import { profileRun } from '../../../src/profile/profile-run.js';
import { parseSubmitManifest, readSubmitManifest } from '../../../src/runs/manifest-file.js';
import { expandArraySpec } from '../../../src/slurm/array-spec.js';
import { makeRenderedRun } from '../runs/helpers.js';
import { caught } from './support.js';

const INFO = { expected: 'a test document', fix: 'fix it' };

async function caughtAsync(action: () => Promise<unknown>): Promise<InputError> {
  try {
    await action();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error('expected an InputError');
}

function manifestText(change: (doc: { jobs: Record<string, unknown>[] } & Record<string, unknown>) => void): string {
  const { manifest } = makeRenderedRun([{ experiment: 'a' }]);
  const doc = JSON.parse(JSON.stringify(manifest)) as { jobs: Record<string, unknown>[] } & Record<string, unknown>;
  change(doc);
  return JSON.stringify(doc);
}

describe('JSON text', () => {
  it('names line and column of a syntax error, and says when the text stops early', () => {
    expect(caught(() => parseJsonText('{\n  "a": [1, 2,\n  ]\n}', 'f.json', INFO)).message).toBe(
      "f.json: not valid JSON at line 3 column 3 (character 18): Unexpected token ']'",
    );
    expect(caught(() => parseJsonText('{"a": [1, 2', 'f.json', INFO)).message).toMatch(/^f\.json: not valid JSON at line 1 column 12 \(character 11\): the text ends early/);
  });
});

describe('manifest.json', () => {
  it('refuses paths that lead out of the run directory', () => {
    for (const [field, value] of [
      ['script', '/home/u/.ssh/id_ed25519'],
      ['out_dir', '../../elsewhere'],
      ['script', 'scripts/../../x'],
    ] as const) {
      const error = caught(() => parseSubmitManifest(manifestText((d) => void ((d.jobs[0] as Record<string, unknown>)[field] = value)), 'run/manifest.json'));
      expect(error.message).toBe(`run/manifest.json: jobs[0].${field}: expected a relative path inside the run directory (no leading '/', no '..', no NUL), got the string ${JSON.stringify(value)}`);
    }
    const files = caught(() => parseSubmitManifest(manifestText((d) => void (d.files = [{ local: 'x', path: '../x' }])), 'manifest.json'));
    expect(files.message).toMatch(/files\[0\]\.path: expected a relative path inside the run directory/);
  });

  it('refuses an experiment name that is a path, and a run_id that is not an id', () => {
    expect(caught(() => parseSubmitManifest(manifestText((d) => void ((d.jobs[0] as Record<string, unknown>).experiment = '../x')), 'm.json')).message).toMatch(
      /m\.json: jobs\[0\]\.experiment: expected an experiment name/,
    );
    expect(caught(() => parseSubmitManifest(manifestText((d) => void (d.run_id = '../../x')), 'm.json')).message).toMatch(/m\.json: run_id: expected a run id/);
  });

  it('refuses an array spec of more tasks than SLURM allows instead of filling memory', () => {
    expect(caught(() => expandArraySpec('0-99999999999', 'manifest.json')).message).toMatch(/has more than 4000001 tasks/);
    expect(expandArraySpec('0-5%2', 'manifest.json')).toEqual(['0', '1', '2', '3', '4', '5']);
  });
});

describe('metrics.json', () => {
  const minimal = () => ({
    schema: 'hpcbench.metrics/1',
    run: { experiments: ['a'] },
    method: {},
    sources: [],
    sweep: [],
    warnings: [],
    tasks: [{ experiment: 'a', task: 'main', params: {}, gpu_series: [], latency_samples_s: [], throughput_samples: [], missing: [] }],
  });

  it('accepts a minimal document and keeps keys it does not know', () => {
    const doc = { ...minimal(), future: { x: 1 } };
    expect(validateMetricsDocument(doc, 'm.json')).toMatchObject({ future: { x: 1 } });
  });

  it('names the field a report would have crashed on', () => {
    const doc = minimal();
    (doc.tasks[0] as Record<string, unknown>).gpu = { files: [], gpus: 'x', overall: { gpus: 1 }, warnings: [] };
    expect(caught(() => validateMetricsDocument(doc, 'm.json')).message).toBe('m.json: tasks[0].gpu.gpus: expected a list, got the string "x"');
    const samples = minimal();
    (samples.tasks[0] as Record<string, unknown>).latency_samples_s = [0.1, null];
    expect(caught(() => validateMetricsDocument(samples, 'm.json')).message).toBe('m.json: tasks[0].latency_samples_s[1]: expected a number, got null');
    expect(caught(() => parseMetricsDocument('{"schema": "hpcbench.metrics/0"}', 'm.json')).message).toMatch(/m\.json: schema: expected "hpcbench\.metrics\/2" or "hpcbench\.metrics\/1"/);
    // A missing-section code the reports cannot word (the fuzz test found the Markdown report crashing on one).
    const code = minimal();
    (code.tasks[0] as Record<string, unknown>).missing = [{ section: 'gpu', reason: 'x', code: 'NaN' }];
    expect(caught(() => validateMetricsDocument(code, 'm.json')).message).toMatch(/^m\.json: tasks\[0\]\.missing\[0\]\.code: expected one of "no-metadata", "no-gpu-log"/);
  });
});

describe('profile reads manifest.json and metadata.json through their contracts', () => {
  function runWith(manifest: unknown, metadata: unknown): string {
    const run = mkdtempSync(join(tmpdir(), 'hpcb-contract-'));
    writeFileSync(join(run, 'manifest.json'), JSON.stringify(manifest));
    mkdirSync(join(run, 'out', 'a', 'main'), { recursive: true });
    writeFileSync(join(run, 'out', 'a', 'main', 'metadata.json'), JSON.stringify(metadata));
    return run;
  }
  const manifest = { schema: 'hpcbench.manifest/1', run_id: 'r1', experiments: ['a'], jobs: [{ experiment: 'a', out_dir: 'out/a' }] };

  it('profiles a hand-made manifest with only the fields it needs', async () => {
    const doc = await profileRun(runWith(manifest, { job_id: 42 }));
    expect(doc.tasks.map((t) => [t.experiment, t.task, t.job_id])).toEqual([['a', 'main', '42']]);
  });

  it('refuses a manifest whose out_dir leaves the run, or whose array size is not a count', async () => {
    const out = await caughtAsync(() => profileRun(runWith({ ...manifest, jobs: [{ experiment: 'a', out_dir: '/etc' }] }, {})));
    expect(out.message).toMatch(/manifest\.json: jobs\[0\]\.out_dir: expected a relative path inside the run directory/);
    const size = await caughtAsync(() => profileRun(runWith({ ...manifest, jobs: [{ experiment: 'a', array: { size: 1e12, spec: '0-1' } }] }, {})));
    expect(size.message).toMatch(/manifest\.json: jobs\[0\]\.array\.size: expected at most 4000001, got number 1000000000000/);
  });

  it('refuses a metadata.json that is not an object or has a job id that is not one', async () => {
    const list = await caughtAsync(() => profileRun(runWith(manifest, [1, 2])));
    expect(list.message).toMatch(/out\/a\/main\/metadata\.json: \(the document\): expected an object, got a list of 2/);
    const id = await caughtAsync(() => profileRun(runWith(manifest, { job_id: { nested: true } })));
    expect(id.message).toMatch(/metadata\.json: job_id: expected a SLURM id \(digits, as a string or a number\) or null, got an object/);
  });
});

describe('manifest.json in its run directory', () => {
  it('refuses a manifest whose run_id is not its directory name, naming both', async () => {
    const { resultsDir, runDir } = makeRenderedRun([{ experiment: 'a' }]);
    const copy = join(resultsDir, 'copy-of-run');
    cpSync(runDir, copy, { recursive: true });
    const error = await caughtAsync(() => readSubmitManifest(copy));
    expect(error.message).toBe(`${join(copy, 'manifest.json')}: run_id: expected "copy-of-run" (the name of its directory), got "20261124-060000-a-0001"`);
    expect((await readSubmitManifest(runDir)).run_id).toBe('20261124-060000-a-0001');
  });
});
