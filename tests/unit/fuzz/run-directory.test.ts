// Fuzz over every reader of a run directory and of the config: manifest.json (submit's reader
// and profile's), run.json (the registry, `runs`), metadata.json, metrics.json and hpcbench.yaml,
// from real documents mutated and random input. Each case ends in a result or exit 1/2.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../src/config/load.js';
import { parseMetricsDocument } from '../../../src/contracts/metrics.js';
import { profileFiles, profileRun } from '../../../src/profile/profile-run.js';
import { buildReportModel, renderCsvReport, renderMarkdownReport } from '../../../src/report/index.js';
import { readManifestView, readMetadata } from '../../../src/profile/run-layout.js';
import { listRuns, parseSubmitManifest, readRunRecord } from '../../../src/runs/index.js';
import { createRunRecord } from '../../../src/runs/run-record.js';
import { taskNames } from '../../../src/runs/manifest-file.js';
import { writeRunRecord } from '../../../src/runs/registry.js';
import { CLUSTER, makeRenderedRun } from '../runs/helpers.js';
import { describeInput, expectContainedOutcome, fixtureSeeds, FUZZ_RUNS, FUZZ_SEED, inputArb, jsonFieldMutationArb, type Outcome } from './support.js';

const CHECKPOINTS = 'tests/fixtures/checkpoints-real';
const RUN_ID = '20261124-060000-a-0001';
const work = mkdtempSync(join(tmpdir(), 'hpcb-fuzz-run-'));

const text = (value: unknown): Buffer => Buffer.from(`${JSON.stringify(value, null, 2)}\n`);

function manifestSeeds(): Buffer[] {
  const plain = makeRenderedRun([{ experiment: 'a' }, { experiment: 'b', depends_on: ['a'] }]).manifest;
  const array = makeRenderedRun([{ experiment: 'sweep', array: '0-2%2' }]).manifest;
  const checkpoint = JSON.parse(JSON.stringify(plain)) as { jobs: Record<string, unknown>[] };
  Object.assign(checkpoint.jobs[0] as Record<string, unknown>, { checkpoint_dir: 'checkpoints', term_grace_s: 60, task_dirs: ['out/a/main'], gpu_fields: ['utilization.gpu'] });
  return [text(plain), text(array), text(checkpoint)];
}

async function runSeeds(): Promise<Buffer[]> {
  const dir = mkdtempSync(join(work, 'seed-'));
  const { manifest } = makeRenderedRun([{ experiment: 'a' }, { experiment: 'b', array: '0-2' }], RUN_ID);
  const record = createRunRecord(manifest, CLUSTER, new Date('2026-11-24T06:00:00Z'));
  Object.assign(record.jobs[0] as object, { job_id: '4242', state: 'COMPLETED', final: true, attempts: [{ at: '2026-11-24T06:00:01Z', outcome: 'submitted', job_id: '4242' }] });
  Object.assign(record.jobs[1] as object, { job_id: '4243', tasks: { '0': 'COMPLETED', '1': 'RUNNING' }, task_facts: { '0': { exit_code: '0:0', restarts: 1 } } });
  await writeRunRecord(dir, record, new Date('2026-11-24T06:05:00Z'));
  return [readFileSync(join(dir, RUN_ID, 'run.json'))];
}

function metadataSeeds(): Buffer[] {
  return fixtureSeeds(`${CHECKPOINTS}/out`, /^metadata\.json$/);
}

async function metricsSeeds(): Promise<Buffer[]> {
  const docs = [
    await profileFiles(['tests/fixtures/nvidia-smi/query-units.csv', 'tests/fixtures/inference/requests.jsonl'], { bootstrapIterations: 100 }),
    await profileFiles(['tests/fixtures/training/train.jsonl', 'tests/fixtures/nvidia-smi/dmon.txt'], { bootstrapIterations: 100 }),
    await profileRun(checkpointRun()),
    await profileRun('data_sample/run-example', { bootstrapIterations: 100 }),
  ];
  return docs.map(text);
}

function configSeeds(): Buffer[] {
  return [readFileSync('data_sample/hpcbench.yaml'), ...fixtureSeeds('tests/fixtures/render', /\.ya?ml$/), ...fixtureSeeds('tests/fixtures/workloads', /\.ya?ml$/)];
}

