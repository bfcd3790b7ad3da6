// Fuzz over every log parser, from real captured files (tests/fixtures/real/ and the other
// fixtures) mutated, and from random input: each case ends in a result or a project error with
// exit code 1 or 2, never an internal error, and within a memory bound.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readSacctFigures, readSacctJobs } from '../../../src/profile/accounting/sacct-read.js';
import { readCheckpointLog } from '../../../src/profile/training/checkpoint-log.js';
import { RejectedLines } from '../../../src/profile/lines.js';
import { readSeff } from '../../../src/profile/accounting/seff.js';
import { readInferenceLog } from '../../../src/profile/inference/log.js';
import { summarizeComputeApps } from '../../../src/profile/gpu/nvidia-smi-apps.js';
import { summarizeDmonLogs } from '../../../src/profile/gpu/nvidia-smi-dmon.js';
import { summarizeQueryGpuLogs } from '../../../src/profile/gpu/nvidia-smi-query-files.js';
import { profileFiles } from '../../../src/profile/profile-run.js';
import { readTrainerState } from '../../../src/profile/training/trainer-state.js';
import { readTrainingLog } from '../../../src/profile/training/log.js';
import { describeInput, expectContainedOutcome, fixtureSeeds, FUZZ_RUNS, FUZZ_SEED, inputArb, type Outcome } from './support.js';

const FIX = 'tests/fixtures';
const dir = mkdtempSync(join(tmpdir(), 'hpcb-fuzz-'));

interface Target {
  name: string;
  seeds: () => Buffer[];
  /** The file name the input is written under (some readers go by it). */
  fileName: string;
  read: (file: string, input: Buffer) => unknown;
  /** Bad lines are counted as rejected, never refused: the log of a job killed mid-write is still read. */
  lenient?: boolean;
}

const TARGETS: Target[] = [
  {
    name: 'nvidia-smi --query-gpu',
    seeds: () => [...fixtureSeeds(`${FIX}/real/nvidia-smi-query`, /./), ...fixtureSeeds(`${FIX}/nvidia-smi`, /^query-/)],
    fileName: 'nvidia-smi.csv',
    read: (file) => summarizeQueryGpuLogs([file]),
  },
  {
    name: 'nvidia-smi dmon',
    seeds: () => [...fixtureSeeds(`${FIX}/real/nvidia-smi-dmon`, /./), ...fixtureSeeds(`${FIX}/nvidia-smi`, /^dmon/)],
    fileName: 'dmon.log',
    read: (file) => summarizeDmonLogs([file]),
  },
  {
    name: 'nvidia-smi --query-compute-apps',
    seeds: () => [...fixtureSeeds(`${FIX}/real/nvidia-smi-apps`, /./), ...fixtureSeeds(`${FIX}/nvidia-smi`, /^compute-apps/)],
    fileName: 'compute-apps.csv',
    read: (file) => summarizeComputeApps([file]),
  },
  {
    name: 'inference JSONL and benchmark summaries',
    seeds: () => [...fixtureSeeds(`${FIX}/inference`, /\.(jsonl|json)$/), ...fixtureSeeds(`${FIX}/real/vllm`, /./)],
    fileName: 'inference.jsonl',
    read: (file) => readInferenceLog(file),
  },
  {
    name: 'training logs (JSONL, Trainer stdout)',
    seeds: () => [...fixtureSeeds(`${FIX}/training`, /\.(jsonl|log)$/), ...fixtureSeeds(`${FIX}/real/trainer-stdout`, /./)],
    fileName: 'train.log',
    read: (file) => readTrainingLog(file),
  },
  {
    name: 'trainer_state.json',
    seeds: () => fixtureSeeds(`${FIX}/real/trainer-state`, /./),
    fileName: 'trainer_state.json',
    read: (file) => readTrainerState(file),
  },
  {
    name: 'sacct (every layout)',
    seeds: () => [...fixtureSeeds(`${FIX}/real/sacct`, /./), ...fixtureSeeds(`${FIX}/slurm`, /^sacct-.*\.txt$/)],
    fileName: 'sacct.txt',
    read: (file, input) => {
      const text = input.toString('utf8');
      readSacctFigures(text, { file });
      return readSacctJobs(text, { file });
    },
  },
  {
    name: 'checkpoints.jsonl (the job script\'s signal log)',
    seeds: () => fixtureSeeds(`${FIX}/checkpoints-real/out`, /^checkpoints\.jsonl$/),
    fileName: 'checkpoints.jsonl',
    read: (file) => readCheckpointLog(file, { rejected: new RejectedLines() }),
    lenient: true,
  },
  {
    name: 'seff',
    seeds: () => fixtureSeeds(`${FIX}/real/seff`, /./),
    fileName: 'seff.txt',
    read: (file, input) => readSeff(input.toString('utf8'), file),
  },
];

/** Every kind at once, through detection: a mutated file may be read as another kind. */
const ALL_SEEDS = (): Buffer[] => TARGETS.flatMap((t) => t.seeds());

async function fuzz(target: Target, runs: number): Promise<Map<Outcome, number>> {
  const seen = new Map<Outcome, number>();
  const file = join(dir, target.fileName);
  await fc.assert(
    fc.asyncProperty(inputArb(target.seeds()), async (input) => {
      writeFileSync(file, input);
      const outcome = await expectContainedOutcome(() => target.read(file, input), () => `${target.name}: ${describeInput(input)}`);
      seen.set(outcome, (seen.get(outcome) ?? 0) + 1);
    }),
    { numRuns: runs, seed: FUZZ_SEED, endOnFailure: true },
  );
  return seen;
}

describe('fuzz: log parsers end in a result or exit 1/2, never an internal error', () => {
  for (const target of TARGETS) {
    it(target.name, async () => {
      const seen = await fuzz(target, FUZZ_RUNS);
      if (process.env.FUZZ_VERBOSE) console.log(target.name, Object.fromEntries(seen));
      expect([...seen.values()].reduce((a, b) => a + b, 0)).toBe(FUZZ_RUNS);
      // The mutations do break files: some are refused, so the property was tested on refusals too.
      if (target.lenient !== true) expect(seen.get('exit-2') ?? 0).toBeGreaterThan(0);
    }, 60_000);
  }

  it('profile <files> (kind detection, then the parser it picks)', async () => {
    const target: Target = { name: 'profile <files>', seeds: ALL_SEEDS, fileName: 'job-log.txt', read: (file) => profileFiles([file], { bootstrapIterations: 100 }) };
    await fuzz(target, FUZZ_RUNS);
  }, 60_000);
});
