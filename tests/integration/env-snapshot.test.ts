// The environment snapshot of a real job on the test cluster: a CPU job whose setup line activates
// the workloads venv (torch, transformers, peft), as a user's `setup:` does, writes
// environment.json and pip-freeze.txt before its workload, and `fetch` brings both home.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fetchRun, readRunRecord, watchRun } from '../../src/runs/index.js';
import type { Transport } from '../../src/transport/transport.js';
import { describeWithVenv } from '../unit/workloads/python.js';
import { describeCluster } from './support/cluster.js';
import { cleanUpRuns, connectProject, openProject, renderAndSubmit, writeTestProject, type TestProject } from './submit-helpers.js';

const VENV_ACTIVATE = '/opt/hpcbench-venv/bin/activate';

describeWithVenv('environment snapshot on the test cluster', () => {
  describeCluster('environment.json and pip-freeze.txt of a job in the workloads venv', (cluster) => {
    let project: TestProject;
    let transport: Transport;

    beforeAll(async () => {
      process.env.HPCBENCH_TEST_POLL_FLOOR_MS = '1000';
      const written = writeTestProject(cluster, { snap: { command: 'python -c "print(1)"', mem: '2G' } });
      // The venv is activated by a cluster setup line, as users do on a real cluster.
      const text = readFileSync(written.config, 'utf8').replace('    preset: generic\n', `    preset: generic\n    setup: [${JSON.stringify(`source ${VENV_ACTIVATE}`)}]\n`);
      writeFileSync(written.config, text);
      project = openProject(written);
      transport = connectProject(project);
    });

    afterAll(async () => {
      if (transport) {
        await cleanUpRuns(project, transport);
        await transport.close();
      }
    });

    it('records the venv python, torch 2.13.0 with CUDA unavailable, transformers and peft, and pip freeze beside it', async () => {
      const submitted = await renderAndSubmit(project, transport, 'snap');
      const runId = submitted.record.run_id;
      const watched = await watchRun({ transport, resultsDir: project.resultsDir, runId, pollFloorMs: 1000, pollCeilingMs: 5000 });
      expect(watched.exitCode).toBe(0);
      const record = await readRunRecord(project.resultsDir, runId);
      const fetched = await fetchRun({ transport, record, runDir: join(project.resultsDir, runId) });
      const names = fetched.files.map((f) => f.path);
      expect(names).toEqual(expect.arrayContaining(['out/snap/main/environment.json', 'out/snap/main/pip-freeze.txt']));

      const out = join(project.resultsDir, runId, 'out', 'snap', 'main');
      const environment = JSON.parse(readFileSync(join(out, 'environment.json'), 'utf8')) as Record<string, unknown>;
      const python = environment.python as Record<string, unknown>;
      expect(environment.python_reason).toBeNull();
      expect(python.executable).toMatch(/^\/opt\/hpcbench-venv\/bin\/python/);
      expect(python).toMatchObject({ torch: expect.stringMatching(/^2\.13\.0/), torch_reason: null, cuda_available: false, transformers_reason: null, peft_reason: null });
      expect(python.transformers).toMatch(/^\d+\.\d+/);
      expect(python.peft).toMatch(/^\d+\.\d+/);
      // The test cluster has no nvidia-smi and no module system: null with the reason, and the job still completed.
      expect(environment).toMatchObject({ nvidia_driver: null, nvidia_driver_reason: 'nvidia-smi not on PATH', pip_freeze: 'pip-freeze.txt' });
      const freeze = readFileSync(join(out, 'pip-freeze.txt'), 'utf8');
      expect(freeze).toMatch(/^torch==2\.13\.0/m);
      expect(freeze).toMatch(/^transformers==/m);
      expect(freeze).toMatch(/^peft==/m);
    });
  });
});