/** A copy of the real checkpoint outputs with a manifest, as profile finds a fetched run. */
function checkpointRun(): string {
  const dir = mkdtempSync(join(work, 'ckpt-'));
  cpSync(CHECKPOINTS, dir, { recursive: true });
  const experiments = ['slow-save', 'requeue-refused', 'cancelled', 'ignores-signal'];
  const jobs = experiments.map((experiment) => ({ experiment, cluster: 'test', partition: 'cpu', out_dir: `out/${experiment}`, parameters: {}, depends_on: [], gpu_fields: [] }));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ schema: 'hpcbench.manifest/1', run_id: 'ckpt-it-30589-mx4t9y0f', experiments, jobs }));
  return dir;
}

/** Runs the property; the outcomes must include refusals (the mutations do break files) and, from the seeds, results. */
async function fuzz(name: string, seeds: Buffer[], read: (input: Buffer) => unknown, runs = FUZZ_RUNS, json = true): Promise<void> {
  const seen = new Map<Outcome, number>();
  // Byte-level damage (truncation, NULs, nesting) and, for JSON, valid documents wrong in a few fields.
  const inputs = json ? fc.oneof(inputArb(seeds), jsonFieldMutationArb(seeds)) : inputArb(seeds);
  await fc.assert(
    fc.asyncProperty(inputs, async (input) => {
      const outcome = await expectContainedOutcome(() => read(input), () => `${name}: ${describeInput(input)}`);
      seen.set(outcome, (seen.get(outcome) ?? 0) + 1);
    }),
    { numRuns: runs, seed: FUZZ_SEED, endOnFailure: true },
  );
  if (process.env.FUZZ_VERBOSE) console.log(name, Object.fromEntries(seen));
  expect(seen.get('exit-2') ?? 0, `${name}: some mutated inputs are refused`).toBeGreaterThan(0);
  for (const seed of seeds) expect(await expectContainedOutcome(() => read(seed), () => `${name} seed`), `${name}: a seed is read`).toBe('ok');
}

describe('fuzz: run-directory and config readers end in a result or exit 1/2', () => {
  let manifests: Buffer[];
  let runs: Buffer[];
  let metrics: Buffer[];

  beforeAll(async () => {
    manifests = manifestSeeds();
    runs = await runSeeds();
    metrics = await metricsSeeds();
  });

  it('manifest.json, as submit reads it (and the task names it derives)', async () => {
    await fuzz('manifest (submit)', manifests, (input) => {
      const manifest = parseSubmitManifest(input.toString('utf8'), 'manifest.json');
      for (const job of manifest.jobs) taskNames(job);
    });
  }, 60_000);

  it('manifest.json and metadata.json, as profile reads a run directory', async () => {
    const run = checkpointRun();
    const metadataFile = join(run, 'out', 'cancelled', 'main', 'metadata.json');
    const originalMetadata = readFileSync(metadataFile);
    await fuzz('manifest (profile)', manifests, async (input) => {
      writeFileSync(join(run, 'manifest.json'), input);
      readManifestView(join(run, 'manifest.json'));
      return profileRun(run, { bootstrapIterations: 100 });
    }, Math.ceil(FUZZ_RUNS / 2));
    writeFileSync(join(run, 'manifest.json'), manifests[0] as Buffer);
    await fuzz('metadata.json', [originalMetadata, ...metadataSeeds()], async (input) => {
      writeFileSync(metadataFile, input);
      readMetadata(metadataFile);
      return profileRun(run, { bootstrapIterations: 100 });
    }, Math.ceil(FUZZ_RUNS / 2));
  }, 60_000);

  it('run.json, through the registry and the `runs` listing', async () => {
    const results = mkdtempSync(join(work, 'results-'));
    mkdirSync(join(results, RUN_ID));
    await fuzz('run.json', runs, async (input) => {
      writeFileSync(join(results, RUN_ID, 'run.json'), input);
      const listed = await listRuns(results);
      expect(listed).toHaveLength(1);
      return readRunRecord(results, RUN_ID);
    });
  }, 60_000);

  it('metrics.json, and the Markdown and CSV reports of what it lets through', async () => {
    await fuzz('metrics.json', metrics, (input) => {
      const doc = parseMetricsDocument(input.toString('utf8'), 'metrics.json');
      renderMarkdownReport(buildReportModel(doc, undefined), 'en');
      return renderCsvReport([doc]);
    });
  }, 60_000);

  it('hpcbench.yaml', async () => {
    await fuzz('hpcbench.yaml', configSeeds(), (input) => parseConfigText(input.toString('utf8'), 'hpcbench.yaml'), FUZZ_RUNS, false);
  }, 60_000);
});
