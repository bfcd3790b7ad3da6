import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunCluster } from '../../../src/runs/index.js';
import { parseSubmitManifest, type SubmitManifest } from '../../../src/runs/index.js';
import type { Transport } from '../../../src/transport/transport.js';

export const CLUSTER: RunCluster = { name: 'fake', transport: 'ssh', ssh: { host: 'fake' }, workdir: '/scratch/p/u' };

export interface JobSpec {
  experiment: string;
  depends_on?: string[];
  array?: string;
}

/** A results dir holding one rendered run (scripts + manifest), as render would write it. */
export function makeRenderedRun(jobs: JobSpec[], runId = '20261124-060000-a-0001'): { resultsDir: string; runDir: string; manifest: SubmitManifest } {
  const resultsDir = mkdtempSync(join(tmpdir(), 'hpcbench-runs-'));
  const runDir = join(resultsDir, runId);
  mkdirSync(join(runDir, 'scripts'), { recursive: true });
  const manifest = {
    schema: 'hpcbench.manifest/1',
    run_id: runId,
    created_at: '2026-11-24T06:00:00.000Z',
    config_file: 'hpcbench.yaml',
    experiments: jobs.map((j) => j.experiment),
    jobs: jobs.map((j) => {
      writeFileSync(join(runDir, 'scripts', `${j.experiment}.sbatch`), `#!/bin/bash\necho ${j.experiment}\n`);
      return {
        experiment: j.experiment,
        cluster: 'fake',
        partition: 'cpu',
        template: 'cpu',
        script: `scripts/${j.experiment}.sbatch`,
        sha256: '0'.repeat(64),
        job_name: j.experiment,
        out_dir: `out/${j.experiment}`,
        depends_on: j.depends_on ?? [],
        ...(j.array ? { array: { size: 3, spec: j.array, sweep_file: `scripts/${j.experiment}.sweep.tsv`, points: [] } } : {}),
        parameters: {},
        gpu_fields: [],
      };
    }),
    files: [],
  };
  const text = `${JSON.stringify(manifest, null, 2)}\n`;
  writeFileSync(join(runDir, 'manifest.json'), text);
  return { resultsDir, runDir, manifest: parseSubmitManifest(text, 'manifest.json') };
}

export const noSleep = async (): Promise<void> => undefined;

/** A transport whose only working method is `exec`; every other call is refused (the query tests use no files). */
export function createExecOnlyTransport(exec: Transport['exec']): Transport {
  const refuse = (): Promise<never> => Promise.reject(new Error('not used by queryJobs'));
  return {
    kind: 'ssh',
    target: 'answers',
    connect: async () => {},
    exec,
    execShell: refuse,
    upload: refuse,
    download: refuse,
    mkdirp: refuse,
    stat: refuse,
    list: refuse,
    writeFile: refuse,
    readFile: refuse,
    close: async () => {},
  };
}
