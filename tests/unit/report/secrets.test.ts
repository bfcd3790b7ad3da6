import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SweepPoint } from '../../../src/profile/metrics-document.js';
import { renderCsvReport } from '../../../src/report/csv.js';
import { REDACTED } from '../../../src/report/redact.js';
import { redactMetricsDocument } from '../../../src/report/redact-report.js';
import { loadRun } from '../../../src/report/run-bundle.js';
import { renderReportFiles } from '../../../src/report/write-report.js';
import { buildFixtureDoc, emptyDoc, emptyTask } from './fixture-doc.js';

const temp = mkdtempSync(join(tmpdir(), 'hpcbench-report-secrets-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

const SECRETS = {
  configEnv: 'hf_CONFIG_ENV_SECRET',
  configSetup: 'wandb_CONFIG_SETUP_SECRET',
  scriptExport: 'hf_SCRIPT_EXPORT_SECRET',
  scriptParams: 'PARAMS_JSON_SECRET',
  metadataEnv: 'hf_METADATA_ENV_SECRET',
  metadataCommand: 'aws_METADATA_COMMAND_SECRET',
  param: 'PARAM_API_KEY_SECRET',
  sweepParam: 'SWEEP_TOKEN_SECRET',
  sacct: 'SACCT_PASSWORD_SECRET',
  warning: 'WARNING_TOKEN_SECRET',
};

function makeRun(): string {
  const dir = join(temp, 'results', 'r1');
  mkdirSync(join(dir, 'scripts'), { recursive: true });
  writeFileSync(
    join(dir, 'hpcbench.yaml'),
    [
      'clusters:',
      '  sd:',
      '    preset: santos-dumont',
      '    env:',
      `      HF_TOKEN: ${SECRETS.configEnv}`,
      'experiments:',
      '  infer:',
      '    setup:',
      `      - export WANDB_API_KEY=${SECRETS.configSetup}`,
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'scripts', 'infer.sbatch'),
    [
      '#!/usr/bin/env bash',
      `export HF_TOKEN='${SECRETS.scriptExport}'`,
      `export HPCBENCH_PARAMS_JSON='{"batch":8,"api_key":"${SECRETS.scriptParams}"}'`,
      'python serve.py',
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'sacct.txt'), `JobID|Comment\n7|DB_PASSWORD=${SECRETS.sacct}\n`);
  const task = emptyTask('infer', 'main');
  task.params = { api_key: SECRETS.param, batch: 8 };
  task.metadata = {
    hostname: 'sdumont8012',
    env: { HF_TOKEN: SECRETS.metadataEnv, HF_HOME: '/scratch/hf' },
    command: `AWS_SECRET_ACCESS_KEY=${SECRETS.metadataCommand} python serve.py`,
  };
  const doc = emptyDoc('r1', ['infer'], [task]);
  doc.sweep = [{ experiment: 'infer', task: 'main', params: { hf_token: SECRETS.sweepParam }, requests: 1 } as unknown as SweepPoint];
  doc.warnings = [`a log line said HF_TOKEN=${SECRETS.warning}`];
  writeFileSync(join(dir, 'metrics.json'), JSON.stringify(doc));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ run_id: 'r1', jobs: [{ experiment: 'infer', depends_on: [], parameters: { api_key: SECRETS.param } }] }));
  return dir;
}

describe('secrets never reach a report', () => {
  it('config env and setup, job script exports, metadata env, parameters and sacct are [redacted] in every format and language', async () => {
    const { doc, bundle } = loadRun(makeRun());
    // The inputs do hold them: the test would catch a report that showed any.
    expect(bundle.config?.text).toContain(SECRETS.configEnv);
    expect(bundle.scripts[0]?.text).toContain(SECRETS.scriptExport);
    const files = await renderReportFiles(doc, bundle, { formats: ['md', 'csv', 'json', 'html'], langs: ['en', 'pt-BR'] });
    expect([...files.keys()].sort()).toEqual(['metrics.csv', 'report.html', 'report.json', 'report.md', 'report.pt-BR.html', 'report.pt-BR.md']);
    for (const [name, text] of files) {
      for (const [where, secret] of Object.entries(SECRETS)) expect(text, `${name} shows the ${where} secret`).not.toContain(secret);
    }
    const md = files.get('report.md') ?? '';
    expect(md).toContain(`HF_TOKEN: "${REDACTED}"`);
    expect(md).toContain(`export HF_TOKEN=${REDACTED}`);
    expect(md).toContain(`| \`env.HF_TOKEN\` | ${REDACTED} |`);
    expect(md).toContain('| `env.HF_HOME` | /scratch/hf |');
    expect(files.get('report.html')).toContain(`export HF_TOKEN=${REDACTED}`);
    const json = JSON.parse(files.get('report.json') ?? '{}') as { metrics: { tasks: { params: Record<string, unknown>; metadata: { env: Record<string, unknown> } }[] } };
    expect(json.metrics.tasks[0]?.params).toEqual({ api_key: REDACTED, batch: 8 });
    expect(json.metrics.tasks[0]?.metadata.env).toEqual({ HF_TOKEN: REDACTED, HF_HOME: '/scratch/hf' });
    // The checksum is still that of the file on disk, so the bundle still identifies it.
    expect(json).toMatchObject({ report: { reproduction: { config: { sha256: bundle.config?.sha256 } } } });
  });

  it('the CSV of several runs is redacted too, and redaction leaves harmless parameters alone', async () => {
    const doc = await buildFixtureDoc();
    const task = doc.tasks[0];
    if (task === undefined) throw new Error('fixture has no task');
    task.params = { hf_token: 'csv_secret_value', max_new_tokens: 64 };
    const csv = renderCsvReport([doc, doc]);
    expect(csv.split('\n')[0]).toContain('hf_token');
    expect(csv).toContain(REDACTED);
    expect(csv).not.toContain('csv_secret_value');
    const redacted = redactMetricsDocument(doc);
    expect(redacted.tasks[0]?.params).toEqual({ hf_token: REDACTED, max_new_tokens: 64 });
    // The input document is not changed: redaction works on copies.
    expect(task.params.hf_token).toBe('csv_secret_value');
  });
});
