// The environment snapshot from a run directory to the report: profile puts each task's
// environment.json (and whether pip-freeze.txt is beside it) into metrics.json, with the project's
// git state from manifest.json, and the reproducibility section shows them in English, Portuguese
// and HTML. A task without a snapshot shows none.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { profileRun } from '../../../src/profile/profile-run.js';
import { renderHtmlReport } from '../../../src/report/html.js';
import { renderMarkdownReport } from '../../../src/report/markdown.js';
import { buildReportModel } from '../../../src/report/report-model.js';

const COMMIT = '0123456789abcdef0123456789abcdef01234567';
const RUN_ID = '20261201-170000-snap-a1b2';
const NOW = { now: () => new Date('2026-12-01T17:00:00Z') };

const ENVIRONMENT = {
  schema: 'hpcbench.environment/1',
  captured_at: '2026-12-01T17:00:05Z',
  modules: ['sequana/current', 'cuda/12.1_sequana'],
  modules_reason: null,
  python: {
    executable: '/scratch/proj/alice/venv/bin/python', version: '3.11.7',
    torch: '2.13.0+cu126', torch_reason: null, cuda: '12.6', cuda_reason: null, cuda_available: true, devices: ['Tesla V100-SXM2-32GB'],
    transformers: '5.18.0', transformers_reason: null, peft: '0.21.0', peft_reason: null,
    accelerate: null, accelerate_reason: "ModuleNotFoundError: No module named 'accelerate'",
  },
  python_reason: null,
  nvidia_driver: '550.54', nvidia_driver_reason: null,
  pip_freeze: 'pip-freeze.txt', pip_freeze_reason: null,
};

function writeRunDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hpcbench-envsnap-'));
  const manifest = {
    schema: 'hpcbench.manifest/1', run_id: RUN_ID, created_at: '2026-12-01T17:00:00Z', config_file: 'hpcbench.yaml',
    experiments: ['snap', 'bare'],
    jobs: ['snap', 'bare'].map((e) => ({
      experiment: e, cluster: 'sd', partition: 'sequana_gpu', template: 'cpu', script: `scripts/${e}.sbatch`, sha256: '0', job_name: e, out_dir: `out/${e}`,
      depends_on: [], parameters: {}, gpu_fields: [], task_dirs: [`out/${e}/main`],
    })),
    files: [],
    git: { commit: COMMIT, dirty: true },
  };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  for (const e of ['snap', 'bare']) {
    const out = join(dir, 'out', e, 'main');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'metadata.json'), JSON.stringify({ schema: 'hpcbench.metadata/1', run_id: RUN_ID, experiment: e, task: 'main', job_id: e === 'snap' ? '11' : '12' }));
  }
  writeFileSync(join(dir, 'out/snap/main/environment.json'), JSON.stringify(ENVIRONMENT));
  writeFileSync(join(dir, 'out/snap/main/pip-freeze.txt'), 'torch==2.13.0+cu126\n');
  return dir;
}

describe('environment snapshot in metrics.json and reports', () => {
  it('profile carries each task snapshot and the render-time git state into metrics.json', async () => {
    const doc = await profileRun(writeRunDir(), { bootstrapIterations: 10 });
    expect(doc.run.git).toEqual({ commit: COMMIT, dirty: true });
    const snap = doc.tasks.find((t) => t.experiment === 'snap');
    expect(snap?.environment).toMatchObject({ modules: ENVIRONMENT.modules, python: { torch: '2.13.0+cu126' }, pip_freeze: 'pip-freeze.txt' });
    expect(doc.tasks.find((t) => t.experiment === 'bare')?.environment).toBeUndefined();
  });

  it('shows git commit (dirty), versions, modules and pip-freeze.txt in the reproducibility section', async () => {
    const model = buildReportModel(await profileRun(writeRunDir(), { bootstrapIterations: 10 }), undefined, NOW);
    const snap = model.taskBundles.find((b) => b.experiment === 'snap');
    expect(snap).toMatchObject({ gitCommit: `${COMMIT} (dirty)`, modules: ENVIRONMENT.modules });
    expect(snap?.software).toMatchObject({ python: '3.11.7', torch: '2.13.0+cu126', cuda: '12.6', transformers: '5.18.0', peft: '0.21.0', accelerate: null, pipFreeze: 'out/snap/main/pip-freeze.txt' });
    expect(model.taskBundles.find((b) => b.experiment === 'bare')?.software).toBeNull();

    const en = renderMarkdownReport(model, 'en');
    const reproducibility = en.slice(en.indexOf('## 6. Reproducibility'));
    expect(reproducibility).toContain(`| snap | main | ${COMMIT} (dirty) | sequana/current, cuda/12.1_sequana |`);
    expect(reproducibility).toContain('### Software environment (environment.json of each task)');
    expect(reproducibility).toMatch(/\| snap \| main \| 3\.11\.7 \| 2\.13\.0\+cu126 \| 12\.6 \| 5\.18\.0 \| 0\.21\.0 \| [^|]+ \| 550\.54 \| `out\/snap\/main\/pip-freeze\.txt` \|/);
    expect(reproducibility).not.toMatch(/\| bare \| main \| 3\./);

    const pt = renderMarkdownReport(model, 'pt-BR');
    expect(pt).toContain('### Ambiente de software (environment.json de cada tarefa)');
    expect(pt).toContain('`out/snap/main/pip-freeze.txt`');

    const html = await renderHtmlReport(model, 'en');
    expect(html).toContain('<h3>Software environment (environment.json of each task)</h3>');
    expect(html).toContain('<td>2.13.0+cu126</td>');
    expect(html).toContain('<code>out/snap/main/pip-freeze.txt</code>');
  });
});
